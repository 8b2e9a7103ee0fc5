using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;

namespace Academy.Video.UnitTests.Domain;

public sealed class ChunkPlanTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 5, 0, 0, TimeSpan.Zero);

    private static List<double> Multiples(double target, double duration) =>
        Enumerable.Range(1, (int)Math.Ceiling(duration / target) - 1).Select(n => n * target).ToList();

    [Fact]
    public void Only_a_source_longer_than_the_threshold_is_chunked_and_zero_turns_it_off()
    {
        Assert.False(ChunkPlan.Applies(20 * 60, TimeSpan.FromMinutes(20)));
        Assert.True(ChunkPlan.Applies(20 * 60 + 0.1, TimeSpan.FromMinutes(20)));
        Assert.False(ChunkPlan.Applies(10 * 3600, TimeSpan.Zero));
    }

    [Fact]
    public void A_sixty_second_video_in_six_second_segments_splits_into_three_chunks_of_whole_segments_at_boundaries()
    {
        var chunks = ChunkPlan.Split(Multiples(6, 60), 60, TimeSpan.FromSeconds(20), 16);

        Assert.Equal(
            [new ChunkRange(0, 0, 3, 0, 18), new ChunkRange(1, 3, 7, 18, 42), new ChunkRange(2, 7, 10, 42, 60)],
            chunks);
    }

    [Fact]
    public void Chunk_0_s_range_is_shorter_by_its_extras_so_every_chunk_has_about_the_same_work()
    {
        // An hour in 6 s segments, two chunks, extras a tenth of the whole: W = 3600 × 1.1 / 2 = 1980, chunk 0's range 1620 s.
        var two = ChunkPlan.Split(Multiples(6, 3600), 3600, TimeSpan.FromMinutes(30), 16, firstChunkExtras: 0.1);
        Assert.Equal([(0.0, 1620.0), (1620.0, 3600.0)], two.Select(c => (c.StartSeconds, c.EndSeconds)));

        // Sixteen chunks: the extras (360 s of work) outweigh a chunk's share (247.5 s), chunk 0 keeps one segment and the
        // others share the rest evenly.
        var sixteen = ChunkPlan.Split(Multiples(6, 3600), 3600, TimeSpan.FromSeconds(225), 16, firstChunkExtras: 0.1);
        Assert.Equal(16, sixteen.Count);
        Assert.Equal(1, sixteen[0].SegmentCount);
        Assert.All(sixteen.Skip(1), c => Assert.InRange(c.EndSeconds - c.StartSeconds, 200, 260));

        Assert.Equal(ChunkPlan.Split(Multiples(6, 3600), 3600, TimeSpan.FromMinutes(30), 16), ChunkPlan.Split(Multiples(6, 3600), 3600, TimeSpan.FromMinutes(30), 16, 0));
    }

    [Fact]
    public void The_chunks_cover_every_segment_once_in_order_each_at_least_one_segment()
    {
        foreach (var (target, duration, chunk, max, extras) in new[] { (6.0, 3601.5, 600.0, 16, 0.0), (4.0, 1234.0, 60.0, 16, 0.09), (6.0, 20.0, 1.0, 16, 0.5), (2.0, 5000.0, 100.0, 7, 0.09), (6.0, 10800.0, 675.0, 16, 0.09) })
        {
            var cuts = Multiples(target, duration);
            var chunks = ChunkPlan.Split(cuts, duration, TimeSpan.FromSeconds(chunk), max, extras);

            Assert.InRange(chunks.Count, 1, Math.Min(max, cuts.Count + 1));
            Assert.Equal(0, chunks[0].FirstSegment);
            Assert.Equal(cuts.Count + 1, chunks[^1].EndSegment);
            Assert.Equal(duration, chunks[^1].EndSeconds);
            Assert.All(chunks.Zip(chunks.Skip(1)), p => Assert.Equal((p.First.EndSegment, p.First.EndSeconds), (p.Second.FirstSegment, p.Second.StartSeconds)));
            Assert.All(chunks, c => Assert.True(c.SegmentCount >= 1));
            // Every start but the first is a boundary where a single run cuts.
            Assert.All(chunks.Skip(1), c => Assert.Equal(cuts[c.FirstSegment - 1], c.StartSeconds));
        }
    }

    [Fact]
    public void A_copied_rung_s_uneven_cuts_are_the_boundaries_and_the_count_follows_the_chunk_length()
    {
        double[] cuts = [6.2, 12.5, 18.0, 25.1, 30.3, 36.9, 42.0, 48.4, 54.0];

        var chunks = ChunkPlan.Split(cuts, 59.5, TimeSpan.FromSeconds(30), 16);

        Assert.Equal([(0, 5, 0.0, 30.3), (5, 10, 30.3, 59.5)], chunks.Select(c => (c.FirstSegment, c.EndSegment, c.StartSeconds, c.EndSeconds)));
        Assert.Single(ChunkPlan.Split(cuts, 59.5, TimeSpan.FromSeconds(60), 16));
        Assert.Equal(10, ChunkPlan.Split(cuts, 59.5, TimeSpan.FromSeconds(1), 16).Count);
        Assert.Equal(3, ChunkPlan.Split(cuts, 59.5, TimeSpan.FromSeconds(1), 3).Count);
    }

    [Fact]
    public void A_chunk_attempt_fences_its_changes_and_names_its_segments_apart_from_other_attempts()
    {
        var chunk = new JobChunk { JobId = Guid.NewGuid(), Index = 1, JobAttempt = 2, Range = new ChunkRange(1, 3, 7, 18, 42), Plan = "p" };

        var start = chunk.Start(T0);
        Assert.Equal((ChunkState.Pending, 0, ChunkState.Running, 1, 2), (start.FromState, start.FromAttempt, start.ToState, start.ToAttempt, start.JobAttempt));
        var running = chunk with { State = ChunkState.Running, AttemptCount = 1 };
        var release = running.Release(JobError.StuckWithoutHeartbeat(TimeSpan.FromMinutes(4)), T0);
        Assert.Equal((ChunkState.Pending, 1, JobErrorCodes.HeartbeatTimeout, true), (release.ToState, release.ToAttempt, release.Error!.Code, release.ClearsRunner));
        Assert.Throws<InvalidOperationException>(() => running.Start(T0));
        Assert.Throws<InvalidOperationException>(() => chunk.Complete(new ChunkOutput(new Dictionary<string, ChunkVariantOutput>()), T0));
        Assert.False(running.Exhausted(JobPolicy.Default));
        Assert.True((running with { AttemptCount = JobPolicy.Default.MaxAttempts }).Exhausted(JobPolicy.Default));
        Assert.Equal(["seg_%05d.ts", "seg_%05d-r2.ts"], new[] { JobChunk.SegmentPattern(1), JobChunk.SegmentPattern(2) });
    }

    [Fact]
    public void A_submission_that_never_started_is_released_from_SUBMITTED_only_and_counts_as_an_attempt()
    {
        var submitted = new JobChunk { JobId = Guid.NewGuid(), Index = 2, JobAttempt = 1, Range = new ChunkRange(2, 7, 10, 42, 60), Plan = "p", State = ChunkState.Submitted, AttemptCount = 1, RunnerJobId = "batch-1" };
        var error = new JobError(JobErrorCodes.NeverStarted, "The chunk's submission never started: the runner does not know it.", JobErrorKind.Transient);

        var release = submitted.ReleaseNeverStarted(error, T0);

        Assert.Equal((ChunkState.Submitted, 1, ChunkState.Pending, 2, true), (release.FromState, release.FromAttempt, release.ToState, release.ToAttempt, release.ClearsRunner));
        Assert.Equal(JobErrorCodes.NeverStarted, release.Error!.Code);
        Assert.Throws<InvalidOperationException>(() => (submitted with { State = ChunkState.Running }).ReleaseNeverStarted(error, T0));
        Assert.Throws<InvalidOperationException>(() => (submitted with { State = ChunkState.Pending }).ReleaseNeverStarted(error, T0));
    }
}
