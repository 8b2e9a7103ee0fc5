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
    public static JobView From(TranscodeJob job, JobPolicy policy) => new(
        job.Id, job.State.ToWire(), job.AttemptCount, policy.MaxAttempts, job.ProgressPercent, job.BatchJobId,
        job.ErrorCode, job.ErrorMessage, job.LastHeartbeatAt, job.NextAttemptAt, job.CreatedAt, job.UpdatedAt);
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
    int ProgressPercent,
    JobView? Job,
    IReadOnlyList<AttemptView> Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
