using Academy.Video.Application.Storage;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using Academy.Video.Infrastructure.Persistence;
using Academy.Video.Operations.Infrastructure;
using Npgsql;
using static Academy.Video.IntegrationTests.Persistence.PersistenceScenario;

namespace Academy.Video.IntegrationTests.Persistence;

/// <summary>The operator checks' reads against real rows written through the real stores.</summary>
public sealed class PostgresOperationsStoreTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private PostgresDatabase database = null!;
    private PersistenceScenario db = null!;
    private PostgresOperationsStore store = null!;

    public async Task InitializeAsync()
    {
        database = await PostgresDatabase.CreateAsync();
        db = new PersistenceScenario(database.DataSource);
        store = new PostgresOperationsStore(database.DataSource, new DatabaseMigrator(database.DataSource));
    }

    public Task DisposeAsync() => database.DisposeAsync();

    [Fact]
    public async Task The_probe_names_pending_migrations_and_an_unreachable_server_in_one_line()
    {
        await using var empty = await PostgresDatabase.CreateAsync(migrate: false);
        var fresh = new PostgresOperationsStore(empty.DataSource, new DatabaseMigrator(empty.DataSource));
        await using var closed = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=postgres;Database=nowhere;Timeout=3");
        var down = new PostgresOperationsStore(closed, new DatabaseMigrator(closed));

        var migrated = await store.ProbeAsync(None);
        var pending = await fresh.ProbeAsync(None);
        var unreachable = await down.ProbeAsync(None);

        Assert.Equal((true, 0), (migrated.Reachable, migrated.PendingMigrations.Count));
        Assert.Equal(DatabaseMigrator.Migrations.Select(m => $"{m.Version:0000}_{m.Name}"), pending.PendingMigrations);
        Assert.Contains("0004_operations_indexes", pending.PendingMigrations);
        Assert.False(unreachable.Reachable);
        Assert.StartsWith("127.0.0.1:1 database nowhere as postgres: Failed to connect to 127.0.0.1:1", unreachable.Cause, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', unreachable.Cause!);
    }

    [Fact]
    public async Task Runner_ids_come_from_unfinished_jobs_and_recently_finished_ones_only()
    {
        var (_, queued) = await db.QueueAsync(T0);
        queued = await db.SubmitAsync(queued, "b-queued", T0);
        var (_, running) = await db.RunningAsync(T0);
        var (_, old) = await db.RunningAsync(T0.AddDays(-3));
        await db.ApplyAsync(old, old.Complete("videos/x/hls/a/master.m3u8", T0.AddDays(-3))!);
        var (_, recent) = await db.RunningAsync(T0);
        await db.ApplyAsync(recent, recent.Complete("videos/y/hls/a/master.m3u8", T0.AddMinutes(5))!);
        await db.QueueAsync(T0); // no runner id yet

        var withIds = await store.ListJobsWithRunnerIdAsync(T0.AddDays(-1), 100, None);
        var unfinished = await store.ListUnfinishedJobsAsync(100, None);
        var newest = await store.FindNewestSucceededAttemptAsync(None);

        Assert.Equal(new[] { queued.Id, running.Id, recent.Id }.Order(), withIds.Select(j => j.Id).Order());
        Assert.Equal(3, unfinished.Count);
        Assert.All(unfinished, candidate => Assert.NotNull(candidate.VideoStatus));
        Assert.Equal((recent.Id, 1, recent.BatchJobId), (newest!.JobId, newest.Attempt, newest.RunnerJobId));
        Assert.Equal(5, (await store.ListLatestJobsAsync(5, None)).Count);
    }

    [Fact]
    public async Task A_SUCCEEDED_job_whose_video_is_not_READY_is_found_unless_the_video_was_deleted()
    {
        var (video, job) = await db.RunningAsync(T0);
        await db.ApplyAsync(job, job.Complete("videos/x/hls/a/master.m3u8", T0.AddMinutes(1))!);
        var (deletedVideo, deletedJob) = await db.RunningAsync(T0);
        await db.ApplyAsync(deletedJob, deletedJob.Complete("videos/y/hls/a/master.m3u8", T0.AddMinutes(1))!);
        await db.Videos.TryStartDeletionAsync((await db.Videos.FindAsync(deletedVideo.Id, None))!.Delete(null, T0.AddMinutes(2))!, None);
        Assert.Empty(await store.ListSucceededJobsWithUnreadyVideoAsync(T0.AddDays(-1), 10, None));

        // A second writer broke the rule the completion statement keeps: the video went back without its job.
        await using (var command = database.DataSource.CreateCommand($"UPDATE videos SET status = 'PROCESSING', hls_path = NULL WHERE id = '{video.Id}'"))
        {
            await command.ExecuteNonQueryAsync();
        }

        var broken = Assert.Single(await store.ListSucceededJobsWithUnreadyVideoAsync(T0.AddDays(-1), 10, None));
        Assert.Equal((job.Id, JobState.Succeeded, "PROCESSING"), (broken.Job.Id, broken.Job.State, broken.VideoStatus));
    }

    [Fact]
    public async Task A_SUCCEEDED_chunked_job_with_a_chunk_not_DONE_is_found()
    {
        var chunks = new PostgresJobChunkStore(database.DataSource, Academy.Video.Testing.NamedPipelines.Postgres);
        var (_, job) = await db.RunningAsync(T0);
        var ranges = Domain.Media.ChunkPlan.Split([6, 12, 18], 24, TimeSpan.FromSeconds(12), 16);
        Assert.True(await chunks.TryRecordPlanAsync(new ChunkPlanRecord(job.Id, 1, "plan", ranges, T0), None));
        foreach (var chunk in await chunks.ListAsync(job.Id, None))
        {
            var running = chunk.State == ChunkState.Running ? chunk : (await chunks.TryChangeAsync(chunk.Start(T0), None))!;
            Assert.NotNull(await chunks.TryChangeAsync(running.Complete(new ChunkOutput(new Dictionary<string, ChunkVariantOutput>()), T0), None));
        }

        await db.ApplyAsync(job, job.Complete("videos/x/hls/a/master.m3u8", T0.AddMinutes(1))!);
        Assert.Empty(await store.ListSucceededJobsWithUndoneChunksAsync(T0.AddDays(-1), 10, None));

        // A second writer broke the rule the assembler keeps: a chunk went back after the job was completed.
        await using (var command = database.DataSource.CreateCommand($"UPDATE video_job_chunks SET state = 'PENDING', output = NULL WHERE job_id = '{job.Id}' AND chunk = 1"))
        {
            await command.ExecuteNonQueryAsync();
        }

        var broken = Assert.Single(await store.ListSucceededJobsWithUndoneChunksAsync(T0.AddDays(-1), 10, None));
        Assert.Equal((job.Id, 1, "PENDING"), (broken.Job.Id, broken.Chunk, broken.ChunkState));
    }

    [Fact]
    public async Task READY_videos_without_hls_path_are_looked_for_only_when_the_constraint_is_gone()
    {
        var (video, job) = await db.RunningAsync(T0);
        await db.ApplyAsync(job, job.Complete("videos/x/hls/a/master.m3u8", T0.AddMinutes(1))!);
        Assert.Empty(await store.ListReadyVideosWithoutHlsPathAsync(10, None));

        await using (var command = database.DataSource.CreateCommand(
            $"ALTER TABLE videos DROP CONSTRAINT videos_ready_has_hls_path; UPDATE videos SET hls_path = NULL WHERE id = '{video.Id}'"))
        {
            await command.ExecuteNonQueryAsync();
        }

        Assert.Equal([video.Id], await store.ListReadyVideosWithoutHlsPathAsync(10, None));
    }

    [Fact]
    public async Task The_cleanup_backlog_counts_waiting_prefixes_names_the_oldest_with_its_last_error_and_skips_held_ones()
    {
        Assert.Equal(CleanupBacklog.Empty, await db.Cleanups.GetCleanupBacklogAsync(T0, None));
        var (olderVideo, _) = await db.QueueAsync(T0);
        var (newerVideo, _) = await db.QueueAsync(T0);
        await db.Videos.TryStartDeletionAsync((await db.Videos.FindAsync(olderVideo.Id, None))!.Delete(null, T0)!, None);
        await db.Videos.TryStartDeletionAsync((await db.Videos.FindAsync(newerVideo.Id, None))!.Delete(null, T0.AddMinutes(5))!, None);
        // An attempt prefix of a job still unfinished (RETRY_WAIT) is held for it: not backlog.
        var (_, running) = await db.RunningAsync(T0.AddMinutes(-30));
        await db.ApplyAsync(running, running.Fail(JobError.Transient(JobErrorCodes.StorageError, "upload failed"), T0.AddMinutes(-20), JobPolicy.Default));

        var claimed = await db.Cleanups.ClaimDueAsync(T0.AddMinutes(10), 10, TimeSpan.FromMinutes(5), None);
        var older = Assert.Single(claimed, c => c.VideoId == olderVideo.Id);
        await db.Cleanups.RescheduleAsync(older.Id, "AccessDenied: s3:DeleteObject", T0.AddHours(1), None);

        var backlog = await db.Cleanups.GetCleanupBacklogAsync(T0.AddMinutes(10), None);

        Assert.Equal(2, claimed.Count);
        Assert.Equal(new CleanupBacklog(2, T0, StorageKeys.VideoPrefix(olderVideo.Id), 1, "AccessDenied: s3:DeleteObject"), backlog);
    }
}
