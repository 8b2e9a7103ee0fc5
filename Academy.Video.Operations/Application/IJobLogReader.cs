namespace Academy.Video.Operations.Application;

/// <summary>
/// Reads one attempt's worker log for the events operators grep (docs/contract.md §3): CloudWatch Logs in Batch
/// mode, the local runner's attempt log file locally.
/// </summary>
public interface IJobLogReader
{
    Task<JobLogFindings> FindEventsAsync(SucceededAttempt attempt, IReadOnlyCollection<string> events, CancellationToken cancellationToken);
}

/// <param name="Location">Where the log was read: a log group and stream, or a file.</param>
/// <param name="Found">The asked-for events that appear in the log.</param>
/// <param name="Problem">Why the log could not be read (missing stream or file, access denied); null when it was read.</param>
public sealed record JobLogFindings(string Location, IReadOnlySet<string> Found, string? Problem = null);
