using Academy.Video.Domain.Jobs;
using Mediator;
using Microsoft.Extensions.Logging;

namespace Academy.Video.Application.Jobs.ProcessChunk;

/// <summary>
/// Run by the API every <c>Recovery:ChunkDispatchInterval</c> (docs/decisions/0023-chunked-encoding.md): releases RUNNING
/// chunks silent past <c>Jobs:StuckThreshold</c>, and SUBMITTED ones unstarted past <c>Jobs:SubmissionCheckAfter</c> that the
/// runner says will never start (or fails their job's attempt once a chunk used every attempt), then submits PENDING chunks,
/// each claimed first by one conditional statement and recorded fenced on its attempt. A dry run (the operator's
/// <c>scan-stuck-jobs --dry-run</c>) decides the same, asks the runner the same, and changes nothing.
/// </summary>
public sealed record DispatchChunksCommand(bool DryRun = false) : ICommand<ChunkDispatchReport>;

public sealed record ChunkDispatchReport(bool DryRun, IReadOnlyList<ChunkScanEntry> Entries);

/// <param name="Action"><see cref="Release"/> (a silent run), <see cref="Verify"/> (a submission unstarted past the check) or <see cref="Submit"/>.</param>
/// <param name="Result">What happened ("chunk PENDING", "job RETRY_WAIT", "alive (…)", "submitted …", "submit failed: …", "lost race", …); a dry run says "would …".</param>
public sealed record ChunkScanEntry(Guid JobId, int Chunk, string State, int ChunkAttempt, string Action, string Reason, string Result)
{
    public const string Release = "ReleaseSilent";
    public const string Verify = "VerifySubmission";
    public const string Submit = "Submit";
}

