using System.Diagnostics;
using Academy.Video.Application.Common;
using Academy.Video.Application.Jobs.ProcessJob;
using Academy.Video.Application.Transcoding;
using Academy.Video.Application.Videos;
using Academy.Video.Domain.Jobs;
using Mediator;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Academy.Video.Application.Jobs.ProcessChunk;

/// <summary>A worker run of one chunk of a chunked job (docs/decisions/0023-chunked-encoding.md): <c>&lt;job-id&gt; --chunk k</c>.</summary>
public sealed record ProcessChunkCommand(Guid JobId, int Chunk) : ICommand<ProcessJobResult>;

/// <summary>
/// Claims a chunk attempt (one conditional statement: the attempt number is its fence), runs it under the chunk's heartbeat,
/// then moves the chunk as it ended — or, when this run was elected to assemble, completes the job with the existing
/// transition. A failed chunk waits for a new submission alone; one that used every attempt fails its job's attempt
/// (<c>CHUNK_FAILED</c>), a permanent error fails the job.
/// </summary>
public sealed class ProcessChunkHandler(
    ITranscodeJobStore jobs,
    IJobChunkStore chunks,
    IVideoStore videos,
    IChunkAttempt attempts,
    JobPolicy policy,
    IOptions<WorkerOptions> workerOptions,
    TimeProvider time,
    ILogger<ProcessChunkHandler> logger) : ICommandHandler<ProcessChunkCommand, ProcessJobResult>
{
    public async ValueTask<ProcessJobResult> Handle(ProcessChunkCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var job = await jobs.FindAsync(command.JobId, cancellationToken);
        if (job is null)
        {
            logger.LogError("{event} job {job_id} chunk {chunk}: no such job", JobEvents.JobNotFound, command.JobId, command.Chunk);
            return new(ProcessJobOutcome.JobNotFound, "No such job.");
        }

        var chunk = await chunks.FindAsync(job.Id, command.Chunk, cancellationToken);
        var video = await videos.FindAsync(job.VideoId, cancellationToken);
        var reason = job.State != JobState.Running ? $"The job is {job.State.ToWire()}."
            : chunk is null || chunk.JobAttempt != job.AttemptCount ? $"The job's attempt {job.AttemptCount} has no chunk {command.Chunk}."
            : chunk.State is not (ChunkState.Pending or ChunkState.Submitted) ? $"Chunk {command.Chunk} is {chunk.State.ToWire()}."
            : video is null ? "The video is gone."
            : null;
        if (reason is not null)
        {
            logger.LogWarning("{event} job {job_id} chunk {chunk}: {reason}", JobEvents.JobNotRunnable, job.Id, command.Chunk, reason);
            return new(ProcessJobOutcome.NotRunnable, reason);
        }

        var running = await chunks.TryChangeAsync(chunk!.Start(time.GetUtcNow()), cancellationToken);
        if (running is null)
        {
            const string lost = "Another worker started this chunk attempt first, or the job moved.";
            logger.LogWarning("{event} job {job_id} chunk {chunk}: {reason}", JobEvents.JobNotRunnable, job.Id, command.Chunk, lost);
            return new(ProcessJobOutcome.LostStartRace, lost);
        }

        return await RunAsync(job, video!, running, cancellationToken);
    }

    private async Task<ProcessJobResult> RunAsync(TranscodeJob job, Domain.Videos.LectureVideo video, JobChunk chunk, CancellationToken stopRequested)
    {
        var clock = Stopwatch.StartNew();
        logger.LogInformation("{event} job {job_id} video {video_id} attempt {attempt} chunk {chunk} chunk_attempt {chunk_attempt} segments {first_segment}-{end_segment}",
            JobEvents.ProcessStart, job.Id, job.VideoId, job.AttemptCount, chunk.Index, chunk.AttemptCount, chunk.Range.FirstSegment, chunk.Range.EndSegment);
        using var scope = CancellationTokenSource.CreateLinkedTokenSource(stopRequested);
        var heartbeat = new AttemptHeartbeat(
            (_, now, token) => chunks.HeartbeatAsync(job.Id, chunk.Index, chunk.JobAttempt, chunk.AttemptCount, now, token),
            time, logger, job.Id, job.AttemptCount, workerOptions.Value.HeartbeatInterval, scope);
        var loop = heartbeat.RunAsync();
        AttemptOutcome outcome;
        try
        {
            outcome = await attempts.RunAsync(job, video, new ChunkJournal(job, chunk, chunks, jobs, time, heartbeat), scope.Token);
        }
        finally
        {
            await heartbeat.StopAsync(loop);
        }

        switch (outcome)
        {
            case AttemptOutcome.Published published:
                return await CompleteAsync(job, chunk, published, clock);
            case AttemptOutcome.HandedOff:
                logger.LogInformation("{event} job {job_id} chunk {chunk} chunk_attempt {chunk_attempt} duration_ms {duration_ms}: the chunk is stored",
                    JobEvents.ChunkDone, job.Id, chunk.Index, chunk.AttemptCount, clock.ElapsedMilliseconds);
                return new(ProcessJobOutcome.ChunkHandedOff, "The chunk is stored; the job waits for its other chunks.");
            case AttemptOutcome.Superseded:
            case AttemptOutcome.Stopped when heartbeat.Lost:
                logger.LogWarning("{event} job {job_id} chunk {chunk} chunk_attempt {chunk_attempt} phase {phase}: the chunk attempt was superseded",
                    JobEvents.AttemptSuperseded, job.Id, chunk.Index, chunk.AttemptCount, outcome.Phase);
                return new(ProcessJobOutcome.Superseded, "The chunk attempt was superseded.");
            case AttemptOutcome.Stopped:
                return await FailAsync(job, chunk, JobError.Cancelled("the container was asked to stop (SIGTERM)"), outcome.Phase, null) with { Outcome = ProcessJobOutcome.Cancelled };
            case AttemptOutcome.Failed failed:
                return await FailAsync(job, chunk, failed.Error, failed.Phase, failed.Cause);
            default:
                throw new InvalidOperationException($"Unknown attempt outcome {outcome.GetType().Name}.");
        }
    }

    /// <summary>The elected assembler completes the job with the existing transition: one statement, fenced on the job's attempt.</summary>
    private async Task<ProcessJobResult> CompleteAsync(TranscodeJob job, JobChunk chunk, AttemptOutcome.Published published, Stopwatch clock)
    {
        var completion = job.Complete(published.HlsPath, time.GetUtcNow(), published.PosterKey, published.StoryboardKey, published.Chapters);
        if (completion is null || await jobs.TryTransitionAsync(completion, CancellationToken.None) is null)
        {
            logger.LogWarning("{event} job {job_id} chunk {chunk}: the job moved before it could be completed", JobEvents.AttemptSuperseded, job.Id, chunk.Index);
            return new(ProcessJobOutcome.Superseded, "The job moved before it could be completed.");
        }

        logger.LogInformation("{event} job {job_id} video {video_id} attempt {attempt} chunk {chunk} hls {hls_path} duration_ms {duration_ms}",
            JobEvents.JobCompleted, job.Id, job.VideoId, job.AttemptCount, chunk.Index, published.HlsPath, clock.ElapsedMilliseconds);
        return new(ProcessJobOutcome.Completed, published.HlsPath);
    }

    /// <summary>A permanent error fails the job; otherwise the chunk waits for another submission, or its last attempt fails the job's.</summary>
    private async Task<ProcessJobResult> FailAsync(TranscodeJob job, JobChunk chunk, JobError error, string phase, Exception? cause)
    {
        var now = time.GetUtcNow();
        string state;
        bool recorded;
        if (error.IsPermanent || chunk.Exhausted(policy))
        {
            var jobError = error.IsPermanent ? error
                : JobError.Transient(JobErrorCodes.ChunkFailed, $"Chunk {chunk.Index} failed {chunk.AttemptCount} times; the last: {error.Code}: {error.Message}");
            var failure = job.Fail(jobError, now, policy);
            recorded = await jobs.TryTransitionAsync(failure, CancellationToken.None) is not null;
            state = $"job {failure.ToState.ToWire()}";
        }
        else
        {
            recorded = await chunks.TryChangeAsync(chunk.Release(error, now), CancellationToken.None) is not null;
            state = "chunk PENDING";
        }

        logger.LogError(cause, "{event} job {job_id} chunk {chunk} chunk_attempt {chunk_attempt} phase {phase} error {error_code} state {state} recorded {recorded}: {error_message}",
            JobEvents.ChunkFailed, job.Id, chunk.Index, chunk.AttemptCount, phase, error.Code, state, recorded, error.Message);
        return new(ProcessJobOutcome.Failed, $"{error.Code}: {error.Message}");
    }
}
