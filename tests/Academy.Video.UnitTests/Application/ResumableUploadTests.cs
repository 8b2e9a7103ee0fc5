using Academy.Video.Application.Common;
using Academy.Video.Application.Storage;
using Academy.Video.Application.Storage.ProcessStorageCleanups;
using Academy.Video.Application.Videos.CompleteUpload;
using Academy.Video.Application.Videos.CreateVideo;
using Academy.Video.Application.Videos.ExpireUploads;
using Academy.Video.Application.Videos.GetUpload;
using Academy.Video.Domain.Videos;
using Academy.Video.UnitTests.Fakes;
using Microsoft.Extensions.DependencyInjection;

namespace Academy.Video.UnitTests.Application;

public sealed class ResumableUploadTests : IAsyncLifetime
{
    private const long MiB = 1024 * 1024;
    private const long Size = 33 * MiB;
    private readonly ApplicationHarness app = new(configure: services => services.Configure<UploadOptions>(o => o.MultipartThreshold = 8 * MiB));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_source_at_the_threshold_gets_a_multipart_upload_with_a_url_per_part_of_its_exact_size()
    {
        var created = await Create();

        var multipart = created.Upload.Multipart!;
        Assert.Null(created.Upload.Url);
        Assert.Equal((16 * MiB, 3), (multipart.PartSizeBytes, multipart.PartCount));
        Assert.Equal([(1, 16 * MiB), (2, 16 * MiB), (3, MiB)], multipart.Parts.Select(p => (p.PartNumber, p.SizeBytes)));
        Assert.All(multipart.Parts, p => Assert.Contains($"uploadId={multipart.UploadId}&partNumber={p.PartNumber}&size={p.SizeBytes}", p.Url.Query, StringComparison.Ordinal));
        Assert.Equal(multipart.UploadId, app.Database.Multipart(created.VideoId)!.UploadId);
        Assert.Equal(app.Time.GetUtcNow() + TimeSpan.FromHours(24), created.Upload.ExpiresAt);
    }

    [Fact]
    public async Task A_source_below_the_threshold_is_one_put_and_no_multipart_upload()
    {
        var created = await app.Send(new CreateVideoCommand("t", "a.mp4", "video/mp4", 8 * MiB - 1));

        Assert.Null(created.Upload.Multipart);
        Assert.NotNull(created.Upload.Url);
        Assert.Null(app.Database.Multipart(created.VideoId));
        Assert.Empty(app.Storage.UnfinishedUploads);
    }

    [Fact]
    public async Task The_upload_status_lists_held_parts_and_the_missing_ones_with_fresh_urls()
    {
        var created = await Create();
        PutPart(created, 1);
        PutPart(created, 3);

        var status = await app.Query(new GetUploadQuery(created.VideoId));

        Assert.Equal([1, 3], status.Parts.Select(p => p.PartNumber));
        Assert.Equal([2], status.MissingPartNumbers);
        Assert.Equal(17 * MiB, status.StoredBytes);
        Assert.Equal(3, status.Upload.Multipart!.Parts.Count);
    }

    [Fact]
    public async Task Completing_with_a_part_missing_is_refused_and_queues_nothing()
    {
        var created = await Create();
        PutPart(created, 1);
        PutPart(created, 3);

        var error = await Assert.ThrowsAsync<ConflictException>(() => app.Send(new CompleteUploadCommand(created.VideoId)));

        Assert.Equal("UPLOAD_INCOMPLETE", error.Code);
        Assert.Contains("part(s) 2 of 3 are missing", error.Message, StringComparison.Ordinal);
        Assert.Empty(app.Database.Jobs);
        Assert.Single(app.Storage.UnfinishedUploads);
    }

    [Fact]
    public async Task Completing_joins_the_parts_storage_holds_and_queues_one_job()
    {
        var created = await Create();
        foreach (var part in new[] { 3, 1, 2 })
        {
            PutPart(created, part);
        }

        var job = await app.Send(new CompleteUploadCommand(created.VideoId));
        var again = await app.Send(new CompleteUploadCommand(created.VideoId));

        var video = app.Database.Video(created.VideoId);
        Assert.Equal((VideoStatus.Uploaded, job.JobId, Size), (video.Status, video.CurrentJobId!.Value, video.SourceSizeBytes!.Value));
        Assert.Equal(job.JobId, again.JobId);
        Assert.Equal(Size, (await app.Storage.HeadAsync(video.SourceKey, default))!.SizeBytes);
        Assert.Empty(app.Storage.UnfinishedUploads);
    }

