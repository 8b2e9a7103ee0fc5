using Academy.Video.Application.Common;
using Academy.Video.Application.Jobs;
using Academy.Video.Application.Jobs.ScanStuckJobs;
using Academy.Video.Application.Videos.CompleteUpload;
using Academy.Video.Application.Videos.CreateVideo;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using Academy.Video.UnitTests.Fakes;
using FluentValidation;

namespace Academy.Video.UnitTests.Application;

public sealed class UploadAndSubmissionTests : IAsyncLifetime
{
    private readonly ApplicationHarness app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Creating_a_video_returns_a_presigned_style_upload_target_for_a_server_made_key()
    {
        var created = await app.Send(new CreateVideoCommand("Week 1", "../../evil.mp4", "video/mp4", 10_000));

        var video = app.Database.Video(created.VideoId);
        Assert.Equal("PENDING_UPLOAD", created.Status);
        Assert.Equal($"videos/{video.Id:N}/source/original.mp4", video.SourceKey);
        Assert.Equal("PUT", created.Upload.Method);
        Assert.Equal("video/mp4", created.Upload.Headers["Content-Type"]);
        Assert.Null(created.Upload.Multipart);
        // Every upload URL lives as long as the upload: Upload:Expiry, 24 hours by default.
        Assert.Equal(app.Time.GetUtcNow() + TimeSpan.FromHours(24), created.Upload.ExpiresAt);
    }

    [Theory]
    [InlineData("", "a.mp4", "video/mp4", 10, "Title")]
    [InlineData("t", "", "video/mp4", 10, "FileName")]
    [InlineData("t", "a.mp4", "text/plain", 10, "ContentType")]
    [InlineData("t", "a.mp4", "video/mp4", 0, "SizeBytes")]
    [InlineData("t", "a.mp4", "video/mp4", 30L * 1024 * 1024 * 1024, "SizeBytes")]
    public async Task Invalid_create_requests_are_rejected_by_the_validation_pipeline_before_anything_is_stored(
        string title, string fileName, string contentType, long size, string property)
    {
        var error = await Assert.ThrowsAsync<ValidationException>(() => app.Send(new CreateVideoCommand(title, fileName, contentType, size)));

        Assert.Contains(error.Errors, e => e.PropertyName == property);
        Assert.Empty((await app.Database.ListAsync(new(null, null, 10), default)).Items);
    }

    [Theory]
    [InlineData("Title", "Week\u00001")]
    [InlineData("Title", "Week 1\r\nX-Injected: yes")]
    [InlineData("Title", "Week\t1")]
    [InlineData("Title", "Week\u001b[31m1")]
    [InlineData("Title", "Week\u00851")]
    [InlineData("Title", "Week\u20281")]
    [InlineData("FileName", "week1\0.mp4")]
    [InlineData("FileName", "week1.mp4\n")]
    [InlineData("ContentType", "video/mp4\r\nX-Amz-Acl: public-read")]
    [InlineData("ContentType", "video/mp4;\tcodecs=avc1")]
    public async Task Control_characters_in_any_text_field_are_refused_naming_the_field(string property, string value)
    {
        var command = new CreateVideoCommand("Week 1", "week1.mp4", "video/mp4", 10);
        command = property switch
        {
            "Title" => command with { Title = value },
            "FileName" => command with { FileName = value },
            _ => command with { ContentType = value },
        };

        var error = await Assert.ThrowsAsync<ValidationException>(() => app.Send(command));

        Assert.Equal([property], error.Errors.Select(e => e.PropertyName).Distinct());
        Assert.Empty((await app.Database.ListAsync(new(null, null, 10), default)).Items);
    }

    [Fact]
    public async Task Titles_in_any_script_with_emoji_are_kept_as_sent()
    {
        var created = await app.Send(new CreateVideoCommand("선형대수 1강 — 벡터 🎓", "강의.mp4", "video/mp4", 10));

        Assert.Equal("선형대수 1강 — 벡터 🎓", app.Database.Video(created.VideoId).Title);
    }

