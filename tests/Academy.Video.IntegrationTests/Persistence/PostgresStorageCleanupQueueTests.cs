using Academy.Video.Application.Storage;
using Academy.Video.Domain.Videos;
using static Academy.Video.IntegrationTests.Persistence.PersistenceScenario;

namespace Academy.Video.IntegrationTests.Persistence;

/// <summary>Each test gets its own database: a claim takes every due item in it.</summary>
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
    public async Task A_claimed_item_is_leased_then_due_again_until_completed_which_marks_the_video_deleted()
    {
        var video = await _db.AddVideoAsync(T0);
        var cleanup = new StorageCleanup(Guid.NewGuid(), StorageKeys.VideoPrefix(video.Id), video.Id, "video deleted", 0, T0.AddMinutes(1));
        Assert.True(await _db.Videos.TryStartDeletionAsync(video.Delete(T0.AddMinutes(1))!, cleanup, None));

        var first = Assert.Single(await _db.Cleanups.ClaimDueAsync(T0.AddMinutes(1), 10, Lease, None));
        Assert.Equal(cleanup with { Attempts = 1 }, first);
        Assert.Empty(await _db.Cleanups.ClaimDueAsync(T0.AddMinutes(2), 10, Lease, None));

        // The first processor died: the lease runs out and the item is claimed again.
        var second = Assert.Single(await _db.Cleanups.ClaimDueAsync(T0.AddMinutes(6), 10, Lease, None));
        Assert.Equal(2, second.Attempts);

        await _db.Cleanups.RescheduleAsync(cleanup.Id, "R2 timeout", T0.AddMinutes(30), None);
        Assert.Empty(await _db.Cleanups.ClaimDueAsync(T0.AddMinutes(29), 10, Lease, None));
        var third = Assert.Single(await _db.Cleanups.ClaimDueAsync(T0.AddMinutes(30), 10, Lease, None));
        Assert.Equal(VideoStatus.Deleting, (await _db.Videos.FindAsync(video.Id, None))!.Status);

        await _db.Cleanups.CompleteAsync(third, T0.AddMinutes(31), None);

        var deleted = (await _db.Videos.FindAsync(video.Id, None))!;
        Assert.Equal((VideoStatus.Deleted, T0.AddMinutes(31)), (deleted.Status, deleted.UpdatedAt));
        Assert.Empty(await _db.Cleanups.ClaimDueAsync(T0.AddDays(1), 10, Lease, None));
    }

    [Fact]
    public async Task Completing_a_prefix_of_a_live_video_does_not_touch_the_video()
    {
        var (video, job) = await _db.QueueAsync(T0);
        var stale = new StorageCleanup(Guid.NewGuid(), StorageKeys.HlsPrefix(video.Id, job.Id, 1), null, "superseded attempt", 0, T0);
        var misattributed = new StorageCleanup(Guid.NewGuid(), StorageKeys.HlsPrefix(video.Id, job.Id, 2), video.Id, "superseded attempt", 0, T0);
        await _db.Cleanups.EnqueueAsync(stale, None);
        await _db.Cleanups.EnqueueAsync(misattributed, None);

        var claimed = await _db.Cleanups.ClaimDueAsync(T0, 10, Lease, None);
        Assert.Equal(2, claimed.Count);
        foreach (var item in claimed)
        {
            await _db.Cleanups.CompleteAsync(item, T0.AddMinutes(1), None);
        }

        Assert.Equal(video, await _db.Videos.FindAsync(video.Id, None));
        Assert.Empty(await _db.Cleanups.ClaimDueAsync(T0.AddDays(1), 10, Lease, None));
    }

    [Fact]
    public async Task A_video_is_deleted_only_when_its_last_prefix_is_empty()
    {
        var video = await _db.AddVideoAsync(T0);
        var whole = new StorageCleanup(Guid.NewGuid(), StorageKeys.VideoPrefix(video.Id), video.Id, "video deleted", 0, T0);
        var extra = new StorageCleanup(Guid.NewGuid(), "legacy/" + video.Id.ToString("N") + "/", video.Id, "video deleted", 0, T0);
        Assert.True(await _db.Videos.TryStartDeletionAsync(video.Delete(T0)!, whole, None));
        await _db.Cleanups.EnqueueAsync(extra, None);

        await _db.Cleanups.CompleteAsync(whole, T0.AddMinutes(1), None);
        Assert.Equal(VideoStatus.Deleting, (await _db.Videos.FindAsync(video.Id, None))!.Status);

        await _db.Cleanups.CompleteAsync(extra, T0.AddMinutes(2), None);
        Assert.Equal(VideoStatus.Deleted, (await _db.Videos.FindAsync(video.Id, None))!.Status);
    }

    [Fact]
    public async Task Two_processors_claiming_at_once_never_share_an_item()
    {
        for (var i = 0; i < 30; i++)
        {
            await _db.Cleanups.EnqueueAsync(new StorageCleanup(Guid.NewGuid(), $"tmp/{i}/", null, "orphan", 0, T0), None);
        }

        var claims = await Task.WhenAll(Enumerable.Range(0, 4)
            .Select(_ => Task.Run(() => _db.Cleanups.ClaimDueAsync(T0, 10, Lease, None))));

        var ids = claims.SelectMany(c => c).Select(c => c.Id).ToList();
        Assert.Equal(30, ids.Count);
        Assert.Equal(30, ids.Distinct().Count());
    }
}
