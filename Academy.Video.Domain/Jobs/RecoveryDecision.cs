using Academy.Video.Domain.Videos;

namespace Academy.Video.Domain.Jobs;

public enum RecoveryActionKind
{
    None,
    /// <summary>RUNNING without a heartbeat past the threshold: RETRY_WAIT, or DEAD at the last attempt.</summary>
    MarkStuck,
    /// <summary>RETRY_WAIT whose backoff has passed and that no Batch job carries yet: submit the same job id.</summary>
    Resubmit,
    /// <summary>QUEUED past the grace period with no Batch id: the first submission was lost (docs/contract.md §2).</summary>
    SubmitMissing,
    /// <summary>
    /// QUEUED or RETRY_WAIT with a Batch id for longer than <see cref="JobPolicy.SubmissionCheckAfter"/>:
    /// ask the runner about that Batch job (<see cref="RecoveryDecision.JudgeSubmission"/>).
    /// </summary>
    VerifySubmission,
    /// <summary>The job's video is being deleted (or is gone): the job ends FAILED (VIDEO_DELETED), never submitted again.</summary>
    EndForDeletedVideo,
    /// <summary>The job waits for a submission but its submissions already never started as often as allowed: DEAD (NEVER_STARTED).</summary>
    EndNeverStarted,
}

public sealed record RecoveryAction(RecoveryActionKind Kind, string Reason)
{
    public static RecoveryAction Nothing { get; } = new(RecoveryActionKind.None, "healthy");

    /// <summary>The action changes the job's state by itself, with no runner call: the scan commits it before acting.</summary>
    public bool IsStateChange => Kind is RecoveryActionKind.MarkStuck or RecoveryActionKind.EndForDeletedVideo or RecoveryActionKind.EndNeverStarted;
}

/// <summary>What the runner says about one of its jobs: its own status word and why, if it says.</summary>
/// <param name="Status">SUBMITTED, PENDING, RUNNABLE, STARTING, RUNNING, SUCCEEDED or FAILED.</param>
public sealed record RunnerSighting(string Status, string? StatusReason);

/// <param name="Alive">The submission may still start: leave it alone.</param>
/// <param name="Reason">Why it will never start, for the job's record.</param>
/// <param name="Terminate">The runner still holds it (blocked in its queue): end it there before resubmitting.</param>
public sealed record SubmissionVerdict(bool Alive, string Reason, bool Terminate);

/// <summary>What the recovery scan does with one job at one instant. Pure.</summary>
public static partial class RecoveryDecision
{
    public static RecoveryAction Decide(TranscodeJob job, VideoStatus? videoStatus, DateTimeOffset now, JobPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(policy);
        if (job.State.IsTerminal())
        {
            return RecoveryAction.Nothing;
        }

        // Checked first: nothing else may resubmit a job whose video is on its way out.
        if (videoStatus is null or VideoStatus.Deleting or VideoStatus.Deleted)
        {
            return new(RecoveryActionKind.EndForDeletedVideo, $"the video is {videoStatus?.ToWire() ?? "gone"}");
        }

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
                    ? DueSubmission(job, policy, new(RecoveryActionKind.Resubmit, $"attempt {job.AttemptCount + 1} is due"))
                    : RecoveryAction.Nothing;

            case JobState.Queued when job.BatchJobId is null:
                var waited = now - job.CreatedAt;
                return waited > policy.SubmitGracePeriod
                    ? DueSubmission(job, policy, new(RecoveryActionKind.SubmitMissing, $"QUEUED for {waited:c} without a Batch job id"))
                    : RecoveryAction.Nothing;

            default:
                var sinceSubmit = now - (job.SubmittedAt ?? job.UpdatedAt);
                return sinceSubmit > policy.SubmissionCheckAfter
                    ? new(RecoveryActionKind.VerifySubmission, $"submitted as {job.BatchJobId} {sinceSubmit:c} ago and not started")
                    : RecoveryAction.Nothing;
        }
    }

    /// <summary>
    /// Whether a submission that has not started after <see cref="JobPolicy.SubmissionCheckAfter"/>
    /// may still start. <paramref name="sighting"/> is null when the runner does not know the id.
    /// Waiting in the runner's queue is alive; blocked there (RUNNABLE with a reason: a bad job
    /// definition, no capacity), ended, or unknown never starts.
    /// </summary>
    public static SubmissionVerdict JudgeSubmission(RunnerSighting? sighting) => sighting switch
    {
        null => new(false, "the runner does not know it", Terminate: false),
        { Status: "SUCCEEDED" or "FAILED" } => new(false, $"the runner ended it {sighting.Status} without an attempt starting: {sighting.StatusReason ?? "no reason given"}", Terminate: false),
        { Status: "RUNNABLE", StatusReason: { Length: > 0 } reason } => new(false, $"blocked RUNNABLE: {reason}", Terminate: true),
        _ => new(true, $"{sighting.Status} at the runner", Terminate: false),
    };

    /// <summary>
    /// Whether the runner ended a job because its host was terminated: AWS Batch sets the job FAILED with
    /// <c>Host EC2 (instance i-…) terminated.</c> when the instance goes away under it (a Spot reclaim, a
    /// scale-in), and the container gets no signal first, so the worker cannot say so itself.
    /// </summary>
    public static bool IsHostTermination(RunnerSighting? sighting) =>
        sighting is { Status: "FAILED", StatusReason: { } reason } && HostTerminatedReason().IsMatch(reason);

    [System.Text.RegularExpressions.GeneratedRegex(@"^Host EC2 \(instance i-[0-9a-f]+\) terminated\.?$", System.Text.RegularExpressions.RegexOptions.CultureInvariant, 1000)]
    private static partial System.Text.RegularExpressions.Regex HostTerminatedReason();

    private static RecoveryAction DueSubmission(TranscodeJob job, JobPolicy policy, RecoveryAction submit) =>
        job.NeverStartedCount >= policy.MaxAttempts
            ? new(RecoveryActionKind.EndNeverStarted, $"{job.NeverStartedCount} submissions never started (limit {policy.MaxAttempts})")
            : submit;
}
