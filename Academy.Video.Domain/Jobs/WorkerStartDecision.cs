using Academy.Video.Domain.Videos;

namespace Academy.Video.Domain.Jobs;

public enum WorkerStartOutcome
{
    /// <summary>No such job: log JOB_NOT_FOUND and exit.</summary>
    JobNotFound,
    /// <summary>The job already SUCCEEDED: log IDEMPOTENT_DONE, exit 0.</summary>
    IdempotentDone,
    /// <summary>The video is READY with an HLS path: complete the job, log IDEMPOTENT_READY, exit 0.</summary>
    IdempotentReady,
    /// <summary>The job cannot run now (DEAD, FAILED, another attempt RUNNING): exit 0, change nothing.</summary>
    NotRunnable,
    /// <summary>The job waits to start but its video is being deleted: end the job FAILED (VIDEO_DELETED), exit 0.</summary>
    EndForDeletedVideo,
    /// <summary>Start an attempt.</summary>
    Process,
}

public sealed record WorkerStart(WorkerStartOutcome Outcome, string Reason);

/// <summary>The worker's idempotency guards, in the order of docs/contract.md §3.</summary>
public static class WorkerStartDecision
{
    public static WorkerStart Decide(TranscodeJob? job, LectureVideo? video)
    {
        if (job is null)
        {
            return new(WorkerStartOutcome.JobNotFound, "No job with that id.");
        }

        if (job.State == JobState.Succeeded)
        {
            return new(WorkerStartOutcome.IdempotentDone, "The job already succeeded.");
        }

        if (video is { Status: VideoStatus.Ready, HlsPath: not null })
        {
            return new(WorkerStartOutcome.IdempotentReady, $"The video is already READY at {video.HlsPath}.");
        }

        if (job.State is JobState.Dead or JobState.Failed)
        {
            return new(WorkerStartOutcome.NotRunnable, $"The job is {job.State.ToWire()}; a new job is needed to retry.");
        }

        if (job.State == JobState.Running)
        {
            return new(WorkerStartOutcome.NotRunnable, $"Attempt {job.AttemptCount} is already RUNNING.");
        }

        if (video is null || video.Status is VideoStatus.Deleting or VideoStatus.Deleted)
        {
            return new(WorkerStartOutcome.EndForDeletedVideo, $"The video is {video?.Status.ToWire() ?? "gone"}; the job ends without an attempt.");
        }

        return new(WorkerStartOutcome.Process, $"Starting attempt {job.AttemptCount + 1}.");
    }
}
