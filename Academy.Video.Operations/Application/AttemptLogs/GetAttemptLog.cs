using Academy.Video.Application.Common;
using Academy.Video.Application.Jobs;

namespace Academy.Video.Operations.Application.AttemptLogs;

/// <summary>Where an operator reads the worker log of one attempt of a job (the console's job timeline links to it).</summary>
public sealed record GetAttemptLogQuery(Guid JobId, int Attempt);

/// <param name="RunnerJobId">The runner's id of the attempt: the Batch job id, or the local runner's.</param>
/// <param name="Location">Where the log is: a file, or the Batch job whose container wrote it.</param>
/// <param name="Text">The end of the log, where this API can read it (the local runner's file); null otherwise.</param>
/// <param name="ConsoleUrl">A page an operator opens to read it (the AWS console's page of the Batch job); null locally.</param>
public sealed record AttemptLogView(int Attempt, string RunnerJobId, string Location, string? Text, Uri? ConsoleUrl);

/// <summary>The runner's side: where it keeps an attempt's log, and its text where that can be read here.</summary>
public interface IAttemptLogSource
{
    /// <returns>Null when the runner kept no log for this attempt.</returns>
    Task<AttemptLog?> FindAsync(Guid jobId, string runnerJobId, CancellationToken cancellationToken);
}

public sealed record AttemptLog(string Location, string? Text, Uri? ConsoleUrl);

public sealed class GetAttemptLogHandler(ITranscodeJobStore jobs, IAttemptLogSource logs)
{
    public async ValueTask<AttemptLogView> Handle(GetAttemptLogQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        _ = await jobs.FindAsync(query.JobId, cancellationToken) ?? throw new NotFoundException("Job", query.JobId);
        var attempts = await jobs.ListAttemptsAsync(query.JobId, cancellationToken);
        var attempt = attempts.FirstOrDefault(a => a.Attempt == query.Attempt)
            ?? throw new NotFoundException("Attempt", $"{query.JobId}/{query.Attempt}");
        // An attempt without a runner id was started by no runner this API knows of, so no log can be found.
        var runnerJobId = attempt.BatchJobId ?? throw new NotFoundException("Log", $"{query.JobId}/{query.Attempt}");
        var log = await logs.FindAsync(query.JobId, runnerJobId, cancellationToken)
            ?? throw new NotFoundException("Log", $"{query.JobId}/{query.Attempt}");
        return new AttemptLogView(query.Attempt, runnerJobId, log.Location, log.Text, log.ConsoleUrl);
    }
}
