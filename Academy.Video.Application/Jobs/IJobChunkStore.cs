using Academy.Video.Domain.Jobs;

namespace Academy.Video.Application.Jobs;

/// <summary>
/// The chunks of chunked jobs (docs/decisions/0023-chunked-encoding.md), in the database beside their job. Every change is one
/// conditional statement fenced on the chunk's attempt and on its job RUNNING at the attempt that planned it; it returns the
/// row it wrote, or nothing when another writer won.
/// </summary>
public interface IJobChunkStore
{
    /// <summary>
    /// Records the job attempt's plan: every earlier plan of the job removed, one row per range, chunk 0 RUNNING at its attempt 1
    /// (the planner encodes it), the others PENDING, the job's assembler cleared — only while the job is RUNNING at the
    /// record's attempt. Returns false when the attempt was superseded (nothing written).
    /// </summary>
    Task<bool> TryRecordPlanAsync(ChunkPlanRecord record, CancellationToken cancellationToken);

    /// <summary>The job's chunks (of its latest plan), in order.</summary>
    Task<IReadOnlyList<JobChunk>> ListAsync(Guid jobId, CancellationToken cancellationToken);

    Task<JobChunk?> FindAsync(Guid jobId, int index, CancellationToken cancellationToken);

    /// <summary>Applies <paramref name="change"/> if the chunk is still in (FromState, FromAttempt) and its job RUNNING at the chunk's job attempt.</summary>
    Task<JobChunk?> TryChangeAsync(ChunkChange change, CancellationToken cancellationToken);

    /// <summary>
    /// Records what the running chunk attempt has uploaded so far (decision 0026), replacing its last record, fenced like a
    /// heartbeat on (RUNNING, attempt) and the job RUNNING at the chunk's job attempt. False when the attempt no longer holds it.
    /// </summary>
    Task<bool> TryRecordUploadedAsync(ChunkUploadRecord record, CancellationToken cancellationToken);

    /// <summary>
    /// The chunk attempt's heartbeat, and its job's (a job is alive while one of its chunks is), in one statement fenced
    /// like a change: RUNNING, or DONE by this attempt, whose worker may still be assembling the tree;
    /// <see cref="HeartbeatResult.Lost"/> when the attempt no longer holds the chunk or the job moved on.
    /// </summary>
    Task<HeartbeatResult> HeartbeatAsync(Guid jobId, int index, int jobAttempt, int attempt, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// The compare-and-set that elects who writes the playlists and completes the job: it sets the job's assembler to
    /// <paramref name="assembler"/> where none is set, the job is RUNNING at <paramref name="jobAttempt"/> and every chunk of
    /// its plan is DONE. Exactly one caller wins once every chunk is done (decision 0023).
    /// </summary>
    Task<bool> TryElectAssemblerAsync(Guid jobId, int jobAttempt, string assembler, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>PENDING chunks of RUNNING jobs (at the plan's attempt) with no live submission claim, oldest first.</summary>
    Task<IReadOnlyList<JobChunk>> ListPendingAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>RUNNING chunks of RUNNING jobs (at the plan's attempt) whose last heartbeat is before <paramref name="silentSince"/>.</summary>
    Task<IReadOnlyList<JobChunk>> ListSilentAsync(DateTimeOffset silentSince, int limit, CancellationToken cancellationToken);

    /// <summary>SUBMITTED chunks of RUNNING jobs (at the plan's attempt) submitted before <paramref name="submittedBefore"/> and never started.</summary>
    Task<IReadOnlyList<JobChunk>> ListUnstartedAsync(DateTimeOffset submittedBefore, int limit, CancellationToken cancellationToken);

    /// <summary>Claims the right to submit the chunk until <paramref name="until"/>: still PENDING at its attempt, no runner id, no live claim.</summary>
    Task<bool> TryClaimSubmissionAsync(JobChunk chunk, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken);
}