    [Theory]
    [InlineData("video/mp4", "video/mp4")]
    [InlineData("Video/MP4", "video/mp4")]
    [InlineData("  video/quicktime ", "video/quicktime")]
    [InlineData("video/x-matroska", "video/x-matroska")]
    [InlineData("application/octet-stream", "application/octet-stream")]
    [InlineData("Application/Octet-Stream", "application/octet-stream")]
    [InlineData("video/mp4; Codecs=\"avc1.42E01E, mp4a.40.2\"", "video/mp4; codecs=\"avc1.42E01E, mp4a.40.2\"")]
    public async Task Content_types_are_parsed_and_stored_and_signed_in_one_spelling(string sent, string stored)
    {
        var created = await app.Send(new CreateVideoCommand("t", "a.mp4", sent, 10));

        Assert.Equal(stored, app.Database.Video(created.VideoId).SourceContentType);
        Assert.Equal(stored, created.Upload.Headers["Content-Type"]);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("video")]
    [InlineData("video/")]
    [InlineData("video/*")]
    [InlineData("*/*")]
    [InlineData("video/mp4, video/webm")]
    [InlineData("video/mp4 extra")]
    [InlineData("video/mp4;")]
    [InlineData("video/mp4; codecs=é")]
    [InlineData("application/octet-streamx")]
    public async Task Content_types_that_are_not_one_video_or_octet_stream_media_type_are_refused(string contentType)
    {
        var error = await Assert.ThrowsAsync<ValidationException>(() => app.Send(new CreateVideoCommand("t", "a.mp4", contentType, 10)));

        Assert.Equal(["ContentType"], error.Errors.Select(e => e.PropertyName).Distinct());
    }

    [Fact]
    public async Task The_upload_target_is_made_for_the_declared_size()
    {
        var created = await app.Send(new CreateVideoCommand("t", "a.mp4", "video/mp4", 123_456));

        Assert.Equal("?size=123456", created.Upload.Url!.Query);
        Assert.Equal(123_456, app.Database.Video(created.VideoId).SourceSizeBytes);
    }

    [Theory]
    [InlineData(1025)]
    [InlineData(1023)]
    public async Task Completing_with_an_object_of_another_size_than_declared_is_refused_the_object_deleted_and_the_video_left_for_a_new_upload(int storedBytes)
    {
        var created = await app.Send(new CreateVideoCommand("t", "a.mp4", "video/mp4", 1024));
        var key = app.Database.Video(created.VideoId).SourceKey;
        app.Storage.Put(key, new byte[storedBytes]);

        var error = await Assert.ThrowsAsync<ConflictException>(() => app.Send(new CompleteUploadCommand(created.VideoId)));

        Assert.Equal("SOURCE_SIZE_MISMATCH", error.Code);
        Assert.DoesNotContain(key, app.Storage.Keys);
        Assert.Empty(app.Database.Jobs);
        Assert.Equal((VideoStatus.PendingUpload, null), (app.Database.Video(created.VideoId).Status, app.Database.Video(created.VideoId).CurrentJobId));

        app.Storage.Put(key, new byte[1024]);
        var job = await app.Send(new CompleteUploadCommand(created.VideoId));

        Assert.Equal(JobState.Queued.ToWire(), job.State);
        Assert.Equal(1024, app.Database.Video(created.VideoId).SourceSizeBytes);
    }

    [Fact]
    public async Task Completing_an_upload_queues_one_job_and_submits_it_with_the_contract_job_name()
    {
        var (videoId, job) = await app.UploadVideoAsync();

        var stored = app.Database.Job(job.JobId);
        var submission = Assert.Single(app.Runner.Submissions);
        Assert.Equal((job.JobId, $"video-{job.JobId:N}"[..14]), (submission.JobId, submission.JobName));
        Assert.Equal((JobState.Queued, submission.RunnerJobId), (stored.State, stored.BatchJobId));
        Assert.Equal((VideoStatus.Uploaded, job.JobId), (app.Database.Video(videoId).Status, app.Database.Video(videoId).CurrentJobId));
    }

