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
        Assert.Equal(app.Time.GetUtcNow() + TimeSpan.FromHours(1), created.Upload.ExpiresAt);
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

    [Fact]
    public async Task Completing_an_upload_queues_one_job_and_submits_it_with_the_SPEC_job_name()
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
