using System.Globalization;

namespace Academy.Video.Infrastructure.Runners.Local;

/// <summary>
/// Where the local runner writes each submission's output: <c>{LogDirectory}/{jobId}/{runnerJobId}.log</c>, the
/// local counterpart of a Batch job's log stream. The operator toolkit reads it for LOG_CHECK.
/// </summary>
public static class LocalRunnerLogs
{
    /// <param name="logDirectory"><see cref="LocalRunnerOptions.LogDirectory"/>; a relative path is resolved against the current directory.</param>
    public static string PathFor(string logDirectory, Guid jobId, string runnerJobId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(logDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(runnerJobId);
        return Path.Combine(JobDirectory(logDirectory, jobId), runnerJobId + ".log");
    }

    /// <summary>The folder holding every attempt log of one job.</summary>
    public static string JobDirectory(string logDirectory, Guid jobId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(logDirectory);
        return Path.Combine(Path.GetFullPath(logDirectory), jobId.ToString("D", CultureInfo.InvariantCulture));
    }
}
