using Academy.Video.Application.Jobs;
using Academy.Video.Testing;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;
using Academy.Video.Infrastructure.Persistence;
using static Academy.Video.IntegrationTests.Persistence.PersistenceScenario;

namespace Academy.Video.IntegrationTests.Persistence;

/// <summary>The chunks of a chunked job on PostgreSQL (docs/decisions/0023-chunked-encoding.md): every write fenced, one assembler.</summary>
public sealed class PostgresJobChunkStoreTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly IReadOnlyList<ChunkRange> ThreeChunks = ChunkPlan.Split([6, 12, 18, 24, 30, 36, 42, 48, 54], 60, TimeSpan.FromSeconds(20), 16);
    private readonly PersistenceScenario _db = new(database.DataSource);
    private readonly PostgresJobChunkStore _chunks = new(database.DataSource, NamedPipelines.Postgres);

    private static ChunkOutput Output(int chunk) => new(new Dictionary<string, ChunkVariantOutput>
    {
        ["360p"] = new("avc1.4d401e", [new HlsSegmentRecord(chunk * 3, $"seg_{chunk * 3:D5}.ts", 6.006, 12_345 + chunk)]),
    })
    {
        PosterKey = chunk == 0 ? "videos/x/hls/j-a1/poster.jpg" : null,
        Chapters = chunk == 0 ? [new VideoChapter(0, 30, "Slide 1", "chapters/0001.jpg", false)] : [],
    };

    private async Task<(TranscodeJob Job, IReadOnlyList<JobChunk> Chunks)> PlannedAsync()
    {
        var (_, job) = await _db.RunningAsync(T0);
        Assert.True(await _chunks.TryRecordPlanAsync(new ChunkPlanRecord(job.Id, job.AttemptCount, "plan-1", ThreeChunks, T0.AddMinutes(1)), None));
        return (job, await _chunks.ListAsync(job.Id, None));
    }

    private async Task<JobChunk> RunAsync(JobChunk chunk, DateTimeOffset at)
    {
        var started = await _chunks.TryChangeAsync(chunk.Start(at), None);
        Assert.NotNull(started);
        return started;
    }

    private async Task<JobChunk> DoneAsync(JobChunk chunk, DateTimeOffset at)
    {
        var done = await _chunks.TryChangeAsync((chunk.State == ChunkState.Running ? chunk : await RunAsync(chunk, at)).Complete(Output(chunk.Index), at), None);
        Assert.NotNull(done);
        return done;
    }

    [Fact]
    public async Task A_plan_is_recorded_fenced_on_the_job_attempt_with_chunk_0_held_by_the_planner_and_replaced_by_a_later_attempt()
    {
        var (job, chunks) = await PlannedAsync();

        Assert.Equal([ChunkState.Running, ChunkState.Pending, ChunkState.Pending], chunks.Select(c => c.State));
        Assert.Equal([1, 0, 0], chunks.Select(c => c.AttemptCount));
        Assert.Equal(ThreeChunks, chunks.Select(c => c.Range));
        Assert.All(chunks, c => Assert.Equal((1, "plan-1"), (c.JobAttempt, c.Plan)));
        Assert.Equal(T0.AddMinutes(1), chunks[0].LastHeartbeatAt);
        Assert.False(await _chunks.TryRecordPlanAsync(new ChunkPlanRecord(job.Id, 2, "plan-2", ThreeChunks, T0.AddMinutes(2)), None));

        job = await _db.ApplyAsync(job, job.MarkStuck(T0.AddMinutes(5), JobPolicy.Default));
        job = await _db.SubmitAsync(job, "batch-2", T0.AddMinutes(6));
        job = await _db.ApplyAsync(job, job.Start(T0.AddMinutes(7)));
        var two = ChunkPlan.Split([6, 12, 18, 24, 30, 36, 42, 48, 54], 60, TimeSpan.FromSeconds(30), 16);
        Assert.True(await _chunks.TryRecordPlanAsync(new ChunkPlanRecord(job.Id, 2, "plan-2", two, T0.AddMinutes(8)), None));

        var replanned = await _chunks.ListAsync(job.Id, None);
        Assert.Equal(two, replanned.Select(c => c.Range));
        Assert.All(replanned, c => Assert.Equal((2, "plan-2"), (c.JobAttempt, c.Plan)));
        // The first plan's chunk attempts are fenced out.
        Assert.Null(await _chunks.TryChangeAsync(chunks[1].Start(T0.AddMinutes(9)), None));
        Assert.Equal(HeartbeatResult.Lost, await _chunks.HeartbeatAsync(job.Id, 0, 1, 1, T0.AddMinutes(9), None));
    }

    [Fact]
    public async Task A_chunk_is_claimed_submitted_and_started_once_and_its_heartbeat_keeps_its_job_alive()
    {
        var (job, chunks) = await PlannedAsync();
        var pending = await _chunks.ListPendingAsync(T0.AddMinutes(2), 10, None);
        Assert.Equal([1, 2], pending.Where(c => c.JobId == job.Id).Select(c => c.Index));

        Assert.True(await _chunks.TryClaimSubmissionAsync(chunks[1], T0.AddMinutes(2), T0.AddMinutes(3), None));
        Assert.False(await _chunks.TryClaimSubmissionAsync(chunks[1], T0.AddMinutes(2), T0.AddMinutes(3), None));
        Assert.DoesNotContain(await _chunks.ListPendingAsync(T0.AddMinutes(2), 10, None), c => c.JobId == job.Id && c.Index == 1);
        var submitted = await _chunks.TryChangeAsync(chunks[1].RecordSubmission("batch-c1", T0.AddMinutes(2)), None);
        Assert.Equal((ChunkState.Submitted, "batch-c1"), (submitted!.State, submitted.RunnerJobId));
        Assert.Null(await _chunks.TryChangeAsync(chunks[1].RecordSubmission("batch-c1-again", T0.AddMinutes(2)), None));

        var start = submitted.Start(T0.AddMinutes(3));
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => _chunks.TryChangeAsync(start, None))));
        var running = Assert.Single(results, r => r is not null)!;
        Assert.Equal((ChunkState.Running, 1, T0.AddMinutes(3)), (running.State, running.AttemptCount, running.LastHeartbeatAt));

        Assert.Equal(HeartbeatResult.Alive, await _chunks.HeartbeatAsync(job.Id, 1, 1, 1, T0.AddMinutes(4), None));
        Assert.Equal(T0.AddMinutes(4), (await _db.Jobs.FindAsync(job.Id, None))!.LastHeartbeatAt);
        Assert.Equal(HeartbeatResult.Lost, await _chunks.HeartbeatAsync(job.Id, 1, 1, 2, T0.AddMinutes(4), None));
    }

    [Fact]
    public async Task A_silent_chunk_is_released_alone_its_late_writes_lose_and_the_next_attempt_records_its_segments()
    {
        var (job, chunks) = await PlannedAsync();
        var running = await RunAsync(chunks[2], T0.AddMinutes(2));

        var silent = await _chunks.ListSilentAsync(T0.AddMinutes(3), 10, None);
        Assert.Equal([(0, 1), (2, 1)], silent.Where(c => c.JobId == job.Id).Select(c => (c.Index, c.AttemptCount)));
        var released = await _chunks.TryChangeAsync(running.Release(JobError.StuckWithoutHeartbeat(TimeSpan.FromMinutes(4)), T0.AddMinutes(6)), None);
        Assert.Equal((ChunkState.Pending, 1, JobErrorCodes.HeartbeatTimeout, null), (released!.State, released.AttemptCount, released.ErrorCode, released.RunnerJobId));

        Assert.Equal(HeartbeatResult.Lost, await _chunks.HeartbeatAsync(job.Id, 2, 1, 1, T0.AddMinutes(7), None));
        Assert.Null(await _chunks.TryChangeAsync(running.Complete(Output(2), T0.AddMinutes(7)), None));
        var second = await RunAsync(released, T0.AddMinutes(8));
        Assert.Equal((2, null), (second.AttemptCount, second.ErrorCode));
        var done = await _chunks.TryChangeAsync(second.Complete(Output(2), T0.AddMinutes(9)), None);
        Assert.Equal(ChunkState.Done, done!.State);
        Assert.Equal("avc1.4d401e", done.Output!.Variants["360p"].Codec);
        Assert.Equal(Output(2).Variants["360p"].Segments, done.Output.Variants["360p"].Segments);

        var first = await DoneAsync(chunks[0], T0.AddMinutes(9));
        Assert.Equal(("videos/x/hls/j-a1/poster.jpg", "Slide 1"), (first.Output!.PosterKey, Assert.Single(first.Output.Chapters).Title));
        Assert.Equal((ChunkState.Pending, 0), ((await _chunks.FindAsync(job.Id, 1, None))!.State, (await _chunks.FindAsync(job.Id, 1, None))!.AttemptCount));
    }

    [Fact]
    public async Task A_running_chunk_records_its_uploads_fenced_on_its_attempt_and_any_change_of_the_chunk_clears_them()
    {
        var (job, chunks) = await PlannedAsync();
        var running = await RunAsync(chunks[1], T0.AddMinutes(2));
        var first = Output(1) with { PosterKey = null };

        Assert.True(await _chunks.TryRecordUploadedAsync(running.RecordUploaded(first), None));
        var recorded = (await _chunks.FindAsync(job.Id, 1, None))!;
        Assert.Equal(first.Variants["360p"].Segments, recorded.Uploaded!.Variants["360p"].Segments);
        Assert.Null(recorded.Output);
        Assert.Equal(running.UpdatedAt, recorded.UpdatedAt);

        // A superseded attempt writes nothing; the release clears what its attempt had recorded.
        var released = await _chunks.TryChangeAsync(running.Release(JobError.Transient(JobErrorCodes.HeartbeatTimeout, "silent"), T0.AddMinutes(3)), None);
        Assert.Null(released!.Uploaded);
        Assert.False(await _chunks.TryRecordUploadedAsync(running.RecordUploaded(first), None));
        Assert.Throws<InvalidOperationException>(() => released.RecordUploaded(first));

        var second = await RunAsync(released, T0.AddMinutes(4));
        Assert.True(await _chunks.TryRecordUploadedAsync(second.RecordUploaded(first), None));
        var done = await _chunks.TryChangeAsync(second.Complete(Output(1), T0.AddMinutes(5)), None);
        Assert.Equal((ChunkState.Done, null), (done!.State, done.Uploaded));
        Assert.False(await _chunks.TryRecordUploadedAsync(second.RecordUploaded(first), None));
    }

    [Fact]
    public async Task The_assembler_is_elected_once_and_only_when_every_chunk_is_done()
    {
        var (job, chunks) = await PlannedAsync();
        await DoneAsync(chunks[0], T0.AddMinutes(2));
        Assert.False(await _chunks.TryElectAssemblerAsync(job.Id, 1, "0:1", T0.AddMinutes(2), None));

        // The last two finish at once; each elects after its own DONE: exactly one of them assembles.
        var racers = await Task.WhenAll(chunks.Skip(1).Select(chunk => Task.Run(async () =>
        {
            await DoneAsync(chunk, T0.AddMinutes(3));
            return await _chunks.TryElectAssemblerAsync(job.Id, 1, $"{chunk.Index}:1", T0.AddMinutes(3), None);
        })));
        var late = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() => _chunks.TryElectAssemblerAsync(job.Id, 1, $"late-{i}", T0.AddMinutes(4), None))));

        Assert.Single(racers, won => won);
        Assert.DoesNotContain(true, late);
        Assert.False(await _chunks.TryElectAssemblerAsync(job.Id, 2, "other attempt", T0.AddMinutes(4), None));
    }

    [Fact]
    public async Task A_done_chunk_still_beats_for_its_job_while_its_worker_assembles_the_tree()
    {
        var (job, chunks) = await PlannedAsync();
        foreach (var chunk in chunks)
        {
            await DoneAsync(chunk, T0.AddMinutes(2));
        }

        Assert.True(await _chunks.TryElectAssemblerAsync(job.Id, 1, "2:1", T0.AddMinutes(2), None));

        // The assembler uploads the playlists after its DONE; the beat that comes meanwhile is not a lost attempt.
        Assert.Equal(HeartbeatResult.Alive, await _chunks.HeartbeatAsync(job.Id, 2, 1, 1, T0.AddMinutes(3), None));
        Assert.Equal(T0.AddMinutes(3), (await _db.Jobs.FindAsync(job.Id, None))!.LastHeartbeatAt);
        Assert.Equal(HeartbeatResult.Lost, await _chunks.HeartbeatAsync(job.Id, 2, 1, 2, T0.AddMinutes(3), None));
        Assert.Equal(HeartbeatResult.Lost, await _chunks.HeartbeatAsync(job.Id, 2, 2, 1, T0.AddMinutes(3), None));
    }

    [Fact]
    public async Task Of_many_racing_finishers_exactly_one_assembles()
    {
        for (var round = 0; round < 10; round++)
        {
            var (job, chunks) = await PlannedAsync();
            var racers = await Task.WhenAll(chunks.Select(chunk => Task.Run(async () =>
            {
                await DoneAsync(chunk, T0.AddMinutes(3));
                return await _chunks.TryElectAssemblerAsync(job.Id, 1, $"{chunk.Index}:1", T0.AddMinutes(3), None);
            })));

            Assert.Single(racers, won => won);
        }
    }
}
