namespace Academy.Video.Domain.Jobs;

public enum RecoveryActionKind
{
    None,
    /// <summary>RUNNING without a heartbeat past the threshold: RETRY_WAIT, or DEAD at the last attempt.</summary>
    MarkStuck,
    /// <summary>RETRY_WAIT whose backoff has passed and that no Batch job carries yet: submit the same job id.</summary>
    Resubmit,
    /// <summary>QUEUED past the grace period with no Batch id: the first submission was lost (seed 000 §8).</summary>
    SubmitMissing,
    /// <summary>
    /// QUEUED or RETRY_WAIT with a Batch id for longer than <see cref="JobPolicy.SubmissionCheckAfter"/>:
    /// ask the runner whether that Batch job is still alive; resubmit if it is gone or ended.
    /// </summary>
    VerifySubmission,
}

public sealed record RecoveryAction(RecoveryActionKind Kind, string Reason)
{
    public static RecoveryAction Nothing { get; } = new(RecoveryActionKind.None, "healthy");
}

/// <summary>What the recovery scan does with one job at one instant. Pure.</summary>
public static class RecoveryDecision
{
    public static RecoveryAction Decide(TranscodeJob job, DateTimeOffset now, JobPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(policy);
        switch (job.State)
        {
            case JobState.Running:
                var lastSign = job.LastHeartbeatAt ?? job.UpdatedAt;
                var silence = now - lastSign;
                return silence > policy.StuckThreshold
                    ? new(RecoveryActionKind.MarkStuck, $"no heartbeat for {silence:c} (threshold {policy.StuckThreshold:c})")
                    : RecoveryAction.Nothing;

            case JobState.RetryWait when job.BatchJobId is null:
                return (job.NextAttemptAt ?? job.UpdatedAt) <= now
                    ? new(RecoveryActionKind.Resubmit, $"attempt {job.AttemptCount + 1} is due")
                    : RecoveryAction.Nothing;

            case JobState.Queued when job.BatchJobId is null:
                var waited = now - job.CreatedAt;
                return waited > policy.SubmitGracePeriod
                    ? new(RecoveryActionKind.SubmitMissing, $"QUEUED for {waited:c} without a Batch job id")
                    : RecoveryAction.Nothing;

            case JobState.Queued or JobState.RetryWait:
                var sinceSubmit = now - (job.SubmittedAt ?? job.UpdatedAt);
                return sinceSubmit > policy.SubmissionCheckAfter
                    ? new(RecoveryActionKind.VerifySubmission, $"submitted as {job.BatchJobId} {sinceSubmit:c} ago and not started")
                    : RecoveryAction.Nothing;

            default:
                return RecoveryAction.Nothing;
        }
    }
}