    [Fact]
    public async Task Completing_the_same_upload_twice_creates_one_job()
    {
        var (videoId, first) = await app.UploadVideoAsync();

        var second = await app.Send(new CompleteUploadCommand(videoId));

        Assert.Equal(first.JobId, second.JobId);
        Assert.Single(app.Database.Jobs);
        Assert.Single(app.Runner.Submissions);
    }

    [Fact]
    public async Task Completing_without_an_uploaded_object_is_a_conflict_that_queues_nothing()
    {
        var created = await app.Send(new CreateVideoCommand("t", "a.mp4", "video/mp4", 10));

        var error = await Assert.ThrowsAsync<ConflictException>(() => app.Send(new CompleteUploadCommand(created.VideoId)));

        Assert.Equal("UPLOAD_MISSING", error.Code);
        Assert.Empty(app.Database.Jobs);
    }

    [Fact]
    public async Task Completing_with_an_empty_object_is_a_conflict()
    {
        var created = await app.Send(new CreateVideoCommand("t", "a.mp4", "video/mp4", 10));
        app.Storage.Put(app.Database.Video(created.VideoId).SourceKey, []);

        var error = await Assert.ThrowsAsync<ConflictException>(() => app.Send(new CompleteUploadCommand(created.VideoId)));

        Assert.Equal("UPLOAD_EMPTY", error.Code);
    }

    [Fact]
    public async Task Completing_an_unknown_video_is_not_found() =>
        Assert.Equal("VIDEO_NOT_FOUND", (await Assert.ThrowsAsync<NotFoundException>(() => app.Send(new CompleteUploadCommand(Guid.NewGuid())))).Code);

    [Fact]
    public async Task A_failed_submit_leaves_the_job_QUEUED_without_a_Batch_id_until_the_scan_submits_it_after_the_grace_period()
    {
        app.Runner.FailSubmissions = true;
        var (_, job) = await app.UploadVideoAsync();
        app.Runner.FailSubmissions = false;

        Assert.Equal((JobState.Queued, null), (app.Database.Job(job.JobId).State, app.Database.Job(job.JobId).BatchJobId));

        app.Time.Advance(TimeSpan.FromMinutes(1));
        var early = await app.Send(new ScanStuckJobsCommand());
        app.Time.Advance(TimeSpan.FromSeconds(61));
        var due = await app.Send(new ScanStuckJobsCommand());

        Assert.Empty(early.Entries);
        var entry = Assert.Single(due.Entries);
        Assert.Equal((RecoveryActionKind.SubmitMissing, "submitted"), (entry.Action, entry.Result));
        Assert.Equal(Assert.Single(app.Runner.Submissions).RunnerJobId, app.Database.Job(job.JobId).BatchJobId);
    }

    [Fact]
    public async Task A_submit_that_keeps_failing_is_retried_by_every_scan_and_never_lost()
    {
        app.Runner.FailSubmissions = true;
        var (_, job) = await app.UploadVideoAsync();
        app.Time.Advance(TimeSpan.FromMinutes(3));

        var first = await app.Send(new ScanStuckJobsCommand());
        var second = await app.Send(new ScanStuckJobsCommand());

        Assert.StartsWith("submit failed: Batch is unreachable", Assert.Single(first.Entries).Result, StringComparison.Ordinal);
        Assert.StartsWith("submit failed: Batch is unreachable", Assert.Single(second.Entries).Result, StringComparison.Ordinal);
        Assert.Contains(JobEvents.SubmitFailed, app.Logs.Events);
        Assert.Null(app.Database.Job(job.JobId).BatchJobId);
    }
}
