using Academy.Video.Application.Videos;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using Dapper;
using Npgsql;
using static Academy.Video.IntegrationTests.Persistence.PersistenceScenario;

namespace Academy.Video.IntegrationTests.Persistence;

public sealed class PostgresVideoStoreTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly PersistenceScenario _db = new(database.DataSource);

    [Fact]
    public async Task A_video_round_trips()
    {
        var video = await _db.AddVideoAsync(T0) with { };

        Assert.Equal(video, await _db.Videos.FindAsync(video.Id, None));
        Assert.Null(await _db.Videos.FindAsync(Guid.NewGuid(), None));
    }

    [Fact]
    public async Task Queueing_for_a_video_whose_status_moved_stores_no_job()
    {
        var video = await _db.AddVideoAsync(T0);
        var queue = ((UploadCompletion.Queue)video.CompleteUpload(Guid.NewGuid(), new StoredSource(1), TimeSpan.FromDays(3650), T0.AddMinutes(1))).Job;
        Assert.NotNull(await _db.Videos.TryStartDeletionAsync(video.Delete(null, T0.AddSeconds(30))!, None));

        Assert.Null(await _db.Videos.TryQueueJobAsync(queue, None));

        Assert.Null(await _db.Jobs.FindAsync(queue.Job.Id, None));
        var stored = (await _db.Videos.FindAsync(video.Id, None))!;
        Assert.Equal((VideoStatus.Deleting, (Guid?)null), (stored.Status, stored.CurrentJobId));
    }

    [Fact]
    public async Task Paging_newest_first_is_stable_across_inserts_with_equal_timestamps()
    {
        await using var isolated = await PostgresDatabase.CreateAsync();
        var db = new PersistenceScenario(isolated.DataSource);
        var sameInstant = T0.AddHours(2);
        var originals = new List<LectureVideo>();
        for (var i = 0; i < 17; i++)
        {
            originals.Add(await db.AddVideoAsync(i < 12 ? sameInstant : sameInstant.AddSeconds(-i)));
        }

        var seen = new List<LectureVideo>();
        VideoCursor? cursor = null;
        var pages = 0;
        do
        {
            var page = await db.Videos.ListAsync(new VideoListQuery(null, cursor, 5), None);
            seen.AddRange(page.Items);
            cursor = page.Next;
            pages++;
            // Writers keep adding videos with the very same created_at while the client pages.
            await db.AddVideoAsync(sameInstant);
        }
        while (cursor is not null);

        var originalIds = originals.Select(v => v.Id).ToHashSet();
        var seenOriginals = seen.Where(v => originalIds.Contains(v.Id)).ToList();
        Assert.Equal(
            originals.OrderByDescending(v => v.CreatedAt).ThenByDescending(v => v.Id.ToString(), StringComparer.Ordinal).Select(v => v.Id),
            seenOriginals.Select(v => v.Id));
        Assert.Equal(seen.Count, seen.Select(v => v.Id).Distinct().Count());
        Assert.True(pages >= 4);
    }

    [Fact]
    public async Task Listing_by_status_returns_only_that_status_and_ends_with_no_cursor()
    {
        await using var isolated = await PostgresDatabase.CreateAsync();
        var db = new PersistenceScenario(isolated.DataSource);
        var uploaded = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            await db.AddVideoAsync(T0.AddMinutes(i));
            uploaded.Add((await db.QueueAsync(T0.AddMinutes(i))).Video.Id);
        }

        var first = await db.Videos.ListAsync(new VideoListQuery(VideoStatus.Uploaded, null, 4), None);
        var second = await db.Videos.ListAsync(new VideoListQuery(VideoStatus.Uploaded, first.Next, 4), None);

        Assert.NotNull(first.Next);
        Assert.Null(second.Next);
        Assert.All(first.Items.Concat(second.Items), v => Assert.Equal(VideoStatus.Uploaded, v.Status));
        Assert.Equal(Enumerable.Reverse(uploaded), first.Items.Concat(second.Items).Select(v => v.Id));
    }

    // Migration 0024: the trigram indexes searches read take new rows straight in, so no search reads a pending list
    // (docs/performance.md, "A GIN pending list"). pgstattuple (contrib) reports what an index holds pending.
    [Fact]
    public async Task New_titles_and_lexicon_words_go_straight_into_their_trigram_indexes()
    {
        await using var isolated = await PostgresDatabase.CreateAsync();
        var db = new PersistenceScenario(isolated.DataSource);
        await using var connection = await isolated.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("CREATE EXTENSION IF NOT EXISTS pgstattuple");
        var titled = new List<Guid>();
        for (var i = 0; i < 40; i++)
        {
            var video = LectureVideo.Create(Guid.NewGuid(), $"Xylophone acoustics {i}", "lecture.mp4", "video/mp4", T0.AddMinutes(i));
            await db.Videos.AddAsync(video, None);
            titled.Add(video.Id);
        }

        await connection.ExecuteAsync("INSERT INTO caption_words (word) SELECT 'xylophone' || g FROM generate_series(1, 40) AS g");

        foreach (var index in new[] { "videos_title_trgm_idx", "caption_words_word_trgm_idx" })
        {
            Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT pending_tuples FROM pgstatginindex(@Index::regclass)", new { Index = index }));
        }

        var found = await db.Videos.ListAsync(new VideoListQuery(null, null, 50, "xylophone"), None);
        Assert.Equal(Enumerable.Reverse(titled), found.Items.Select(v => v.Id));
    }

    [Fact]
    public async Task The_schema_rejects_a_ready_video_without_an_hls_path()
    {
        var video = LectureVideo.Create(Guid.NewGuid(), "t", "a.mp4", "video/mp4", T0) with { Status = VideoStatus.Ready };

        var error = await Assert.ThrowsAsync<PostgresException>(() => _db.Videos.AddAsync(video, None));

        Assert.Equal("videos_ready_has_hls_path", error.ConstraintName);
    }

    [Theory]
    [InlineData("state = 'RUNNING', attempt_count = 0", "jobs_running_has_attempt_and_heartbeat")]
    [InlineData("state = 'RUNNING', attempt_count = 1", "jobs_running_has_attempt_and_heartbeat")]
    [InlineData("state = 'SUCCEEDED'", "jobs_finished_iff_terminal")]
    [InlineData("state = 'DEAD', finished_at = created_at", "jobs_failure_has_error")]
    [InlineData("state = 'PAUSED'", "jobs_state_known")]
    [InlineData("progress_percent = 101", "jobs_progress_is_percent")]
    [InlineData("aws_batch_job_id = 'b-1'", "jobs_batch_id_with_submit_time")]
    [InlineData("next_attempt_at = created_at", "jobs_next_attempt_only_in_retry_wait")]
    public async Task The_schema_rejects_an_illegal_job_row(string assignment, string constraint)
    {
        var (_, job) = await _db.QueueAsync(T0);
        await using var connection = await _db.DataSource.OpenConnectionAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() =>
            connection.ExecuteAsync($"UPDATE video_transcode_jobs SET {assignment} WHERE id = @Id", new { job.Id }));

        Assert.Equal(constraint, error.ConstraintName);
        Assert.Equal(JobState.Queued, (await _db.Jobs.FindAsync(job.Id, None))!.State);
    }
}
