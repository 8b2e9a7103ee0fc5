using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using Dapper;
using static Academy.Video.IntegrationTests.Persistence.PersistenceScenario;

namespace Academy.Video.IntegrationTests.Persistence;

/// <summary>
/// PostgreSQL beyond the store contract: concurrent processors, and rows no product statement writes
/// any more (left by earlier versions). Each test gets its own database: a claim takes every due item in it.
/// </summary>
public sealed class PostgresStorageCleanupQueueTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private PostgresDatabase _database = null!;
    private PersistenceScenario _db = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync();
        _db = new PersistenceScenario(_database.DataSource);
    }

    public Task DisposeAsync() => _database.DisposeAsync();

    [Fact]
    public async Task Completing_a_prefix_of_a_live_video_does_not_touch_the_video()
    {
        var (video, job) = await _db.QueueAsync(T0);
        await InsertAsync(StorageKeys.HlsPrefix(video.Id, job.Id, 1), videoId: null);

        var claimed = Assert.Single(await _db.Cleanups.ClaimDueAsync(T0, 10, Lease, None));
        await _db.Cleanups.CompleteAsync(claimed, T0.AddMinutes(1), None);

        Assert.Equal(video, await _db.Videos.FindAsync(video.Id, None));
        Assert.Empty(await _db.Cleanups.ClaimDueAsync(T0.AddDays(1), 10, Lease, None));
    }

    [Fact]
    public async Task Two_processors_claiming_at_once_never_share_an_item()
    {
        for (var i = 0; i < 30; i++)
        {
            await InsertAsync($"tmp/{i}/", videoId: null);
        }

        var claims = await Task.WhenAll(Enumerable.Range(0, 4)
            .Select(_ => Task.Run(() => _db.Cleanups.ClaimDueAsync(T0, 10, Lease, None))));

        var ids = claims.SelectMany(c => c).Select(c => c.Id).ToList();
        Assert.Equal(30, ids.Count);
        Assert.Equal(30, ids.Distinct().Count());
    }

    [Fact]
    public async Task A_prefix_orphaned_twice_is_one_row()
    {
        var (video, job) = await _db.RunningAsync(T0);
        job = await _db.ApplyAsync(job, job.MarkStuck(T0.AddMinutes(4), JobPolicy.Default));
        job = await _db.SubmitAsync(job, "batch-2", T0.AddMinutes(5));
        job = await _db.ApplyAsync(job, job.Start(T0.AddMinutes(6)));

        // Completion queues attempt 1's prefix again: the release already did.
        await _db.ApplyAsync(job, job.Complete(job.AttemptPrefix(2) + "master.m3u8", T0.AddMinutes(7))!);

        await using var connection = await _db.DataSource.OpenConnectionAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>(
            "SELECT count(*) FROM storage_cleanups WHERE prefix = @Prefix", new { Prefix = StorageKeys.HlsPrefix(video.Id, job.Id, 1) }));
    }

    private async Task InsertAsync(string prefix, Guid? videoId)
    {
        await using var connection = await _db.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(
            """
            INSERT INTO storage_cleanups (id, prefix, video_id, reason, attempts, next_attempt_at, created_at)
            VALUES (gen_random_uuid(), @Prefix, @VideoId, 'left by an earlier version', 0, @At, @At)
            """,
            new { Prefix = prefix, VideoId = videoId, At = T0 });
    }
}
