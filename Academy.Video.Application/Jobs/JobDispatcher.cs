using Academy.Video.Application.Common;
using Academy.Video.Domain.Jobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Academy.Video.Application.Jobs;

public enum SubmissionResult
{
    Submitted,
    /// <summary>The runner failed, timed out or is cut off; the job keeps no Batch id and the recovery scan submits it later.</summary>
    RunnerFailed,
    /// <summary>The runner accepted it but the job moved on meanwhile (another submitter or a worker won): the id was not recorded.</summary>
    Superseded,
}

/// <param name="Job">The job as recorded with its new Batch id, when <see cref="Result"/> is Submitted.</param>
public sealed record SubmissionOutcome(SubmissionResult Result, TranscodeJob? Job, string Detail);

/// <summary>
/// Every call the application makes to the runner goes through here, each bounded by
/// <see cref="RecoveryOptions.RunnerCallTimeout"/> (<see cref="IRunnerCallBound"/>) even if the runner ignores
/// cancellation: a slow or dead runner costs its caller that bound, never a request thread or a background loop.
/// </summary>
public sealed class JobDispatcher(
    IJobRunner runner,
    ITranscodeJobStore jobs,
    IRunnerCallBound bound,
    IOptions<RecoveryOptions> options,
    TimeProvider time,
    ILogger<JobDispatcher> logger)
{
    private TimeSpan Bound => options.Value.RunnerCallTimeout;

    /// <summary>Submits the job and records the runner's id, fenced on the job's state, attempt and (absent) Batch id.</summary>
    public async Task<SubmissionOutcome> SubmitAsync(TranscodeJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        string runnerJobId;
        try
        {
            runnerJobId = await BoundedAsync(token => runner.SubmitAsync(job.Id, job.RunnerJobName, token), cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The job row without a Batch id is the submission intent: the recovery scan submits it later.
            var reason = ex is OperationCanceledException ? $"no answer within {Bound:c}" : ex.Message;
            logger.LogWarning(ex, "{event} job {job_id}: {reason}", JobEvents.SubmitFailed, job.Id, reason);
            return new(SubmissionResult.RunnerFailed, null, reason);
        }

        var recorded = await jobs.TryRecordSubmissionAsync(job.RecordSubmission(runnerJobId, time.GetUtcNow()), cancellationToken);
        if (recorded is null)
        {
            logger.LogWarning("{event} job {job_id}: submitted as {batch_job_id}, but the job moved on before the id was recorded; the duplicate is terminated",
                JobEvents.SubmissionSuperseded, job.Id, runnerJobId);
            await TryTerminateAsync(runnerJobId, "duplicate submission: the job had moved on", cancellationToken);
            return new(SubmissionResult.Superseded, null, $"{runnerJobId} not recorded");
        }

        logger.LogInformation("{event} job {job_id} attempt {attempt} as {batch_job_id}", JobEvents.Submitted, job.Id, job.AttemptCount + 1, runnerJobId);
        return new(SubmissionResult.Submitted, recorded, runnerJobId);
    }

    /// <summary>Best effort: a failure is logged and reported as false; the caller's state does not depend on it.</summary>
    public async Task<bool> TryTerminateAsync(string runnerJobId, string reason, CancellationToken cancellationToken)
    {
        try
        {
            await BoundedAsync(async token =>
            {
                await runner.TerminateAsync(runnerJobId, reason, token);
                return true;
            }, cancellationToken);
            return true;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Could not terminate runner job {batch_job_id} ({terminate_reason}): {reason}", runnerJobId, reason, ex.Message);
            return false;
        }
    }

    /// <summary>What the runner says about each id it knows; ids it does not know are absent. Throws when the runner cannot answer in time.</summary>
    public async Task<IReadOnlyDictionary<string, RunnerJobStatus>> DescribeAsync(IReadOnlyCollection<string> runnerJobIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runnerJobIds);
        if (runnerJobIds.Count == 0)
        {
            return new Dictionary<string, RunnerJobStatus>();
        }

        var statuses = await BoundedAsync(token => runner.DescribeAsync(runnerJobIds, token), cancellationToken);
        return statuses.GroupBy(s => s.RunnerJobId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
    }

    private Task<T> BoundedAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        bound.RunAsync(call, cancellationToken);
}
