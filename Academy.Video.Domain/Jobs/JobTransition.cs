using Academy.Video.Domain.Videos;

namespace Academy.Video.Domain.Jobs;

/// <summary>
/// A state change as a compare-and-set: it applies only while the job is still in
/// (<see cref="FromState"/>, <see cref="FromAttempt"/>). Stores execute it as one conditional
/// statement and report whether it won, so two racers can never both win.
/// </summary>
public sealed record JobTransition(
    Guid JobId,
    JobState FromState,
    int FromAttempt,
    JobState ToState,
    int ToAttempt,
    DateTimeOffset At)
{
    public JobError? Error { get; init; }
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>A retry needs a new submission, so the old Batch id is cleared.</summary>
    public bool ClearBatchJobId { get; init; }

    /// <summary>The video change that happens in the same statement, if any.</summary>
    public VideoEffect? Video { get; init; }

    public bool StartsAttempt => ToState == JobState.Running;

    public bool EndsAttempt => FromState == JobState.Running && ToState != JobState.Running;

    public TranscodeJob ApplyTo(TranscodeJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.Id != JobId || job.State != FromState || job.AttemptCount != FromAttempt)
        {
            throw new InvalidOperationException($"Transition {this} does not apply to job {job.Id} in {job.State}/{job.AttemptCount}.");
        }

        return job with
        {
            State = ToState,
            AttemptCount = ToAttempt,
            UpdatedAt = At,
            LastHeartbeatAt = StartsAttempt ? At : job.LastHeartbeatAt,
            ProgressPercent = StartsAttempt ? 0 : ToState == JobState.Succeeded ? 100 : job.ProgressPercent,
            ErrorCode = StartsAttempt || ToState == JobState.Succeeded ? null : Error?.Code ?? job.ErrorCode,
            ErrorMessage = StartsAttempt || ToState == JobState.Succeeded ? null : Error?.Message ?? job.ErrorMessage,
            NextAttemptAt = NextAttemptAt,
            BatchJobId = ClearBatchJobId ? null : job.BatchJobId,
            SubmittedAt = ClearBatchJobId ? null : job.SubmittedAt,
            FinishedAt = ToState.IsTerminal() ? At : null,
        };
    }
}

/// <summary>The video side of a job transition.</summary>
public sealed record VideoEffect(Guid VideoId, VideoStatus Status, string? HlsPath = null);

/// <summary>Records the runner's id for a submission, fenced like a transition.</summary>
public sealed record JobSubmission(Guid JobId, JobState ExpectedState, int ExpectedAttempt, string BatchJobId, DateTimeOffset At);

public sealed class InvalidJobTransitionException(TranscodeJob job, JobState target, string? action = null)
    : DomainException(
        "INVALID_JOB_TRANSITION",
        $"Job {job.Id} is {job.State.ToWire()} (attempt {job.AttemptCount}); it cannot {action ?? "move to " + target.ToWire()}.")
{
    public JobState From { get; } = job.State;
    public JobState Target { get; } = target;
}
