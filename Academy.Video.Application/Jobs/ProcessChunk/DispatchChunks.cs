using Academy.Video.Domain.Jobs;
using Mediator;
using Microsoft.Extensions.Logging;

namespace Academy.Video.Application.Jobs.ProcessChunk;

/// <summary>
/// Run by the API every <c>Recovery:ChunkDispatchInterval</c> (docs/decisions/0023-chunked-encoding.md): releases RUNNING
/// chunks silent past <c>Jobs:StuckThreshold</c> (or fails their job's attempt once a chunk used every attempt), then submits
/// PENDING chunks, each claimed first by one conditional statement and recorded fenced on its attempt. Returns the submissions.
/// </summary>
public sealed record DispatchChunksCommand : ICommand<int>;

public sealed class DispatchChunksHandler(
    IJobChunkStore chunks, ITranscodeJobStore jobs, IChunkRunner runner, IRunnerCallBound bound, JobPolicy policy, TimeProvider time,
    ILogger<DispatchChunksHandler> logger) : ICommandHandler<DispatchChunksCommand, int>
{
    private const int BatchSize = 20;

    public async ValueTask<int> Handle(DispatchChunksCommand command, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var silent in await chunks.ListSilentAsync(now - policy.StuckThreshold, BatchSize, cancellationToken))
        {
            await ReleaseAsync(silent, now, cancellationToken);
        }

        var submitted = 0;
        foreach (var pending in await chunks.ListPendingAsync(now, BatchSize, cancellationToken))
        {
            if (!await chunks.TryClaimSubmissionAsync(pending, now, now + policy.SubmitGracePeriod, cancellationToken))
            {
                continue;
            }

            try
            {
                var runnerJobId = await bound.RunAsync(token => runner.SubmitChunkAsync(pending.JobId, pending.Index, token), cancellationToken);
                var recorded = await chunks.TryChangeAsync(pending.RecordSubmission(runnerJobId, time.GetUtcNow()), cancellationToken);
                logger.LogInformation("{event} job {job_id} chunk {chunk} runner_job_id {runner_job_id} recorded {recorded}",
                    JobEvents.Submitted, pending.JobId, pending.Index, runnerJobId, recorded is not null);
                submitted++;
            }
            catch (Exception ex) when (ex is JobSubmissionException or TimeoutException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // The claim lapses after the grace period and a later tick submits it again.
                logger.LogError("{event} job {job_id} chunk {chunk}: {error_message}", JobEvents.SubmitFailed, pending.JobId, pending.Index, ex.Message);
            }
        }

        return submitted;
    }

    /// <summary>A silent chunk attempt is presumed dead: the chunk waits for a new submission alone, or its job's attempt fails.</summary>
    private async Task ReleaseAsync(JobChunk chunk, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var error = JobError.StuckWithoutHeartbeat(now - (chunk.LastHeartbeatAt ?? chunk.UpdatedAt));
        bool written;
        string outcome;
        if (chunk.Exhausted(policy))
        {
            var job = await jobs.FindAsync(chunk.JobId, cancellationToken);
            if (job is not { State: JobState.Running } || job.AttemptCount != chunk.JobAttempt)
            {
                return;
            }

            var failure = job.Fail(JobError.Transient(JobErrorCodes.ChunkFailed, $"Chunk {chunk.Index} failed {chunk.AttemptCount} times; the last: {error.Message}"), now, policy);
            written = await jobs.TryTransitionAsync(failure, cancellationToken) is not null;
            outcome = $"job {failure.ToState.ToWire()}";
        }
        else
        {
            written = await chunks.TryChangeAsync(chunk.Release(error, now), cancellationToken) is not null;
            outcome = "chunk PENDING";
        }

        logger.LogWarning("{event} job {job_id} chunk {chunk} chunk_attempt {chunk_attempt} action {action} recorded {recorded}: {error_message}",
            JobEvents.Recovery, chunk.JobId, chunk.Index, chunk.AttemptCount, outcome, written, error.Message);
    }
}
