using Academy.Video.Application.Jobs;
using Academy.Video.Application.Storage;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;
using Academy.Video.Domain.Videos;

namespace Academy.Video.Infrastructure.Persistence;

// Dapper materialises these flat rows; the mapping to domain records is explicit so that enum
// names go through the domain's wire helpers and timestamps come back as UTC DateTimeOffsets.

internal sealed record VideoRow
{
    public Guid Id { get; init; }
    public string Title { get; init; } = "";
    public string Status { get; init; } = "";
    public string SourceKey { get; init; } = "";
    public string SourceContentType { get; init; } = "";
    public long? SourceSizeBytes { get; init; }
    public string? HlsPath { get; init; }
    public Guid? CurrentJobId { get; init; }
    public double? PosterAtSeconds { get; init; }
    public double? SourceDurationSeconds { get; init; }
    public int? SourceWidth { get; init; }
    public int? SourceHeight { get; init; }
    public int? SourceRotationDegrees { get; init; }
    public string? SourceVideoCodec { get; init; }
    public string? SourceAudioCodec { get; init; }
    public double? SourceFramesPerSecond { get; init; }
    public int? SourceBitrateKbps { get; init; }
    public string? PosterKey { get; init; }
    public string? StoryboardKey { get; init; }
    public string Chapters { get; init; } = "[]";
    public string? ChaptersKey { get; init; }
    public int ChaptersRevision { get; init; }
    public string? PlayablePath { get; init; }
    public DateTime? PlayableAt { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }

    public static readonly string Columns = ColumnsOf(null);

    /// <summary>The select list, its columns qualified by <paramref name="alias"/> when two tables are joined.</summary>
    public static string ColumnsOf(string? alias) => SqlColumns.Select(alias,
        ("id", "Id"), ("title", "Title"), ("status", "Status"), ("source_key", "SourceKey"),
        ("source_content_type", "SourceContentType"), ("source_size_bytes", "SourceSizeBytes"),
        ("hls_path", "HlsPath"), ("current_job_id", "CurrentJobId"), ("poster_at_seconds", "PosterAtSeconds"),
        ("source_duration_seconds", "SourceDurationSeconds"), ("source_width", "SourceWidth"), ("source_height", "SourceHeight"),
        ("source_rotation_degrees", "SourceRotationDegrees"), ("source_video_codec", "SourceVideoCodec"), ("source_audio_codec", "SourceAudioCodec"),
        ("source_frames_per_second", "SourceFramesPerSecond"), ("source_bitrate_kbps", "SourceBitrateKbps"),
        ("poster_key", "PosterKey"), ("storyboard_key", "StoryboardKey"),
        ("chapters", "Chapters"), ("chapters_key", "ChaptersKey"), ("chapters_revision", "ChaptersRevision"), ("playable_path", "PlayablePath"), ("playable_at", "PlayableAt"),
        ("created_at", "CreatedAt"), ("updated_at", "UpdatedAt"));

    public LectureVideo ToDomain() => new()
    {
        Id = Id,
        Title = Title,
        Status = VideoStatusNames.ParseVideoStatus(Status),
        SourceKey = SourceKey,
        SourceContentType = SourceContentType,
        SourceSizeBytes = SourceSizeBytes,
        HlsPath = HlsPath,
        CurrentJobId = CurrentJobId,
        PosterAtSeconds = PosterAtSeconds,
        Source = SourceDurationSeconds is { } duration
            ? new SourceMetadata(duration, SourceWidth ?? 0, SourceHeight ?? 0, SourceRotationDegrees ?? 0, SourceVideoCodec ?? "", SourceAudioCodec, SourceFramesPerSecond ?? 0, SourceBitrateKbps)
            : null,
        PosterKey = PosterKey,
        StoryboardKey = StoryboardKey,
        Chapters = ChapterJson.Read(Chapters),
        ChaptersKey = ChaptersKey,
        ChaptersRevision = ChaptersRevision,
        PlayablePath = PlayablePath,
        PlayableAt = DbTime.FromDb(PlayableAt),
        CreatedAt = DbTime.FromDb(CreatedAt),
        UpdatedAt = DbTime.FromDb(UpdatedAt),
    };
}

