namespace Academy.Video.Application.Jobs;

/// <summary>
/// Runs one worker container per job: AWS Batch in production, a local child process by default.
/// The runner never retries on its own; the database decides (docs/contract.md §1).
/// </summary>
public interface IJobRunner
{
    /// <summary>Submits the worker for <paramref name="jobId"/>; returns the runner's id for the submission.</summary>
    Task<string> SubmitAsync(Guid jobId, string jobName, CancellationToken cancellationToken);

    Task TerminateAsync(string runnerJobId, string reason, CancellationToken cancellationToken);

    Task<IReadOnlyList<RunnerJobStatus>> DescribeAsync(IReadOnlyCollection<string> runnerJobIds, CancellationToken cancellationToken);
}

/// <param name="Status">The runner's own word: SUBMITTED, PENDING, RUNNABLE, STARTING, RUNNING, SUCCEEDED, FAILED.</param>
public sealed record RunnerJobStatus(
    string RunnerJobId,
    string JobName,
    string Status,
    string? StatusReason,
    DateTimeOffset? StartedAt,
    DateTimeOffset? StoppedAt,
    int? ExitCode,
    string? LogStreamName);

/// <summary>The runner refused or could not be reached: the job keeps no Batch id (QUEUED or RETRY_WAIT) and the scan submits it again.</summary>
public sealed class JobSubmissionException(string message, Exception? inner = null) : Exception(message, inner);
