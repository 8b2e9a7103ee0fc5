using Academy.Video.Application.Jobs;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;

namespace Academy.Video.Application.Videos;

public sealed record JobView(
    Guid JobId,
    string State,
    int AttemptCount,
    int MaxAttempts,
    int ProgressPercent,
    string? BatchJobId,
    string? ErrorCode,
    string? ErrorMessage,
    DateTimeOffset? LastHeartbeatAt,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>Whether the latest attempt copied the source as the top rung (<c>SOURCE_COPY</c>) or the stable code of why not.</summary>
    public string? TopRungCode { get; init; }

    public string? TopRungReason { get; init; }

    /// <summary>What the audio's loudness normalisation did and the first pass's figures (docs/encoding.md, Loudness); null before any plan.</summary>
    public LoudnessView? Loudness { get; init; }

    /// <summary>Whether the video is encoded as slides or camera, with the analysis's figures (docs/encoding.md, Slides profile); null before any plan.</summary>
    public ProfileView? Profile { get; init; }

    public static JobView From(TranscodeJob job, JobPolicy policy) => new(
        job.Id, job.State.ToWire(), job.AttemptCount, policy.MaxAttempts, job.ProgressPercent, job.BatchJobId,
        job.ErrorCode, job.ErrorMessage, job.LastHeartbeatAt, job.NextAttemptAt, job.CreatedAt, job.UpdatedAt)
    {
        TopRungCode = job.TopRungCode,
        TopRungReason = job.TopRungReason,
        Loudness = LoudnessView.From(job.Loudness),
        Profile = ProfileView.From(job.Profile),
    };
}

/// <summary>The job's slides-or-camera decision (JSON <c>job.profile</c>): the share of near-identical analysed frames (0–1), their mean difference (luma, 0–255) and the seconds analysed.</summary>
public sealed record ProfileView(string Kind, double? StillShare, double? Motion, double? AnalyzedSeconds)
{
    public static ProfileView? From(Domain.Media.LectureProfile? p) => p is null ? null : new(p.Kind, p.StillShare, p.Motion, p.AnalyzedSeconds);
}

/// <summary>The job's loudness measurement (JSON <c>job.loudness</c>): LUFS, dBTP and LU as loudnorm's first pass reported them.</summary>
public sealed record LoudnessView(
    string Status,
    double? InputIntegratedLufs,
    double? InputTruePeakDbtp,
    double? InputLoudnessRangeLu,
    double? InputThresholdLufs,
    double? TargetOffsetLu)
{
    public static LoudnessView? From(Domain.Media.LoudnessMeasurement? m) => m is null ? null : new(
        m.Status, m.InputIntegrated, m.InputTruePeak, m.InputLoudnessRange, m.InputThreshold, m.TargetOffset);
}

/// <summary>The source as the worker's probe found it (JSON <c>source</c>).</summary>
/// <param name="Width">As stored; <paramref name="RotationDegrees"/> says how a player turns it.</param>
public sealed record SourceView(
    double DurationSeconds,
    int Width,
    int Height,
    int RotationDegrees,
    string VideoCodec,
    string? AudioCodec,
    double FramesPerSecond,
    int? BitrateKbps)
{
    public static SourceView? From(SourceMetadata? source) => source is null ? null : new(
        source.DurationSeconds, source.Width, source.Height, source.RotationDegrees, source.VideoCodec, source.AudioCodec, source.FramesPerSecond, source.BitrateKbps);
}

public sealed record AttemptView(int Attempt, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, string? Outcome, string? ErrorCode, string? ErrorMessage, string? BatchJobId)
{
    public static AttemptView From(JobAttempt attempt) => new(
        attempt.Attempt, attempt.StartedAt, attempt.EndedAt, attempt.Outcome?.ToWire(), attempt.ErrorCode, attempt.ErrorMessage, attempt.BatchJobId);
}

public sealed record VideoSummary(Guid VideoId, string Title, string Status, Guid? CurrentJobId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static VideoSummary From(LectureVideo video) =>
        new(video.Id, video.Title, video.Status.ToWire(), video.CurrentJobId, video.CreatedAt, video.UpdatedAt);
}

public sealed record VideoDetails(
    Guid VideoId,
    string Title,
    string Status,
    long? SourceSizeBytes,
    string? HlsPath,
    Uri? PlaybackUrl,
    Uri? PosterUrl,
    Uri? StoryboardUrl,
    double? PosterAtSeconds,
    SourceView? Source,
    int ProgressPercent,
    JobView? Job,
    IReadOnlyList<AttemptView> Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>
    /// Whether a player can load the video now: READY, or PROCESSING with the first segments of the running attempt
    /// published (decision 0018). <see cref="PlaybackUrl"/> (Public mode) or <c>GET …/playback</c> then gives its master.
    /// </summary>
    public bool Playable { get; init; }

    /// <summary>The uploaded caption tracks of a READY video (docs/api.md, Captions).</summary>
    public IReadOnlyList<Captions.CaptionView> Captions { get; init; } = [];

    /// <summary>The chapters of a READY video, from its slide changes or set by a person (docs/api.md, Chapters); empty when none.</summary>
    public IReadOnlyList<Playback.ChapterView> Chapters { get; init; } = [];

    /// <summary>The WebVTT chapters track (kind chapters) of a READY video with chapters; signed and expiring in Signed mode.</summary>
    public Uri? ChaptersUrl { get; init; }
}
