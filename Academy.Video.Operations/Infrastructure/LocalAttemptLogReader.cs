using Academy.Video.Infrastructure.Aws;
using Academy.Video.Infrastructure.Runners.Local;
using Academy.Video.Operations.Application;
using Academy.Video.Operations.Aws;
using Microsoft.Extensions.Options;

namespace Academy.Video.Operations.Infrastructure;

/// <summary>
/// Reads a local attempt's worker log: the local runner writes each submission's output to
/// <c>{Runner:Local:LogDirectory}/{jobId}/{runnerJobId}.log</c>. Without a runner id the job's newest log is read.
/// </summary>
public sealed class LocalAttemptLogReader(IOptions<LocalRunnerOptions> options) : IJobLogReader
{
    public async Task<JobLogFindings> FindEventsAsync(SucceededAttempt attempt, IReadOnlyCollection<string> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(events);
        var jobDirectory = LocalRunnerLogs.JobDirectory(options.Value.LogDirectory, attempt.JobId);
        var path = attempt.RunnerJobId is { } runnerJobId
            ? LocalRunnerLogs.PathFor(options.Value.LogDirectory, attempt.JobId, runnerJobId)
            : Directory.Exists(jobDirectory)
                ? new DirectoryInfo(jobDirectory).GetFiles("*.log").MaxBy(f => f.LastWriteTimeUtc)?.FullName ?? Path.Combine(jobDirectory, "*.log")
                : Path.Combine(jobDirectory, "*.log");
        if (!File.Exists(path))
        {
            return new JobLogFindings(path, new HashSet<string>(), "no such file");
        }

        var found = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var line in File.ReadLinesAsync(path, cancellationToken))
        {
            if (CloudWatchJobLogReader.EventOf(line) is { } name && events.Contains(name))
            {
                found.Add(name);
            }
        }

        return new JobLogFindings(path, found);
    }
}
