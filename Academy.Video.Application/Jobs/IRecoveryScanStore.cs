using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;

namespace Academy.Video.Application.Jobs;

/// <summary>
/// Finds recovery candidates and locks them for one scanner (Postgres: FOR UPDATE SKIP LOCKED),
/// so two scanners running at once never decide about the same job. The claim is phase 1 of the
/// scan only: decide and write state changes, then commit. No runner call happens while it is open.
/// </summary>
public interface IRecoveryScanStore
{
    Task<IRecoveryClaim> ClaimCandidatesAsync(RecoveryCandidateQuery query, CancellationToken cancellationToken);
}

/// <param name="HeartbeatBefore">RUNNING jobs whose last heartbeat is older than this.</param>
/// <param name="RetryDueBy">RETRY_WAIT jobs without a Batch id whose next attempt is due by this.</param>
/// <param name="QueuedBefore">QUEUED jobs without a Batch id created before this.</param>
/// <param name="SubmittedBefore">QUEUED or RETRY_WAIT jobs with a Batch id submitted before this (the runner is asked about them).</param>
public sealed record RecoveryCandidateQuery(
    DateTimeOffset HeartbeatBefore,
    DateTimeOffset RetryDueBy,
    DateTimeOffset QueuedBefore,
    DateTimeOffset SubmittedBefore,
    int Limit);

/// <summary>A claimed job and its video's status (null when the video row is gone).</summary>
public sealed record RecoveryCandidate(TranscodeJob Job, VideoStatus? VideoStatus);

/// <summary>
/// The locked candidates. Changes made through the claim are kept only by <see cref="CommitAsync"/>;
/// disposing without committing releases the locks and discards them (the dry run).
/// </summary>
public interface IRecoveryClaim : IAsyncDisposable
{
    IReadOnlyList<RecoveryCandidate> Candidates { get; }

    /// <summary>As <see cref="ITranscodeJobStore.TryTransitionAsync"/>, inside the claim's transaction.</summary>
    Task<TranscodeJob?> TryTransitionAsync(JobTransition transition, CancellationToken cancellationToken);

    Task CommitAsync(CancellationToken cancellationToken);
}
