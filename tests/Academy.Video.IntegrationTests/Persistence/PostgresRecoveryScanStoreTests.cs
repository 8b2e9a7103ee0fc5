using Academy.Video.Application.Jobs;
using Academy.Video.Domain.Jobs;
using static Academy.Video.IntegrationTests.Persistence.PersistenceScenario;

namespace Academy.Video.IntegrationTests.Persistence;

/// <summary>
/// PostgreSQL beyond the store contract: real concurrency between claims and heartbeats. Each test
/// gets its own database: the scan sees every job in it.
/// </summary>
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
            var first = claims[0].Candidates.Select(c => c.Job.Id).ToHashSet();
            var second = claims[1].Candidates.Select(c => c.Job.Id).ToHashSet();
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
                var candidate = claim.Candidates.SingleOrDefault(c => c.Job.Id == job.Id)?.Job;
                if (candidate is null || await claim.TryTransitionAsync(candidate.MarkStuck(now, Policy), None) is null)
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
