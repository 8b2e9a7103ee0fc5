using Academy.Video.Application.Common;
using Academy.Video.Application.Jobs.GetBacklog;
using Academy.Video.Application.Jobs.ProcessJob;
using Academy.Video.Application.Videos.CreateVideo;
using Academy.Video.Application.Videos.GetVideo;
using Academy.Video.Application.Videos.ListVideoJobs;
using Academy.Video.Application.Videos.ListVideos;
using Academy.Video.Application.Videos.RetryVideo;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using Academy.Video.UnitTests.Fakes;
using FluentValidation;

namespace Academy.Video.UnitTests.Application;

public sealed class QueryTests : IAsyncLifetime
{
    private readonly ApplicationHarness app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Paging_walks_every_video_once_newest_first_even_with_equal_timestamps()
    {
        var created = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            created.Add((await app.Send(new CreateVideoCommand($"v{i}", "a.mp4", "video/mp4", 1))).VideoId);
        }

        var seen = new List<Guid>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await app.Query(new ListVideosQuery(null, cursor, 2));
            seen.AddRange(page.Items.Select(v => v.VideoId));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(created.OrderByDescending(id => id), seen);
    }

    [Fact]
    public async Task Listing_filters_by_status()
    {
        await app.Send(new CreateVideoCommand("pending", "a.mp4", "video/mp4", 1));
        var (ready, job) = await app.UploadVideoAsync("ready");
        await app.Send(new ProcessJobCommand(job.JobId));

        var page = await app.Query(new ListVideosQuery("ready", null));

        Assert.Equal(ready, Assert.Single(page.Items).VideoId);
    }

    [Theory]
    [InlineData("BOGUS", null, 20, "Status")]
    [InlineData(null, "not-a-cursor!", 20, "Cursor")]
    [InlineData(null, null, 0, "Limit")]
    [InlineData(null, null, 101, "Limit")]
    public async Task Bad_list_parameters_are_validation_errors(string? status, string? cursor, int limit, string property)
    {
        var error = await Assert.ThrowsAsync<ValidationException>(() => app.Query(new ListVideosQuery(status, cursor, limit)));

        Assert.Contains(error.Errors, e => e.PropertyName == property);
    }

    [Fact]
    public async Task An_unknown_video_is_not_found() =>
        await Assert.ThrowsAsync<NotFoundException>(() => app.Query(new GetVideoQuery(Guid.NewGuid())));

    [Fact]
    public async Task A_retried_video_lists_its_jobs_newest_first_each_with_its_attempts_and_names_the_current_one()
    {
        var (videoId, first) = await app.UploadVideoAsync();
        app.Transcoder.ProbeFailure = JobError.NoVideoStream();
        await app.Send(new ProcessJobCommand(first.JobId));
        app.Transcoder.ProbeFailure = null;
        app.Time.Advance(TimeSpan.FromMinutes(1));
        var second = await app.Send(new RetryVideoCommand(videoId));
        await app.Send(new ProcessJobCommand(second.JobId));

        var history = await app.Query(new ListVideoJobsQuery(videoId));

        Assert.Equal((videoId, (Guid?)second.JobId), (history.VideoId, history.CurrentJobId));
        Assert.Equal([second.JobId, first.JobId], history.Jobs.Select(j => j.JobId));
        Assert.Equal(("SUCCEEDED", "FAILED", JobErrorCodes.NoVideoStream), (history.Jobs[0].State, history.Jobs[1].State, history.Jobs[1].ErrorCode));
        Assert.NotNull(history.Jobs[1].FinishedAt);
        var failed = Assert.Single(history.Jobs[1].Attempts);
        Assert.Equal((1, "FAILED", JobErrorCodes.NoVideoStream), (failed.Attempt, failed.Outcome, failed.ErrorCode));
        Assert.Equal((await app.Query(new GetVideoQuery(videoId))).Attempts, history.Jobs[0].Attempts);
    }

    [Fact]
    public async Task The_jobs_of_an_unknown_or_deleted_video_are_not_found_and_a_video_not_yet_uploaded_has_none()
    {
        var pending = (await app.Send(new CreateVideoCommand("pending", "a.mp4", "video/mp4", 1))).VideoId;
        var (deleted, _) = await app.UploadVideoAsync();
        app.Database.Seed(app.Database.Video(deleted) with { Status = VideoStatus.Deleted });

        Assert.Empty((await app.Query(new ListVideoJobsQuery(pending))).Jobs);
        Assert.Equal("VIDEO_NOT_FOUND", (await Assert.ThrowsAsync<NotFoundException>(() => app.Query(new ListVideoJobsQuery(Guid.NewGuid())))).Code);
        await Assert.ThrowsAsync<NotFoundException>(() => app.Query(new ListVideoJobsQuery(deleted)));
    }

    [Fact]
    public async Task The_backlog_counts_unfinished_jobs_by_state_and_ages_the_oldest_queued()
    {
        await app.UploadVideoAsync();
        app.Time.Advance(TimeSpan.FromSeconds(90));
        var (_, done) = await app.UploadVideoAsync();
        await app.Send(new ProcessJobCommand(done.JobId));

        var backlog = await app.Query(new GetBacklogQuery());

        Assert.Equal(["QUEUED", "RETRY_WAIT", "RUNNING"], backlog.CountsByState.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((1, 0, 0), (backlog.CountsByState["QUEUED"], backlog.CountsByState["RUNNING"], backlog.CountsByState["RETRY_WAIT"]));
        Assert.Equal(90, backlog.OldestQueuedSeconds);
    }
}