public sealed class DispatchChunksHandler(
    IJobChunkStore chunks, ITranscodeJobStore jobs, IChunkRunner runner, IJobRunner jobRunner, IRunnerCallBound bound, JobPolicy policy, TimeProvider time,
    ILogger<DispatchChunksHandler> logger) : ICommandHandler<DispatchChunksCommand, ChunkDispatchReport>
{
    private const int BatchSize = 20;

    public async ValueTask<ChunkDispatchReport> Handle(DispatchChunksCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var now = time.GetUtcNow();
        var entries = new List<ChunkScanEntry>();
        foreach (var silent in await chunks.ListSilentAsync(now - policy.StuckThreshold, BatchSize, cancellationToken))
        {
            var release = silent.Release(JobError.StuckWithoutHeartbeat(now - (silent.LastHeartbeatAt ?? silent.UpdatedAt)), now);
            entries.Add(Entry(silent, ChunkScanEntry.Release, release.Error!.Message, await ReleaseAsync(silent, release, command.DryRun, now, cancellationToken)));
        }

        await ReleaseUnstartedAsync(entries, command.DryRun, now, cancellationToken);

        foreach (var pending in await chunks.ListPendingAsync(now, BatchSize, cancellationToken))
        {
            var reason = pending.ErrorCode is { } code ? $"pending after {code}" : "pending";
            entries.Add(Entry(pending, ChunkScanEntry.Submit, reason, command.DryRun ? "would submit" : await SubmitAsync(pending, now, cancellationToken)));
        }

        // A real dispatch logs each change where it is made; a dry run says what it would have done.
        if (command.DryRun)
        {
            foreach (var entry in entries)
            {
                logger.LogInformation("{event} job {job_id} chunk {chunk} {action} ({reason}): {result} [dry run]",
                    JobEvents.Recovery, entry.JobId, entry.Chunk, entry.Action, entry.Reason, entry.Result);
            }
        }

        return new ChunkDispatchReport(command.DryRun, entries);
    }

    private static ChunkScanEntry Entry(JobChunk chunk, string action, string reason, string result) =>
        new(chunk.JobId, chunk.Index, chunk.State.ToWire(), chunk.AttemptCount, action, reason, result);

    private async Task<string> SubmitAsync(JobChunk pending, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!await chunks.TryClaimSubmissionAsync(pending, now, now + policy.SubmitGracePeriod, cancellationToken))
        {
            return "submission claimed by another dispatch";
        }

        try
        {
            var runnerJobId = await bound.RunAsync(token => runner.SubmitChunkAsync(pending.JobId, pending.Index, token), cancellationToken);
            var recorded = await chunks.TryChangeAsync(pending.RecordSubmission(runnerJobId, time.GetUtcNow()), cancellationToken);
            logger.LogInformation("{event} job {job_id} chunk {chunk} runner_job_id {runner_job_id} recorded {recorded}",
                JobEvents.Submitted, pending.JobId, pending.Index, runnerJobId, recorded is not null);
            return $"submitted {runnerJobId}{(recorded is null ? " (not recorded: the chunk moved on)" : "")}";
        }
        catch (Exception ex) when (ex is JobSubmissionException or TimeoutException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // The claim lapses after the grace period and a later tick submits it again.
            logger.LogError("{event} job {job_id} chunk {chunk}: {error_message}", JobEvents.SubmitFailed, pending.JobId, pending.Index, ex.Message);
            return $"submit failed: {ex.Message}";
        }
    }

    /// <summary>
    /// A submission unstarted past <c>Jobs:SubmissionCheckAfter</c> is looked up at the runner, as the recovery scan looks up a
    /// job's (RecoveryDecision.JudgeSubmission): one it holds in its queue is left to start; one it does not know, ended, or
    /// holds blocked is released (a blocked one is ended there too), or fails its job's attempt once the chunk used every attempt.
    /// </summary>
    private async Task ReleaseUnstartedAsync(List<ChunkScanEntry> entries, bool dryRun, DateTimeOffset now, CancellationToken cancellationToken)
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
            entries.AddRange(unstarted.Select(c => Entry(c, ChunkScanEntry.Verify, $"unstarted {c.RunnerJobId}", $"runner check failed: {ex.Message}")));
            return;
        }

        var known = statuses.ToDictionary(s => s.RunnerJobId, StringComparer.Ordinal);
        foreach (var chunk in unstarted)
        {
            var sighting = known.TryGetValue(chunk.RunnerJobId!, out var status) ? new RunnerSighting(status.Status, status.StatusReason) : null;
            var verdict = RecoveryDecision.JudgeSubmission(sighting);
            var reason = $"unstarted {chunk.RunnerJobId}";
            if (verdict.Alive)
            {
                entries.Add(Entry(chunk, ChunkScanEntry.Verify, reason, $"alive ({verdict.Reason})"));
                continue;
            }

            if (verdict.Terminate && !dryRun)
            {
                await TerminateAsync(chunk, verdict.Reason, cancellationToken);
            }

            var error = new JobError(JobErrorCodes.NeverStarted, $"The chunk's submission never started: {verdict.Reason}.", JobErrorKind.Transient);
            var outcome = await ReleaseAsync(chunk, chunk.ReleaseNeverStarted(error, now), dryRun, now, cancellationToken);
            entries.Add(Entry(chunk, ChunkScanEntry.Verify, reason, $"never started: {verdict.Reason}{(verdict.Terminate ? dryRun ? ", would end it at the runner" : ", ended at the runner" : "")}; {outcome}"));
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
    private async Task<string> ReleaseAsync(JobChunk chunk, ChunkChange release, bool dryRun, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var error = release.Error!;
        bool written;
        string outcome;
        if (chunk.Exhausted(policy))
        {
            var job = await jobs.FindAsync(chunk.JobId, cancellationToken);
            if (job is not { State: JobState.Running } || job.AttemptCount != chunk.JobAttempt)
            {
                return "left: its job's attempt has moved on";
            }

            var failure = job.Fail(JobError.Transient(JobErrorCodes.ChunkFailed, $"Chunk {chunk.Index} failed {chunk.AttemptCount} times; the last: {error.Message}"), now, policy);
            outcome = $"job {failure.ToState.ToWire()} ({JobErrorCodes.ChunkFailed})";
            if (dryRun)
            {
                return "would set " + outcome;
            }

            written = await jobs.TryTransitionAsync(failure, cancellationToken) is not null;
        }
        else
        {
            outcome = "chunk PENDING";
            if (dryRun)
            {
                return "would set " + outcome;
            }

            written = await chunks.TryChangeAsync(release, cancellationToken) is not null;
        }

        logger.LogWarning("{event} job {job_id} chunk {chunk} chunk_attempt {chunk_attempt} action {action} recorded {recorded}: {error_message}",
            JobEvents.Recovery, chunk.JobId, chunk.Index, chunk.AttemptCount, outcome, written, error.Message);
        return written ? outcome : "lost race";
    }
}
