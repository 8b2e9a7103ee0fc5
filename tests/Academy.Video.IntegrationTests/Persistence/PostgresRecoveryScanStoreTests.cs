using Academy.Video.Application.Jobs;
using Academy.Video.Domain.Jobs;
using static Academy.Video.IntegrationTests.Persistence.PersistenceScenario;

namespace Academy.Video.IntegrationTests.Persistence;

/// <summary>Each test gets its own database: the scan sees every job in it.</summary>
public sealed class PostgresRecoveryScanStoreTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly JobPolicy Policy = JobPolicy.Default;
    private PostgresDatabase _database = null!;
    private PersistenceScenario _db = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync();
        _db = new PersistenceScenario(_database.DataSource);
    }

    public Task DisposeAsync() => _database.DisposeAsync();

    private static RecoveryCandidateQuery QueryAt(DateTimeOffset now, int limit = 100) => new(
        HeartbeatBefore: now - Policy.StuckThreshold,
        RetryDueBy: now,
        QueuedBefore: now - Policy.SubmitGracePeriod,
        SubmittedBefore: now - Policy.SubmissionCheckAfter,
        Limit: limit);

    [Fact]
    public async Task Claims_each_kind_of_candidate_and_no_healthy_job()
    {
        var now = T0.AddHours(1);
        var (_, stuck) = await _db.RunningAsync(now.AddMinutes(-10));
        var (_, healthy) = await _db.RunningAsync(now.AddMinutes(-1));
        var (_, retrying) = await _db.RunningAsync(now.AddMinutes(-30));
        retrying = await _db.ApplyAsync(retrying, retrying.Fail(JobError.Transient(JobErrorCodes.StorageError, "x"), now.AddMinutes(-20), Policy));
        var (_, notYetDue) = await _db.RunningAsync(now.AddMinutes(-2));
        notYetDue = await _db.ApplyAsync(notYetDue, notYetDue.Fail(JobError.Transient(JobErrorCodes.StorageError, "x"), now.AddSeconds(-1), Policy));
        var (_, lostSubmission) = await _db.QueueAsync(now.AddMinutes(-5));
        var (_, freshlyQueued) = await _db.QueueAsync(now.AddMinutes(-1));
        var (_, submittedLongAgo) = await _db.QueueAsync(now.AddMinutes(-40));
        await _db.SubmitAsync(submittedLongAgo, "batch-old", now.AddMinutes(-30));
        var (_, submittedRecently) = await _db.QueueAsync(now.AddMinutes(-40));
        await _db.SubmitAsync(submittedRecently, "batch-new", now.AddMinutes(-1));
        var (_, finished) = await _db.RunningAsync(now.AddMinutes(-50));
        await _db.ApplyAsync(finished, finished.Complete("videos/x/hls/master.m3u8", now.AddMinutes(-45))!);

        await using var claim = await _db.Recovery.ClaimCandidatesAsync(QueryAt(now), None);

        Assert.Equal(
            new[] { stuck.Id, retrying.Id, lostSubmission.Id, submittedLongAgo.Id }.Order(),
            claim.Jobs.Select(j => j.Id).Order());
        Assert.Equal(RecoveryActionKind.MarkStuck, RecoveryDecision.Decide(claim.Jobs.Single(j => j.Id == stuck.Id), now, Policy).Kind);
        Assert.DoesNotContain(claim.Jobs, j => j.Id == healthy.Id || j.Id == notYetDue.Id || j.Id == freshlyQueued.Id || j.Id == submittedRecently.Id);
    }

    [Fact]
    public async Task Changes_through_a_claim_are_kept_only_when_committed()
    {
        var now = T0.AddHours(1);
        var (_, stuck) = await _db.RunningAsync(now.AddMinutes(-10));

        await using (var dryRun = await _db.Recovery.ClaimCandidatesAsync(QueryAt(now), None))
        {
            Assert.True(await dryRun.TryTransitionAsync(Assert.Single(dryRun.Jobs).MarkStuck(now, Policy), None));
        }

        Assert.Equal(stuck, await _db.Jobs.FindAsync(stuck.Id, None));

        await using (var claim = await _db.Recovery.ClaimCandidatesAsync(QueryAt(now), None))
        {
            var job = Assert.Single(claim.Jobs);
            Assert.True(await claim.TryTransitionAsync(job.MarkStuck(now, Policy), None));
            await claim.CommitAsync(None);
        }

        var marked = (await _db.Jobs.FindAsync(stuck.Id, None))!;
        Assert.Equal((JobState.RetryWait, JobErrorCodes.HeartbeatTimeout), (marked.State, marked.ErrorCode));
        Assert.Equal(JobState.RetryWait, Assert.Single(await _db.Jobs.ListAttemptsAsync(stuck.Id, None)).Outcome);

        // The resubmission of the due retry goes through a claim too.
        var later = marked.NextAttemptAt!.Value;
        await using (var claim = await _db.Recovery.ClaimCandidatesAsync(QueryAt(later), None))
        {
            var job = Assert.Single(claim.Jobs);
            Assert.True(await claim.TryRecordSubmissionAsync(job.RecordSubmission("batch-2", later), None));
            await claim.CommitAsync(None);
        }

        Assert.Equal("batch-2", (await _db.Jobs.FindAsync(stuck.Id, None))!.BatchJobId);
    }

    [Fact]
    public async Task Two_claims_at_once_never_share_a_job()
    {
        var now = T0.AddHours(1);
        var stuckIds = new List<Guid>();
        for (var i = 0; i < 20; i++)
        {
            stuckIds.Add((await _db.RunningAsync(now.AddMinutes(-10).AddSeconds(i))).Job.Id);
        }

        var claims = await Task.WhenAll(
            Task.Run(() => _db.Recovery.ClaimCandidatesAsync(QueryAt(now, limit: 12), None)),
            Task.Run(() => _db.Recovery.ClaimCandidatesAsync(QueryAt(now, limit: 12), None)));
        try
        {
            var first = claims[0].Jobs.Select(j => j.Id).ToHashSet();
            var second = claims[1].Jobs.Select(j => j.Id).ToHashSet();
            Assert.Empty(first.Intersect(second));
            Assert.Equal(stuckIds.Order(), first.Union(second).Order());
        }
        finally
        {
            foreach (var claim in claims)
            {
                await claim.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_heartbeat_and_the_stuck_scan_never_both_win_the_same_attempt()
    {
        var now = T0.AddHours(1);
        var (aliveCount, stuckCount) = (0, 0);
        for (var round = 0; round < 200; round++)
        {
            var (_, job) = await _db.RunningAsync(now.AddMinutes(-4));
            using var go = new ManualResetEventSlim();

            var heartbeat = Task.Run(() =>
            {
                go.Wait();
                return _db.Jobs.HeartbeatAsync(job.Id, 1, 10, now, None);
            });
            var scan = Task.Run(async () =>
            {
                go.Wait();
                await using var claim = await _db.Recovery.ClaimCandidatesAsync(QueryAt(now), None);
                var candidate = claim.Jobs.SingleOrDefault(j => j.Id == job.Id);
                if (candidate is null || !await claim.TryTransitionAsync(candidate.MarkStuck(now, Policy), None))
                {
                    return false;
                }

                await claim.CommitAsync(None);
                return true;
            });
            go.Set();

            var alive = await heartbeat == HeartbeatResult.Alive;
            var markedStuck = await scan;

            Assert.False(alive && markedStuck, $"Round {round}: the heartbeat and the stuck scan both won attempt 1.");
            Assert.True(alive || markedStuck, $"Round {round}: neither the heartbeat nor the scan won.");
            var stored = (await _db.Jobs.FindAsync(job.Id, None))!;
            Assert.Equal(markedStuck ? JobState.RetryWait : JobState.Running, stored.State);
            (aliveCount, stuckCount) = (aliveCount + (alive ? 1 : 0), stuckCount + (markedStuck ? 1 : 0));
        }

        Assert.Equal(200, aliveCount + stuckCount);
    }

    [Fact]
    public async Task The_backlog_counts_unfinished_jobs_and_their_oldest_ages()
    {
        var now = T0.AddHours(1);
        await _db.QueueAsync(now.AddMinutes(-10));
        await _db.QueueAsync(now.AddMinutes(-3));
        await _db.RunningAsync(now.AddMinutes(-8));
        var (_, retrying) = await _db.RunningAsync(now.AddMinutes(-30));
        retrying = await _db.ApplyAsync(retrying, retrying.Fail(JobError.Transient(JobErrorCodes.StorageError, "x"), now.AddMinutes(-7), Policy));
        await _db.SubmitAsync(retrying, "batch-2", now.AddMinutes(-1));
        var (_, done) = await _db.RunningAsync(now.AddMinutes(-50));
        await _db.ApplyAsync(done, done.Complete("videos/x/hls/master.m3u8", now.AddMinutes(-45))!);

        var backlog = await _db.Jobs.GetBacklogAsync(now, None);

        Assert.Equal(
            new Dictionary<JobState, int> { [JobState.Queued] = 2, [JobState.Running] = 1, [JobState.RetryWait] = 1 },
            backlog.CountsByState);
        Assert.Equal(TimeSpan.FromMinutes(10), backlog.OldestQueuedAge);
        Assert.Equal(TimeSpan.FromMinutes(7), backlog.OldestRetryWaitAge);
        Assert.Equal(TimeSpan.FromMinutes(8), backlog.OldestRunningHeartbeatAge);
    }

    [Fact]
    public async Task An_empty_backlog_has_zero_counts_and_no_ages()
    {
        var backlog = await _db.Jobs.GetBacklogAsync(T0, None);

        Assert.All(backlog.CountsByState.Values, count => Assert.Equal(0, count));
        Assert.Equal(3, backlog.CountsByState.Count);
        Assert.Null(backlog.OldestQueuedAge);
        Assert.Null(backlog.OldestRetryWaitAge);
        Assert.Null(backlog.OldestRunningHeartbeatAge);
    }
}
