using Academy.Video.Domain.Jobs;
using Microsoft.Extensions.Logging;

namespace Academy.Video.Application.Jobs;

public enum SubmissionResult
{
    Submitted,
    /// <summary>The runner failed; the job keeps no Batch id and the recovery scan submits it later.</summary>
    RunnerFailed,
    /// <summary>The job moved on while we submitted (another submitter or a worker won): the id was not recorded.</summary>
    Superseded,
}

/// <summary>Submits a job to the runner and records the runner's id, fenced on the job's state and attempt.</summary>
public sealed class JobDispatcher(IJobRunner runner, ITranscodeJobStore jobs, TimeProvider time, ILogger<JobDispatcher> logger)
{
    public Task<SubmissionResult> SubmitAsync(TranscodeJob job, CancellationToken cancellationToken) =>
        SubmitAsync(job, jobs.TryRecordSubmissionAsync, cancellationToken);

    /// <param name="record">Where the id is recorded: the job store, or a recovery claim's transaction.</param>
    public async Task<SubmissionResult> SubmitAsync(
        TranscodeJob job,
        Func<JobSubmission, CancellationToken, Task<bool>> record,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(record);
        string runnerJobId;
        try
        {
            runnerJobId = await runner.SubmitAsync(job.Id, job.RunnerJobName, cancellationToken);
        }
        catch (JobSubmissionException ex)
        {
            logger.LogWarning(ex, "{event} job {job_id}: {reason}", JobEvents.SubmitFailed, job.Id, ex.Message);
            return SubmissionResult.RunnerFailed;
        }

        var recorded = await record(job.RecordSubmission(runnerJobId, time.GetUtcNow()), cancellationToken);
        if (!recorded)
        {
            logger.LogWarning("{event} job {job_id}: submitted as {batch_job_id} but the job moved on; the duplicate run will exit idempotently",
                JobEvents.SubmitFailed, job.Id, runnerJobId);
            return SubmissionResult.Superseded;
        }

        logger.LogInformation("{event} job {job_id} attempt {attempt} as {batch_job_id}", JobEvents.Submitted, job.Id, job.AttemptCount + 1, runnerJobId);
        return SubmissionResult.Submitted;
    }
}
