using Academy.Video.Application.Storage;
using Academy.Video.Domain.Videos;
using Academy.Video.Infrastructure.Persistence;
using Dapper;
using Npgsql;
using static Academy.Video.IntegrationTests.Persistence.PersistenceScenario;

namespace Academy.Video.IntegrationTests.Persistence;

public sealed class PostgresVideoUploadStoreTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Window = TimeSpan.FromHours(24);
    private readonly PersistenceScenario _db = new(database.DataSource);
    private readonly PostgresVideoUploadStore _uploads = new(database.DataSource);

    [Fact]
    public async Task A_multipart_upload_round_trips_and_is_replaced_only_from_the_expected_upload_id()
    {
        var video = await _db.AddVideoAsync(T0);
        var upload = new MultipartUpload(video.Id, "upload-1", UploadPlan.PreferredPartSizeBytes, T0);
        await _uploads.AddMultipartAsync(upload, None);
        var restarted = upload with { UploadId = "upload-2", CreatedAt = T0.AddMinutes(5) };

        Assert.Equal(upload, await _uploads.FindMultipartAsync(video.Id, None));
        Assert.True(await _uploads.TryReplaceMultipartAsync(restarted, "upload-1", None));
        Assert.False(await _uploads.TryReplaceMultipartAsync(restarted with { UploadId = "upload-3" }, "upload-1", None));
        Assert.Equal(restarted, await _uploads.FindMultipartAsync(video.Id, None));
        Assert.Null(await _uploads.FindMultipartAsync(Guid.NewGuid(), None));
    }

    [Fact]
    public async Task A_part_size_outside_S3s_limits_cannot_be_stored()
    {
        var video = await _db.AddVideoAsync(T0);

        await Assert.ThrowsAsync<PostgresException>(() => _uploads.AddMultipartAsync(new MultipartUpload(video.Id, "u", 1024, T0), None));
    }

    [Fact]
    public async Task Pending_uploads_past_a_bound_are_listed_oldest_first_and_completed_ones_never()
    {
        var start = T0.AddYears(-3);
        var oldest = await _db.AddVideoAsync(start);
        var next = await _db.AddVideoAsync(start.AddMinutes(1));
        await _db.AddVideoAsync(start.AddMinutes(2));
        var completed = await _db.AddVideoAsync(start);
        Assert.NotNull(await _db.Videos.TryQueueJobAsync(((UploadCompletion.Queue)completed.CompleteUpload(Guid.NewGuid(), new StoredSource(1), TimeSpan.FromDays(3650), start)).Job, None));

        var listed = await _uploads.ListPendingUploadsCreatedBeforeAsync(start.AddMinutes(1), 10, None);
        var limited = await _uploads.ListPendingUploadsCreatedBeforeAsync(start.AddMinutes(1), 1, None);

        Assert.Equal([oldest.Id, next.Id], listed.Select(v => v.Id));
        Assert.Equal([oldest.Id], limited.Select(v => v.Id));
    }

    [Fact]
    public async Task Expiring_stores_EXPIRED_and_the_cleanup_of_the_video_prefix_in_one_statement_once()
    {
        var video = await _db.AddVideoAsync(T0);
        var change = video.ExpireUpload(Window, T0 + Window)!;

        Assert.True(await _uploads.TryExpireAsync(change, Cleanup(video), None));
        Assert.False(await _uploads.TryExpireAsync(change, Cleanup(video), None));

        Assert.Equal(VideoStatus.Expired, (await _db.Videos.FindAsync(video.Id, None))!.Status);
        await using var connection = await _db.DataSource.OpenConnectionAsync();
        var prefixes = (await connection.QueryAsync<string>("SELECT prefix FROM storage_cleanups WHERE video_id = @Id", new { video.Id })).ToList();
        Assert.Equal([StorageKeys.VideoPrefix(video.Id)], prefixes);
    }

    [Fact]
    public async Task Emptying_the_storage_of_an_expired_upload_leaves_it_EXPIRED()
    {
        var video = await _db.AddVideoAsync(T0);
        var cleanup = Cleanup(video);
        Assert.True(await _uploads.TryExpireAsync(video.ExpireUpload(Window, T0 + Window)!, cleanup, None));

        await _db.Cleanups.CompleteAsync(cleanup, T0 + Window, None);

        Assert.Equal(VideoStatus.Expired, (await _db.Videos.FindAsync(video.Id, None))!.Status);
    }

    [Fact]
    public async Task An_upload_completed_before_the_expiry_is_written_is_not_expired()
    {
        var video = await _db.AddVideoAsync(T0);
        var change = video.ExpireUpload(Window, T0 + Window)!;
        Assert.NotNull(await _db.Videos.TryQueueJobAsync(((UploadCompletion.Queue)video.CompleteUpload(Guid.NewGuid(), new StoredSource(1), TimeSpan.FromDays(3650), T0 + Window)).Job, None));

        Assert.False(await _uploads.TryExpireAsync(change, Cleanup(video), None));

        Assert.Equal(VideoStatus.Uploaded, (await _db.Videos.FindAsync(video.Id, None))!.Status);
        await using var connection = await _db.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM storage_cleanups WHERE video_id = @Id", new { video.Id }));
    }

    [Fact]
    public async Task An_EXPIRED_video_with_a_job_is_unrepresentable()
    {
        var (video, _) = await _db.QueueAsync(T0);
        await using var connection = await _db.DataSource.OpenConnectionAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(
            "UPDATE videos SET status = 'EXPIRED' WHERE id = @Id", new { video.Id }));

        Assert.Equal("videos_expired_has_no_job", error.ConstraintName);
    }

    private static StorageCleanup Cleanup(LectureVideo video) =>
        new(Guid.NewGuid(), StorageKeys.VideoPrefix(video.Id), video.Id, null, "upload expired", 0, T0 + Window);
}
