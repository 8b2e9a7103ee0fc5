using System.Diagnostics;
using Academy.Video.Application.Common;
using Academy.Video.Application.Storage;
using Academy.Video.Application.Transcoding;
using Academy.Video.Application.Videos;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;
using Academy.Video.Domain.Videos;
using Mediator;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Academy.Video.Application.Jobs.ProcessJob;

public sealed class ProcessJobHandler(
    ITranscodeJobStore jobs,
    IVideoStore videos,
    IObjectStorage storage,
    IMediaProbe probe,
    IHlsEncoder encoder,
    HlsPublisher publisher,
    ResumeFinder resumeFinder,
    JobPolicy policy,
    IOptions<WorkerOptions> workerOptions,
    TimeProvider time,
    ILogger<ProcessJobHandler> logger) : ICommandHandler<ProcessJobCommand, ProcessJobResult>
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

    private async Task<ProcessJobResult> RunAttemptAsync(TranscodeJob job, LectureVideo video, CancellationToken stopRequested)
    {
        var attempt = job.AttemptCount;
        var clock = Stopwatch.StartNew();
        logger.LogInformation("{event} job {job_id} video {video_id} attempt {attempt} batch {batch_job_id}",
            JobEvents.ProcessStart, job.Id, job.VideoId, attempt, job.BatchJobId);

        using var attemptScope = CancellationTokenSource.CreateLinkedTokenSource(stopRequested);
        var heartbeat = new AttemptHeartbeat(jobs, time, logger, job.Id, attempt, options.HeartbeatInterval, attemptScope);
        var heartbeatLoop = heartbeat.RunAsync();
        var workDirectory = Path.Combine(options.WorkDirectory, $"{job.Id:N}-a{attempt}");
        var prefix = job.AttemptPrefix(attempt);
        // For the logs only: what failed is judged by the exception's type (AttemptFailures).
        var phase = "download";
        try
        {
            Directory.CreateDirectory(workDirectory);
            var sourcePath = Path.Combine(workDirectory, "source" + Path.GetExtension(video.SourceKey));
            await DownloadSourceAsync(video.SourceKey, sourcePath, attemptScope.Token);

            phase = "probe";
            var source = await probe.ProbeAsync(sourcePath, attemptScope.Token);
            var renditions = HlsLadder.Plan(source.DisplayWidth, source.DisplayHeight, options.EffectiveRungs);
            var outputDirectory = Path.Combine(workDirectory, "hls");
            var plan = await encoder.PlanAsync(
                new HlsEncodeRequest(sourcePath, source, renditions, outputDirectory, options.SegmentDuration) { PosterAtSeconds = video.PosterAtSeconds },
                attemptScope.Token);
            LogTopRung(job, attempt, plan.TopRung);
            var record = job.RecordEncodePlan(SourceMetadata.From(source), plan.TopRung.Code, plan.TopRung.Reason, time.GetUtcNow());
            if (!await jobs.TryRecordEncodePlanAsync(record, attemptScope.Token))
            {
                return Abandon(job, phase, "the attempt was superseded before it could encode");
            }

            var resume = await resumeFinder.FindAsync(job, plan, attemptScope.Token);
            LogPhase(job, attempt, "encode", clock, $"{source.DisplayWidth}x{source.DisplayHeight} {source.Duration:c} -> {string.Join(',', renditions.Select(r => r.Name))}");

            phase = "encode";
            await using var publication = publisher.Begin(
                new HlsPublicationTarget(prefix, attempt, plan.Fingerprint, outputDirectory, Path.Combine(workDirectory, "publish")),
                attemptScope.Token);
            if (resume is not null)
            {
                publication.Reuse(resume.Point, resume.FromPrefix);
                logger.LogInformation("{event} job {job_id} attempt {attempt} from_attempt {from_attempt} segments {segments}: the first segments of every video variant are copied from {from_prefix}",
                    JobEvents.AttemptResumed, job.Id, attempt, resume.Point.Attempt, resume.Point.SegmentCount, resume.FromPrefix);
            }

            HlsOutput output;
            try
            {
                output = await encoder.EncodeAsync(plan, resume?.Point, heartbeat, publication, publication.Token);
            }
            catch (Exception) when (publication.Failure is { } uploadFailure)
            {
                // The encoder was stopped because publishing failed: the upload's failure is the attempt's.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(uploadFailure);
                throw;
            }

            phase = "upload";
            LogPhase(job, attempt, phase, clock, $"{output.Files.Count} files written, the rest of the upload to {prefix}");
            var hlsPath = await publication.FinishAsync(output);

            phase = "complete";
            await heartbeat.StopAsync(heartbeatLoop);
            attemptScope.Token.ThrowIfCancellationRequested();
            var published = new PublishedTree(hlsPath, output.Poster is { } poster ? prefix + poster : null, output.Storyboard is { } storyboard ? prefix + storyboard : null);
            if (!await CompleteAsync(job, published))
            {
                return Abandon(job, phase, "the attempt was superseded before it could complete");
            }

            logger.LogInformation("{event} job {job_id} video {video_id} attempt {attempt} hls {hls_path} duration_ms {duration_ms}",
                JobEvents.JobCompleted, job.Id, job.VideoId, attempt, hlsPath, clock.ElapsedMilliseconds);
            return new(ProcessJobOutcome.Completed, hlsPath);
        }
        catch (OperationCanceledException) when (heartbeat.Lost)
        {
            return Abandon(job, phase, "the heartbeat found the attempt superseded");
        }
        catch (OperationCanceledException) when (stopRequested.IsCancellationRequested)
        {
            var result = await FailAsync(job, JobError.Cancelled("the container was asked to stop (SIGTERM)"), phase, clock);
            return result with { Outcome = ProcessJobOutcome.Cancelled };
        }
        catch (Exception ex)
        {
            return await FailAsync(job, AttemptFailures.Classify(ex), phase, clock, ex);
        }
        finally
        {
            await heartbeat.StopAsync(heartbeatLoop);
            TryDeleteDirectory(workDirectory);
        }
    }

    /// <summary>
    /// The fenced completion. A lost answer (the database went away after committing) is told apart
    /// from a lost race by reading the job back: SUCCEEDED at this attempt means this write won.
    /// </summary>
    private async Task<bool> CompleteAsync(TranscodeJob job, PublishedTree published)
    {
        var completion = job.Complete(published.HlsPath, time.GetUtcNow(), published.PosterKey, published.StoryboardKey)!;
        if (await jobs.TryTransitionAsync(completion, CancellationToken.None) is not null)
        {
            return true;
        }

        var current = await jobs.FindAsync(job.Id, CancellationToken.None);
        return current is { State: JobState.Succeeded } && current.AttemptCount == job.AttemptCount
            && (await videos.FindAsync(job.VideoId, CancellationToken.None))?.HlsPath == published.HlsPath;
    }

    private void LogTopRung(TranscodeJob job, int attempt, SourceCopyDecision topRung) =>
        logger.LogInformation("{event} job {job_id} attempt {attempt} top_rung {top_rung} top_rung_code {top_rung_code}: {reason}",
            JobEvents.TopRungDecided, job.Id, attempt, topRung.Copy ? "copy" : "encode", topRung.Code, topRung.Reason);

    /// <summary>What an attempt published: the master's key, and its poster and storyboard when it has them.</summary>
    private sealed record PublishedTree(string HlsPath, string? PosterKey, string? StoryboardKey);

    private async Task DownloadSourceAsync(string key, string path, CancellationToken cancellationToken)
    {
        try
        {
            await storage.DownloadToFileAsync(key, path, cancellationToken);
        }
        catch (Exception ex) when (ex is not ObjectNotFoundException && !cancellationToken.IsCancellationRequested)
        {
            throw new StorageOperationException("download", key, ex);
        }
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

    private void LogPhase(TranscodeJob job, int attempt, string phase, Stopwatch clock, string detail) =>
        logger.LogInformation("{event} job {job_id} attempt {attempt} phase {phase} elapsed_ms {duration_ms}: {detail}",
            JobEvents.Phase, job.Id, attempt, phase, clock.ElapsedMilliseconds, detail);

    private void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException ex)
        {
            logger.LogWarning(ex, "Could not remove the work directory {path}", path);
        }
    }
}