    [Fact]
    public async Task Completing_with_parts_that_storage_no_longer_holds_as_sent_is_refused()
    {
        var created = await Create();
        foreach (var part in new[] { 1, 2, 3 })
        {
            PutPart(created, part);
        }

        var sent = (await app.Query(new GetUploadQuery(created.VideoId))).Parts.Select(p => new CompletedPart(p.PartNumber, p.Etag)).ToList();
        PutPart(created, 2, fill: 9);

        var error = await Assert.ThrowsAsync<ConflictException>(() => app.Send(new CompleteUploadCommand(created.VideoId, sent)));

        Assert.Equal("UPLOAD_PARTS_INVALID", error.Code);
        Assert.Contains("part(s) 2 differ", error.Message, StringComparison.Ordinal);
        Assert.Empty(app.Database.Jobs);
    }

    [Fact]
    public async Task Parts_sent_for_a_single_put_upload_are_refused()
    {
        var created = await app.Send(new CreateVideoCommand("t", "a.mp4", "video/mp4", 1024));
        app.Storage.Put(app.Database.Video(created.VideoId).SourceKey, new byte[1024]);

        var error = await Assert.ThrowsAsync<ConflictException>(() => app.Send(new CompleteUploadCommand(created.VideoId, [new CompletedPart(1, "x")])));

        Assert.Equal("UPLOAD_NOT_MULTIPART", error.Code);
    }

    [Fact]
    public async Task An_upload_left_unfinished_expires_and_the_cleanup_aborts_it_and_deletes_every_object()
    {
        var multipart = await Create();
        PutPart(multipart, 1);
        var single = await app.Send(new CreateVideoCommand("t", "a.mp4", "video/mp4", 1024));
        app.Storage.Put(app.Database.Video(single.VideoId).SourceKey, new byte[1024]);
        app.Time.Advance(TimeSpan.FromHours(24) - TimeSpan.FromSeconds(1));
        var early = await app.Send(new ExpireUploadsCommand());
        app.Time.Advance(TimeSpan.FromSeconds(1));

        var report = await app.Send(new ExpireUploadsCommand());
        var cleaned = await app.Send(new ProcessStorageCleanupsCommand());

        Assert.Equal((0, 2), (early.Expired, report.Expired));
        Assert.Equal(VideoStatus.Expired, app.Database.Video(multipart.VideoId).Status);
        Assert.Equal(VideoStatus.Expired, app.Database.Video(single.VideoId).Status);
        Assert.Equal(2, cleaned.Completed);
        Assert.Empty(app.Storage.UnfinishedUploads);
        Assert.Empty(app.Storage.Keys);
        Assert.Equal("UPLOAD_EXPIRED", (await Assert.ThrowsAsync<ConflictException>(() => app.Send(new CompleteUploadCommand(multipart.VideoId)))).Code);
        Assert.Equal("UPLOAD_EXPIRED", (await Assert.ThrowsAsync<ConflictException>(() => app.Query(new GetUploadQuery(single.VideoId)))).Code);
    }

    [Fact]
    public async Task Completing_after_the_window_closed_is_refused_even_before_the_sweep_ran()
    {
        var created = await app.Send(new CreateVideoCommand("t", "a.mp4", "video/mp4", 1024));
        app.Storage.Put(app.Database.Video(created.VideoId).SourceKey, new byte[1024]);
        app.Time.Advance(TimeSpan.FromHours(24));

        var error = await Assert.ThrowsAsync<ConflictException>(() => app.Send(new CompleteUploadCommand(created.VideoId)));

        Assert.Equal("UPLOAD_EXPIRED", error.Code);
        Assert.Empty(app.Database.Jobs);
    }

    private Task<CreateVideoResult> Create() => app.Send(new CreateVideoCommand("Lecture", "lecture.mp4", "video/mp4", Size));

    private void PutPart(CreateVideoResult created, int partNumber, byte fill = 1)
    {
        var part = created.Upload.Multipart!.Parts.Single(p => p.PartNumber == partNumber);
        var bytes = new byte[part.SizeBytes];
        Array.Fill(bytes, (byte)(fill + partNumber));
        app.Storage.PutPart(created.Upload.Multipart.UploadId, partNumber, bytes);
    }
}