internal record JobRow
{
    public Guid Id { get; init; }
    public Guid VideoId { get; init; }
    public string State { get; init; } = "";
    public int AttemptCount { get; init; }
    public string? AwsBatchJobId { get; init; }
    public DateTime? SubmittedAt { get; init; }
    public DateTime? LastHeartbeatAt { get; init; }
    public int ProgressPercent { get; init; }
    public string? ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }
    public DateTime? NextAttemptAt { get; init; }
    public int NeverStartedCount { get; init; }
    public string? NeverStartedReason { get; init; }
    public int HostTerminationCount { get; init; }
    public string? TopRungCode { get; init; }
    public string? LoudnessStatus { get; init; }
    public double? LoudnessInputI { get; init; }
    public double? LoudnessInputTp { get; init; }
    public double? LoudnessInputLra { get; init; }
    public double? LoudnessInputThresh { get; init; }
    public double? LoudnessTargetOffset { get; init; }
    public string? ProfileKind { get; init; }
    public double? ProfileStillShare { get; init; }
    public double? ProfileMotion { get; init; }
    public double? ProfileAnalyzedSeconds { get; init; }
    public string? TopRungReason { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }
    public DateTime? FinishedAt { get; init; }

    public static readonly string Columns = ColumnsOf(null);

    public static string ColumnsOf(string? alias) => SqlColumns.Select(alias,
        ("id", "Id"), ("video_id", "VideoId"), ("state", "State"), ("attempt_count", "AttemptCount"),
        ("aws_batch_job_id", "AwsBatchJobId"), ("submitted_at", "SubmittedAt"), ("last_heartbeat_at", "LastHeartbeatAt"),
        ("progress_percent", "ProgressPercent"), ("error_code", "ErrorCode"), ("error_message", "ErrorMessage"),
        ("next_attempt_at", "NextAttemptAt"), ("never_started_count", "NeverStartedCount"), ("never_started_reason", "NeverStartedReason"),
        ("host_termination_count", "HostTerminationCount"),
        ("top_rung_code", "TopRungCode"), ("top_rung_reason", "TopRungReason"),
        ("loudness_status", "LoudnessStatus"), ("loudness_input_i", "LoudnessInputI"), ("loudness_input_tp", "LoudnessInputTp"),
        ("loudness_input_lra", "LoudnessInputLra"), ("loudness_input_thresh", "LoudnessInputThresh"), ("loudness_target_offset", "LoudnessTargetOffset"),
        ("profile_kind", "ProfileKind"), ("profile_still_share", "ProfileStillShare"), ("profile_motion", "ProfileMotion"), ("profile_analyzed_seconds", "ProfileAnalyzedSeconds"),
        ("created_at", "CreatedAt"), ("updated_at", "UpdatedAt"), ("finished_at", "FinishedAt"));

    public TranscodeJob ToDomain() => new()
    {
        Id = Id,
        VideoId = VideoId,
        State = JobStateNames.ParseJobState(State),
        AttemptCount = AttemptCount,
        BatchJobId = AwsBatchJobId,
        SubmittedAt = DbTime.FromDb(SubmittedAt),
        LastHeartbeatAt = DbTime.FromDb(LastHeartbeatAt),
        ProgressPercent = ProgressPercent,
        ErrorCode = ErrorCode,
        ErrorMessage = ErrorMessage,
        NextAttemptAt = DbTime.FromDb(NextAttemptAt),
        NeverStartedCount = NeverStartedCount,
        NeverStartedReason = NeverStartedReason,
        HostTerminationCount = HostTerminationCount,
        TopRungCode = TopRungCode,
        TopRungReason = TopRungReason,
        Profile = ProfileKind is null ? null : new LectureProfile(ProfileKind, ProfileStillShare, ProfileMotion, ProfileAnalyzedSeconds),
        Loudness = LoudnessStatus is null ? null : new LoudnessMeasurement(LoudnessStatus, LoudnessInputI, LoudnessInputTp, LoudnessInputLra, LoudnessInputThresh, LoudnessTargetOffset),
        CreatedAt = DbTime.FromDb(CreatedAt),
        UpdatedAt = DbTime.FromDb(UpdatedAt),
        FinishedAt = DbTime.FromDb(FinishedAt),
    };
}

/// <summary>A recovery candidate: the job row and its video's status.</summary>
internal sealed record CandidateRow : JobRow
{
    public string? VideoStatus { get; init; }

    public RecoveryCandidate ToCandidate() =>
        new(ToDomain(), VideoStatus is null ? null : VideoStatusNames.ParseVideoStatus(VideoStatus));
}

internal sealed record AttemptRow
{
    public Guid JobId { get; init; }
    public int Attempt { get; init; }
    public DateTime StartedAt { get; init; }
    public DateTime? EndedAt { get; init; }
    public string? Outcome { get; init; }
    public string? ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }
    public string? BatchJobId { get; init; }

    public static readonly string Columns = ColumnsOf(null);

    public static string ColumnsOf(string? alias) => SqlColumns.Select(alias,
        ("job_id", "JobId"), ("attempt", "Attempt"), ("started_at", "StartedAt"), ("ended_at", "EndedAt"), ("outcome", "Outcome"),
        ("error_code", "ErrorCode"), ("error_message", "ErrorMessage"), ("batch_job_id", "BatchJobId"));

    public JobAttempt ToDomain() => new(
        JobId,
        Attempt,
        DbTime.FromDb(StartedAt),
        DbTime.FromDb(EndedAt),
        Outcome is null ? null : JobStateNames.ParseJobState(Outcome),
        ErrorCode,
        ErrorMessage,
        BatchJobId);
}

internal sealed record CleanupRow
{
    public Guid Id { get; init; }
    public string Prefix { get; init; } = "";
    public Guid? VideoId { get; init; }
    public Guid? JobId { get; init; }
    public string Reason { get; init; } = "";
    public int Attempts { get; init; }
    public DateTime CreatedAt { get; init; }

    public const string Columns = """
        id AS Id, prefix AS Prefix, video_id AS VideoId, job_id AS JobId, reason AS Reason, attempts AS Attempts, created_at AS CreatedAt
        """;

    public StorageCleanup ToDomain() => new(Id, Prefix, VideoId, JobId, Reason, Attempts, DbTime.FromDb(CreatedAt));
}

internal static class SqlColumns
{
    public static string Select(string? alias, params (string Column, string Property)[] columns) =>
        string.Join(", ", columns.Select(c => $"{(alias is null ? "" : alias + ".")}{c.Column} AS {c.Property}"));
}

/// <summary>
/// timestamptz columns: Npgsql reads them as UTC <see cref="DateTime"/> and writes only
/// offset-zero <see cref="DateTimeOffset"/> values, so everything crosses the boundary as UTC.
/// PostgreSQL keeps microseconds: sub-microsecond ticks are truncated on the way in.
/// </summary>
internal static class DbTime
{
    public static DateTimeOffset ToDb(DateTimeOffset value) => value.ToUniversalTime();

    public static DateTimeOffset? ToDb(DateTimeOffset? value) => value?.ToUniversalTime();

    public static DateTimeOffset FromDb(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    public static DateTimeOffset? FromDb(DateTime? value) => value is { } v ? FromDb(v) : null;
}
