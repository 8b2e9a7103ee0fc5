using Academy.Video.Application.Jobs;
using Academy.Video.Domain.Jobs;

namespace Academy.Video.Operations.Application;

/// <summary>The database reads of the operator checks. Read-only: nothing here locks or changes a row.</summary>
public interface IOperationsStore
{
    /// <summary>Connects and compares the schema with the migrations this build ships. Never throws for an unreachable database.</summary>
    Task<DatabaseStatus> ProbeAsync(CancellationToken cancellationToken);

    /// <summary>The most recently updated jobs, newest first.</summary>
    Task<IReadOnlyList<TranscodeJob>> ListLatestJobsAsync(int limit, CancellationToken cancellationToken);

    /// <summary>QUEUED, RUNNING and RETRY_WAIT jobs, least recently updated first (the likeliest to break a rule).</summary>
    /// <summary>Unfinished jobs with their video's status, least recently changed first.</summary>
    Task<IReadOnlyList<RecoveryCandidate>> ListUnfinishedJobsAsync(int limit, CancellationToken cancellationToken);

    /// <summary>SUCCEEDED jobs finished since <paramref name="since"/> that are their video's current job while the video is not READY (deleted videos excepted).</summary>
    Task<IReadOnlyList<(TranscodeJob Job, string VideoStatus)>> ListSucceededJobsWithUnreadyVideoAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// SUCCEEDED jobs finished since <paramref name="since"/> whose chunk plan (docs/decisions/0023-chunked-encoding.md) still has
    /// an undone chunk: the completion is the assembler's, after every chunk was recorded DONE.
    /// </summary>
    Task<IReadOnlyList<(TranscodeJob Job, int Chunk, string ChunkState)>> ListSucceededJobsWithUndoneChunksAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken);

    /// <summary>READY videos without an <c>hls_path</c> (the schema forbids them; found here if that constraint is ever lost).</summary>
    Task<IReadOnlyList<Guid>> ListReadyVideosWithoutHlsPathAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Jobs holding a runner id: every unfinished one, and finished ones updated since <paramref name="since"/>, unfinished first.</summary>
    Task<IReadOnlyList<TranscodeJob>> ListJobsWithRunnerIdAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken);

    /// <summary>The newest attempt that ended SUCCEEDED, with the runner id it ran under.</summary>
    Task<SucceededAttempt?> FindNewestSucceededAttemptAsync(CancellationToken cancellationToken);
}

/// <param name="Cause">Why the database cannot be used, in one line (host, port and the error), when <see cref="Reachable"/> is false.</param>
/// <param name="PendingMigrations">Migrations this build ships that the database has not applied (<c>NNNN_name</c>).</param>
/// <param name="ShippedMigrations">How many migrations this build ships.</param>
public sealed record DatabaseStatus(bool Reachable, string? Cause, string Target, IReadOnlyList<string> PendingMigrations, int ShippedMigrations);

public sealed record SucceededAttempt(Guid JobId, Guid VideoId, int Attempt, string? RunnerJobId, DateTimeOffset StartedAt, DateTimeOffset? EndedAt);
