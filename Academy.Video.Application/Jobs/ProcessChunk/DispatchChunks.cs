using Academy.Video.Domain.Jobs;
using Mediator;
using Microsoft.Extensions.Logging;

namespace Academy.Video.Application.Jobs.ProcessChunk;

/// <summary>
/// Run by the API every <c>Recovery:ChunkDispatchInterval</c> (docs/decisions/0023-chunked-encoding.md): releases RUNNING
/// chunks silent past <c>Jobs:StuckThreshold</c>, and SUBMITTED ones unstarted past <c>Jobs:SubmissionCheckAfter</c> that the
/// runner says will never start (or fails their job's attempt once a chunk used every attempt), then submits PENDING chunks,
/// each claimed first by one conditional statement and recorded fenced on its attempt. Returns the submissions.
/// </summary>
public sealed record DispatchChunksCommand : ICommand<int>;

public sealed class DispatchChunksHandler(
    IJobChunkStore chunks, ITranscodeJobStore jobs, IChunkRunner runner, IJobRunner jobRunner, IRunnerCallBound bound, JobPolicy policy, TimeProvider time,
    ILogger<DispatchChunksHandler> logger) : ICommandHandler<DispatchChunksCommand, int>
{
    private const int BatchSize = 20;

    public async ValueTask<int> Handle(DispatchChunksCommand command, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var silent in await chunks.ListSilentAsync(now - policy.StuckThreshold, BatchSize, cancellationToken))
        {
            await ReleaseAsync(silent, silent.Release(JobError.StuckWithoutHeartbeat(now - (silent.LastHeartbeatAt ?? silent.UpdatedAt)), now), now, cancellationToken);
        }

        await ReleaseUnstartedAsync(now, cancellationToken);

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

    /// <summary>
    /// A submission unstarted past <c>Jobs:SubmissionCheckAfter</c> is looked up at the runner, as the recovery scan looks up a
    /// job's (RecoveryDecision.JudgeSubmission): one it holds in its queue is left to start; one it does not know, ended, or
    /// holds blocked is released (a blocked one is ended there too), or fails its job's attempt once the chunk used every attempt.
    /// </summary>
    private async Task ReleaseUnstartedAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var unstarted = await chunks.ListUnstartedAsync(now - policy.SubmissionCheckAfter, BatchSize, cancellationToken);
        if (unstarted.Count == 0)
        {
            return;
        }

        IReadOnlyList<RunnerJobStatus> statuses;
        try
        {
            statuses = await bound.RunAsync(token => jobRunner.DescribeAsync(unstarted.Select(c => c.RunnerJobId!).ToList(), token), cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("{event} the runner could not describe {count} chunk submission(s); they wait for the next tick: {error_message}", JobEvents.Recovery, unstarted.Count, ex.Message);
            return;
        }

        var known = statuses.ToDictionary(s => s.RunnerJobId, StringComparer.Ordinal);
        foreach (var chunk in unstarted)
        {
            var sighting = known.TryGetValue(chunk.RunnerJobId!, out var status) ? new RunnerSighting(status.Status, status.StatusReason) : null;
            var verdict = RecoveryDecision.JudgeSubmission(sighting);
            if (verdict.Alive)
            {
                continue;
            }

            if (verdict.Terminate)
            {
                await TerminateAsync(chunk, verdict.Reason, cancellationToken);
            }

            var error = new JobError(JobErrorCodes.NeverStarted, $"The chunk's submission never started: {verdict.Reason}.", JobErrorKind.Transient);
            await ReleaseAsync(chunk, chunk.ReleaseNeverStarted(error, now), now, cancellationToken);
        }
    }

    private async Task TerminateAsync(JobChunk chunk, string reason, CancellationToken cancellationToken)
    {
        try
        {
            await bound.RunAsync(
                async token =>
                {
                    await jobRunner.TerminateAsync(chunk.RunnerJobId!, $"never started: {reason}", token);
                    return true;
                },
                cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The release goes ahead: a late start of the old submission finds the chunk claimed by its new one, or done.
            logger.LogWarning("{event} job {job_id} chunk {chunk}: ending its blocked submission failed: {error_message}", JobEvents.Recovery, chunk.JobId, chunk.Index, ex.Message);
        }
    }

    /// <summary>
    /// A silent chunk attempt is presumed dead, and a submission that never started is lost: the chunk waits for a new
    /// submission alone (<paramref name="release"/>, with its error), or its job's attempt fails once the chunk used every attempt.
    /// </summary>
    private async Task ReleaseAsync(JobChunk chunk, ChunkChange release, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var error = release.Error!;
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
            written = await chunks.TryChangeAsync(release, cancellationToken) is not null;
            outcome = "chunk PENDING";
        }

        logger.LogWarning("{event} job {job_id} chunk {chunk} chunk_attempt {chunk_attempt} action {action} recorded {recorded}: {error_message}",
            JobEvents.Recovery, chunk.JobId, chunk.Index, chunk.AttemptCount, outcome, written, error.Message);
    }
}
