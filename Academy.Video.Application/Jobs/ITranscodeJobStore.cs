using Academy.Video.Domain.Jobs;

namespace Academy.Video.Application.Jobs;

/// <summary>
/// Transcode jobs in the database, the single source of truth for job state. Every change is a
/// compare-and-set that returns the row it wrote, or null when another writer won.
/// </summary>
public interface ITranscodeJobStore
{
    Task<TranscodeJob?> FindAsync(Guid jobId, CancellationToken cancellationToken);

    /// <summary>
    /// Applies the transition in one statement if the job is still in (FromState, FromAttempt) and
    /// carries <see cref="JobTransition.FenceBatchJobId"/> when that is set: the job row, the attempt
    /// history row it opens or closes, its <see cref="JobTransition.Video"/> effect where the effect's
    /// guard holds, and a cleanup row per orphaned prefix. Returns the job row as written.
    /// </summary>
    Task<TranscodeJob?> TryTransitionAsync(JobTransition transition, CancellationToken cancellationToken);

    /// <summary>Stores the runner's job id if the job is still as <paramref name="submission"/> expects; returns the row as written.</summary>
    Task<TranscodeJob?> TryRecordSubmissionAsync(JobSubmission submission, CancellationToken cancellationToken);

    /// <summary>
    /// Claims the right to submit <paramref name="job"/> until <paramref name="until"/>, if it is still in the state and
    /// attempt seen, without a Batch id, and no other claim on it is running: one conditional statement. The recovery
    /// scan submits only what it claimed, so two scanners (replicas, or the operator's scan) never submit one job twice.
    /// </summary>
    Task<bool> TryClaimSubmissionAsync(TranscodeJob job, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>Ends the claim made until <paramref name="until"/> (the runner refused: the next scan may submit at once); a later claim is left alone.</summary>
    Task ReleaseSubmissionClaimAsync(Guid jobId, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>
    /// Fenced heartbeat: only the RUNNING attempt <paramref name="attempt"/> of a video that is not
    /// being deleted may beat; any other gets <see cref="HeartbeatResult.Lost"/>.
    /// </summary>
    Task<HeartbeatResult> HeartbeatAsync(Guid jobId, int attempt, int progressPercent, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Stores what the running attempt planned (<see cref="TranscodeJob.RecordEncodePlan"/>) in one statement: the top rung
    /// decision on the job and the source's metadata on its video, only while the job is RUNNING at the record's attempt.
    /// Returns false when the attempt was superseded (nothing written).
    /// </summary>
    Task<bool> TryRecordEncodePlanAsync(EncodePlanRecord record, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the record's video playable at its attempt's master (<see cref="TranscodeJob.MarkPlayable"/>) in one
    /// statement, with its <c>video.playable</c> event: only while the job is RUNNING at the record's attempt and the video
    /// is PROCESSING under this job (decision 0018).
    /// </summary>
    Task<PlayableResult> TryMarkPlayableAsync(PlayableRecord record, CancellationToken cancellationToken);

    /// <summary>The attempt timeline, oldest first.</summary>
    Task<IReadOnlyList<JobAttempt>> ListAttemptsAsync(Guid jobId, CancellationToken cancellationToken);

    /// <summary>Every job the video has had (a retry adds one), newest first, each with its attempt timeline oldest first.</summary>
    Task<IReadOnlyList<JobHistory>> ListJobsOfVideoAsync(Guid videoId, CancellationToken cancellationToken);

    /// <summary>Counts of the unfinished states (QUEUED, RUNNING, RETRY_WAIT), each always present, and the oldest waits.</summary>
    Task<JobBacklog> GetBacklogAsync(DateTimeOffset now, CancellationToken cancellationToken);
}

public enum PlayableResult
{
    /// <summary>The video is playable at the record's master from now on; its event is written.</summary>
    Marked,

    /// <summary>The attempt holds the job, but the video was not changed (already playable there, or no longer PROCESSING).</summary>
    Unchanged,

    /// <summary>The attempt no longer holds the job: nothing written.</summary>
    Superseded,
}

public enum HeartbeatResult
{
    Alive,
    /// <summary>The attempt was superseded (scan marked it stuck, a newer attempt started, the video was deleted): stop at once.</summary>
    Lost,
}

/// <summary>One row of the attempt history operators read as a timeline.</summary>
public sealed record JobAttempt(
    Guid JobId,
    int Attempt,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    JobState? Outcome,
    string? ErrorCode,
    string? ErrorMessage,
    string? BatchJobId);

/// <summary>One job of a video with its attempts, as the job history lists it.</summary>
public sealed record JobHistory(TranscodeJob Job, IReadOnlyList<JobAttempt> Attempts);

public sealed record JobBacklog(
    IReadOnlyDictionary<JobState, int> CountsByState,
    TimeSpan? OldestQueuedAge,
    TimeSpan? OldestRetryWaitAge,
    TimeSpan? OldestRunningHeartbeatAge);
