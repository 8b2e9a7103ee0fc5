using Academy.Video.Application.Jobs;
using Academy.Video.Application.Storage;
using Academy.Video.Domain.Jobs;
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
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }

    public const string Columns = """
        id AS Id, title AS Title, status AS Status, source_key AS SourceKey,
        source_content_type AS SourceContentType, source_size_bytes AS SourceSizeBytes,
        hls_path AS HlsPath, current_job_id AS CurrentJobId, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

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
        CreatedAt = DbTime.FromDb(CreatedAt),
        UpdatedAt = DbTime.FromDb(UpdatedAt),
    };
}

internal sealed record JobRow
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
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }
    public DateTime? FinishedAt { get; init; }

    public const string Columns = """
        id AS Id, video_id AS VideoId, state AS State, attempt_count AS AttemptCount,
        aws_batch_job_id AS AwsBatchJobId, submitted_at AS SubmittedAt, last_heartbeat_at AS LastHeartbeatAt,
        progress_percent AS ProgressPercent, error_code AS ErrorCode, error_message AS ErrorMessage,
        next_attempt_at AS NextAttemptAt, created_at AS CreatedAt, updated_at AS UpdatedAt, finished_at AS FinishedAt
        """;

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
        CreatedAt = DbTime.FromDb(CreatedAt),
        UpdatedAt = DbTime.FromDb(UpdatedAt),
        FinishedAt = DbTime.FromDb(FinishedAt),
    };
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

    public const string Columns = """
        job_id AS JobId, attempt AS Attempt, started_at AS StartedAt, ended_at AS EndedAt, outcome AS Outcome,
        error_code AS ErrorCode, error_message AS ErrorMessage, batch_job_id AS BatchJobId
        """;

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
    public string Reason { get; init; } = "";
    public int Attempts { get; init; }
    public DateTime CreatedAt { get; init; }

    public const string Columns = """
        id AS Id, prefix AS Prefix, video_id AS VideoId, reason AS Reason, attempts AS Attempts, created_at AS CreatedAt
        """;

    public StorageCleanup ToDomain() => new(Id, Prefix, VideoId, Reason, Attempts, DbTime.FromDb(CreatedAt));
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
