using System.Diagnostics;
using Academy.Video.Application.Common;
using Academy.Video.Application.Transcoding;
using Academy.Video.Application.Videos;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using Mediator;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Academy.Video.Application.Jobs.ProcessJob;

public sealed class ProcessJobHandler(
    ITranscodeJobStore jobs,
    IVideoStore videos,
    ITranscodeAttempt attempts,
    JobPolicy policy,
    IOptions<WorkerOptions> workerOptions,
    TimeProvider time,
    ILogger<ProcessJobHandler> logger,
    IJobChunkStore? chunks = null) : ICommandHandler<ProcessJobCommand, ProcessJobResult>
{
    private readonly WorkerOptions options = workerOptions.Value;

    public async ValueTask<ProcessJobResult> Handle(ProcessJobCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var job = await jobs.FindAsync(command.JobId, cancellationToken);
        var video = job is null ? null : await videos.FindAsync(job.VideoId, cancellationToken);
        var start = WorkerStartDecision.Decide(job, video);

        switch (start.Outcome)
        {
            case WorkerStartOutcome.JobNotFound:
                logger.LogError("{event} job {job_id}: {reason}", JobEvents.JobNotFound, command.JobId, start.Reason);
                return new(ProcessJobOutcome.JobNotFound, start.Reason);
            case WorkerStartOutcome.IdempotentDone:
                logger.LogInformation("{event} job {job_id} video {video_id}: {reason}", JobEvents.IdempotentDone, job!.Id, job.VideoId, start.Reason);
                return new(ProcessJobOutcome.IdempotentDone, start.Reason);
            case WorkerStartOutcome.IdempotentReady:
                return await CompleteAlreadyPublishedAsync(job!, video!.HlsPath!, start.Reason, cancellationToken);
            case WorkerStartOutcome.NotRunnable:
                logger.LogWarning("{event} job {job_id} video {video_id}: {reason}", JobEvents.JobNotRunnable, job!.Id, job.VideoId, start.Reason);
                return new(ProcessJobOutcome.NotRunnable, start.Reason);
            case WorkerStartOutcome.EndForDeletedVideo:
                return await EndForDeletedVideoAsync(job!, start.Reason, cancellationToken);
        }

        var running = await jobs.TryTransitionAsync(job!.Start(time.GetUtcNow()), cancellationToken);
        if (running is null)
        {
            const string reason = "Another worker started this attempt first.";
            logger.LogWarning("{event} job {job_id} video {video_id}: {reason}", JobEvents.JobNotRunnable, job.Id, job.VideoId, reason);
            return new(ProcessJobOutcome.LostStartRace, reason);
        }

        return await RunAttemptAsync(running, video!, cancellationToken);
    }

    private async Task<ProcessJobResult> CompleteAlreadyPublishedAsync(TranscodeJob job, string hlsPath, string reason, CancellationToken cancellationToken)
    {
        var completion = job.CompleteAlreadyPublished(hlsPath, time.GetUtcNow());
        if (completion is not null && await jobs.TryTransitionAsync(completion, cancellationToken) is null)
        {
            var current = await jobs.FindAsync(job.Id, cancellationToken);
            if (current?.State != JobState.Succeeded)
            {
                // Someone moved the job meanwhile; the next run decides again from the new state.
                logger.LogWarning("{event} job {job_id}: video READY but the job moved to {state}", JobEvents.JobNotRunnable, job.Id, current?.State.ToWire());
                return new(ProcessJobOutcome.NotRunnable, "The job moved while being completed.");
            }
        }

        logger.LogInformation("{event} job {job_id} video {video_id}: {reason}", JobEvents.IdempotentReady, job.Id, job.VideoId, reason);
        return new(ProcessJobOutcome.IdempotentReady, reason);
    }

    /// <summary>A job that waits to start while its video is deleted ends here, so no scan ever submits it again.</summary>
    private async Task<ProcessJobResult> EndForDeletedVideoAsync(TranscodeJob job, string reason, CancellationToken cancellationToken)
    {
        var ended = await jobs.TryTransitionAsync(job.CancelForDeletion(time.GetUtcNow())!, cancellationToken);
        var detail = ended is null ? $"{reason} The job moved meanwhile; it was left as it is." : $"{reason} The job ended FAILED ({JobErrorCodes.VideoDeleted}).";
        logger.LogWarning("{event} job {job_id} video {video_id}: {reason}", JobEvents.JobNotRunnable, job.Id, job.VideoId, detail);
        return new(ProcessJobOutcome.VideoDeleted, detail);
    }

    /// <summary>
    /// Runs the attempt under a heartbeat, then moves the job as the attempt ended: SUCCEEDED, or FAILED / DEAD /
    /// RETRY_WAIT, or left alone when the attempt was taken away meanwhile.
    /// </summary>
    private async Task<ProcessJobResult> RunAttemptAsync(TranscodeJob job, LectureVideo video, CancellationToken stopRequested)
    {
        var clock = Stopwatch.StartNew();
        logger.LogInformation("{event} job {job_id} video {video_id} attempt {attempt} batch {batch_job_id}",
            JobEvents.ProcessStart, job.Id, job.VideoId, job.AttemptCount, job.BatchJobId);

        using var attemptScope = CancellationTokenSource.CreateLinkedTokenSource(stopRequested);
        var heartbeat = new AttemptHeartbeat(jobs, time, logger, job.Id, job.AttemptCount, options.HeartbeatInterval, attemptScope);
        var heartbeatLoop = heartbeat.RunAsync();
        AttemptOutcome outcome;
        try
        {
            outcome = await attempts.RunAsync(job, video, new AttemptJournal(job, jobs, time, heartbeat, chunks), attemptScope.Token);
        }
        finally
        {
            await heartbeat.StopAsync(heartbeatLoop);
        }

        if (outcome is AttemptOutcome.Published && attemptScope.IsCancellationRequested)
        {
            outcome = new AttemptOutcome.Stopped(outcome.Phase);
        }

        return outcome switch
        {
            AttemptOutcome.Published published => await CompleteAsync(job, published, clock),
            AttemptOutcome.HandedOff handedOff => HandOff(job, handedOff.Phase, clock),
            AttemptOutcome.Superseded superseded => Abandon(job, superseded.Phase, superseded.Reason),
            AttemptOutcome.Stopped when heartbeat.Lost => Abandon(job, outcome.Phase, "the heartbeat found the attempt superseded"),
            AttemptOutcome.Stopped => await FailAsync(job, JobError.Cancelled("the container was asked to stop (SIGTERM)"), outcome.Phase, clock) with { Outcome = ProcessJobOutcome.Cancelled },
            AttemptOutcome.Failed failed => await FailAsync(job, failed.Error, failed.Phase, clock, failed.Cause),
            _ => throw new InvalidOperationException($"Unknown attempt outcome {outcome.GetType().Name}."),
        };
    }

    private async Task<ProcessJobResult> CompleteAsync(TranscodeJob job, AttemptOutcome.Published published, Stopwatch clock)
    {
        bool completed;
        try
        {
            completed = await TryCompleteAsync(job, published);
        }
        catch (Exception ex)
        {
            return await FailAsync(job, AttemptFailures.Classify(ex), published.Phase, clock, ex);
        }

        if (!completed)
        {
            return Abandon(job, published.Phase, "the attempt was superseded before it could complete");
        }

        logger.LogInformation("{event} job {job_id} video {video_id} attempt {attempt} hls {hls_path} duration_ms {duration_ms}",
            JobEvents.JobCompleted, job.Id, job.VideoId, job.AttemptCount, published.HlsPath, clock.ElapsedMilliseconds);
        return new(ProcessJobOutcome.Completed, published.HlsPath);
    }

    /// <summary>
    /// The fenced completion. A lost answer (the database went away after committing) is told apart
    /// from a lost race by reading the job back: SUCCEEDED at this attempt means this write won.
    /// </summary>
    private async Task<bool> TryCompleteAsync(TranscodeJob job, AttemptOutcome.Published published)
    {
        var completion = job.Complete(published.HlsPath, time.GetUtcNow(), published.PosterKey, published.StoryboardKey, published.Chapters)!;
        if (await jobs.TryTransitionAsync(completion, CancellationToken.None) is not null)
        {
            return true;
        }

        var current = await jobs.FindAsync(job.Id, CancellationToken.None);
        return current is { State: JobState.Succeeded } && current.AttemptCount == job.AttemptCount
            && (await videos.FindAsync(job.VideoId, CancellationToken.None))?.HlsPath == published.HlsPath;
    }

    /// <summary>
    /// Ends the attempt as the error says: FAILED, DEAD or RETRY_WAIT. The transition queues the
    /// attempt's prefix for cleanup in the same statement.
    /// </summary>
    private async Task<ProcessJobResult> FailAsync(TranscodeJob job, JobError error, string phase, Stopwatch clock, Exception? cause = null)
    {
        var failure = job.Fail(error, time.GetUtcNow(), policy);
        var written = await jobs.TryTransitionAsync(failure, CancellationToken.None);
        logger.LogError(cause, "{event} job {job_id} video {video_id} attempt {attempt} phase {phase} error {error_code} state {state} recorded {recorded} duration_ms {duration_ms}: {error_message}",
            JobEvents.JobFailed, job.Id, job.VideoId, job.AttemptCount, phase, error.Code,
            failure.ToState.ToWire(), written is not null, clock.ElapsedMilliseconds, error.Message);
        return new(ProcessJobOutcome.Failed, $"{error.Code}: {error.Message}");
    }

    /// <summary>The attempt stored its chunk of a chunked job (decision 0023): the job stays RUNNING for the other chunks' runs.</summary>
    private ProcessJobResult HandOff(TranscodeJob job, string phase, Stopwatch clock)
    {
        logger.LogInformation("{event} job {job_id} video {video_id} attempt {attempt} chunk {chunk} phase {phase} duration_ms {duration_ms}: the chunk is stored; the job waits for its other chunks",
            JobEvents.ChunkDone, job.Id, job.VideoId, job.AttemptCount, 0, phase, clock.ElapsedMilliseconds);
        return new(ProcessJobOutcome.ChunkHandedOff, "The attempt's chunk is stored; the job waits for its other chunks.");
    }

    /// <summary>
    /// A superseded attempt leaves state alone. Whatever it uploaded was queued for cleanup by the
    /// transition that took the attempt away (stuck release, deletion).
    /// </summary>
    private ProcessJobResult Abandon(TranscodeJob job, string phase, string reason)
    {
        logger.LogWarning("{event} job {job_id} video {video_id} attempt {attempt} phase {phase}: {reason}",
            JobEvents.AttemptSuperseded, job.Id, job.VideoId, job.AttemptCount, phase, reason);
        return new(ProcessJobOutcome.Superseded, reason);
    }
}
