using Academy.Video.Application.Jobs;
using Academy.Video.Application.Jobs.ProcessChunk;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;
using Academy.Video.Infrastructure.Persistence;
using Academy.Video.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using static Academy.Video.IntegrationTests.Persistence.PersistenceScenario;

namespace Academy.Video.IntegrationTests.Persistence;

/// <summary>
/// A chunk's submission that never starts (docs/decisions/0023-chunked-encoding.md, "Recovery"): the chunk dispatch on
/// PostgreSQL asks the runner about a SUBMITTED chunk unstarted past <c>Jobs:SubmissionCheckAfter</c> and, when the runner does
/// not know it or holds it blocked, releases it to PENDING, the lost submission counted as an attempt; one still queued is
/// left alone; a chunk whose submissions never start fails its job's attempt after <c>Jobs:MaxAttempts</c>.
/// </summary>
public sealed class ChunkSubmissionNeverStartedTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly JobPolicy Policy = JobPolicy.Default with { MaxAttempts = 2 };
    private readonly PersistenceScenario _db = new(database.DataSource);
    private readonly PostgresJobChunkStore _chunks = new(database.DataSource, NamedPipelines.Postgres);
    private readonly PostgresTranscodeJobStore _jobs = new(database.DataSource, NamedPipelines.Postgres);
    private readonly IJobRunner _runner = Substitute.For<IJobRunner>();
    private readonly IChunkRunner _chunkRunner = Substitute.For<IChunkRunner>();

    /// <summary>A running job with two chunks, chunk 1 submitted at <paramref name="submittedAt"/> as <paramref name="runnerJobId"/>.</summary>
    private async Task<TranscodeJob> SubmittedAsync(DateTimeOffset submittedAt, string runnerJobId)
    {
        var (_, job) = await _db.RunningAsync(T0);
        var ranges = ChunkPlan.Split([6, 12, 18, 24, 30, 36, 42, 48, 54], 60, TimeSpan.FromSeconds(30), 16);
        Assert.True(await _chunks.TryRecordPlanAsync(new ChunkPlanRecord(job.Id, job.AttemptCount, "plan", ranges, T0), None));
        var pending = (await _chunks.FindAsync(job.Id, 1, None))!;
        Assert.NotNull(await _chunks.TryChangeAsync(pending.RecordSubmission(runnerJobId, submittedAt), None));
        return job;
    }

    private DispatchChunksHandler Dispatch(DateTimeOffset now)
    {
        _chunkRunner.SubmitChunkAsync(Arg.Any<Guid>(), Arg.Any<int>(), Arg.Any<CancellationToken>()).Returns(_ => Task.FromResult($"batch-{Guid.NewGuid():N}"));
        return new DispatchChunksHandler(_chunks, _jobs, _chunkRunner, _runner, new Unbounded(), Policy, new FakeTimeProvider(now), NullLogger<DispatchChunksHandler>.Instance);
    }

    private void RunnerSays(string runnerJobId, string? status, string? reason = null) =>
        _runner.DescribeAsync(Arg.Any<IReadOnlyCollection<string>>(), Arg.Any<CancellationToken>()).Returns(
            status is null ? [] : [new RunnerJobStatus(runnerJobId, "chunk", status, reason, null, null, null, null)]);

    [Fact]
    public async Task A_submission_the_runner_does_not_know_is_released_counted_and_submitted_again()
    {
        var now = T0.AddHours(1);
        var job = await SubmittedAsync(now - Policy.SubmissionCheckAfter - TimeSpan.FromSeconds(1), "batch-lost");
        RunnerSays("batch-lost", status: null);

        await Dispatch(now).Handle(new DispatchChunksCommand(), None);

        var chunk = (await _chunks.FindAsync(job.Id, 1, None))!;
        // Released to PENDING with the lost submission counted, then claimed and submitted again in the same tick.
        Assert.Equal((ChunkState.Submitted, 1, JobErrorCodes.NeverStarted), (chunk.State, chunk.AttemptCount, chunk.ErrorCode));
        Assert.StartsWith("batch-", chunk.RunnerJobId, StringComparison.Ordinal);
        Assert.NotEqual("batch-lost", chunk.RunnerJobId);
        Assert.Contains("the runner does not know it", chunk.ErrorMessage, StringComparison.Ordinal);
        await _chunkRunner.Received(1).SubmitChunkAsync(job.Id, 1, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_submission_still_in_the_runner_s_queue_or_not_yet_due_is_left_alone()
    {
        var now = T0.AddHours(2);
        var queued = await SubmittedAsync(now - Policy.SubmissionCheckAfter - TimeSpan.FromMinutes(5), "batch-queued");
        RunnerSays("batch-queued", "RUNNABLE");
        await Dispatch(now).Handle(new DispatchChunksCommand(), None);
        Assert.Equal((ChunkState.Submitted, 0, "batch-queued"), Of(await _chunks.FindAsync(queued.Id, 1, None)));

        var recent = await SubmittedAsync(now - Policy.SubmissionCheckAfter + TimeSpan.FromMinutes(1), "batch-recent");
        RunnerSays("batch-recent", status: null);
        await Dispatch(now).Handle(new DispatchChunksCommand(), None);
        Assert.Equal((ChunkState.Submitted, 0, "batch-recent"), Of(await _chunks.FindAsync(recent.Id, 1, None)));
        await _runner.DidNotReceive().DescribeAsync(Arg.Is<IReadOnlyCollection<string>>(ids => ids.Contains("batch-recent")), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_blocked_submission_is_ended_at_the_runner_and_a_chunk_whose_submissions_never_start_fails_its_job_s_attempt()
    {
        var now = T0.AddHours(3);
        var job = await SubmittedAsync(now - Policy.SubmissionCheckAfter - TimeSpan.FromSeconds(1), "batch-blocked");
        RunnerSays("batch-blocked", "RUNNABLE", "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT");

        await Dispatch(now).Handle(new DispatchChunksCommand(), None);

        await _runner.Received(1).TerminateAsync("batch-blocked", Arg.Is<string>(r => r.Contains("MISCONFIGURATION", StringComparison.Ordinal)), Arg.Any<CancellationToken>());
        var chunk = (await _chunks.FindAsync(job.Id, 1, None))!;
        Assert.Equal((1, JobErrorCodes.NeverStarted), (chunk.AttemptCount, chunk.ErrorCode));

        // Its next submission is lost too: with MaxAttempts 2 the chunk has used them all, and the job's attempt fails.
        var later = now + Policy.SubmissionCheckAfter + TimeSpan.FromMinutes(1);
        RunnerSays(chunk.RunnerJobId!, status: null);
        await Dispatch(later).Handle(new DispatchChunksCommand(), None);
        chunk = (await _chunks.FindAsync(job.Id, 1, None))!;
        Assert.Equal((2, JobErrorCodes.NeverStarted), (chunk.AttemptCount, chunk.ErrorCode));
        await Dispatch(later + Policy.SubmissionCheckAfter + TimeSpan.FromMinutes(1)).Handle(new DispatchChunksCommand(), None);
        var failed = (await _jobs.FindAsync(job.Id, None))!;
        Assert.Equal((JobState.RetryWait, JobErrorCodes.ChunkFailed), (failed.State, failed.ErrorCode));
    }

    [Fact]
    public async Task A_dry_run_says_what_the_dispatch_would_do_after_asking_the_runner_and_changes_nothing()
    {
        var now = T0.AddHours(4);
        var job = await SubmittedAsync(now - Policy.SubmissionCheckAfter - TimeSpan.FromSeconds(1), "batch-dry");
        RunnerSays("batch-dry", status: null);
        var before = (await _chunks.ListAsync(job.Id, None)).Select(c => (c.State, c.AttemptCount, c.RunnerJobId)).ToList();
        // The planner's chunk 0 silent since the plan, chunk 1 submitted and lost.
        Assert.Equal([(ChunkState.Running, 1, null), (ChunkState.Submitted, 0, "batch-dry")], before);

        var dry = await Dispatch(now).Handle(new DispatchChunksCommand(DryRun: true), None);

        var mine = dry.Entries.Where(e => e.JobId == job.Id).ToList();
        Assert.Equal(
            [(0, ChunkScanEntry.Release, "would set chunk PENDING"), (1, ChunkScanEntry.Verify, "never started: the runner does not know it; would set chunk PENDING")],
            mine.Select(e => (e.Chunk, e.Action, e.Result)));
        Assert.StartsWith("No heartbeat", mine[0].Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, (await _chunks.ListAsync(job.Id, None)).Select(c => (c.State, c.AttemptCount, c.RunnerJobId)));
        await _runner.Received(1).DescribeAsync(Arg.Is<IReadOnlyCollection<string>>(ids => ids.Contains("batch-dry")), Arg.Any<CancellationToken>());
        await _chunkRunner.DidNotReceiveWithAnyArgs().SubmitChunkAsync(default, default, default);

        var done = (await Dispatch(now).Handle(new DispatchChunksCommand(), None)).Entries.Where(e => e.JobId == job.Id).ToList();

        Assert.Equal(
            [(0, ChunkScanEntry.Release, "chunk PENDING"), (1, ChunkScanEntry.Verify, "never started: the runner does not know it; chunk PENDING")],
            done.Where(e => e.Action != ChunkScanEntry.Submit).Select(e => (e.Chunk, e.Action, e.Result)));
        Assert.Equal([0, 1], done.Where(e => e.Action == ChunkScanEntry.Submit && e.Result.StartsWith("submitted batch-", StringComparison.Ordinal)).Select(e => e.Chunk));
        Assert.All(await _chunks.ListAsync(job.Id, None), c => Assert.Equal(ChunkState.Submitted, c.State));
    }

    private static (ChunkState, int, string?) Of(JobChunk? chunk) => (chunk!.State, chunk.AttemptCount, chunk.RunnerJobId);

    /// <summary>The runner call as is: the bound's own timeout is tested with the resilience pipelines.</summary>
    private sealed class Unbounded : IRunnerCallBound
    {
        public Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) => call(cancellationToken);
    }
}
