using Academy.Video.Application.Common;
using Academy.Video.Application.Jobs.GetBacklog;
using Academy.Video.Application.Jobs.ProcessJob;
using Academy.Video.Application.Videos.CreateVideo;
using Academy.Video.Application.Videos.GetVideo;
using Academy.Video.Application.Videos.ListVideos;
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
