using Academy.Video.Application.Jobs.ProcessJob;
using Academy.Video.Domain.Media;

namespace Academy.Video.UnitTests.Domain;

public sealed class ResumeAndStoryboardTests
{
    private static readonly SourceCopyDecision Encoded = SourceCopyDecision.Encode(SourceCopyCodes.NotH264, "HEVC");

    [Fact]
    public void A_resume_reuses_the_run_of_segments_every_video_variant_has_stored_at_its_recorded_size()
    {
        var progress = Progress("plan", 1, ("720p", 4, null), ("360p", 3, null));
        var stored = Stored(("720p", 4), ("360p", 3));

        var point = HlsResume.Choose("plan", ["720p", "360p"], Encoded, 6, [new ResumeCandidate(progress, stored)]);

        Assert.Equal((1, 3), (point!.Attempt, point.SegmentCount));
        Assert.Equal(["seg_00000.ts", "seg_00001.ts", "seg_00002.ts"], point.Segments["720p"].Select(s => s.Uri));
    }

    [Fact]
    public void A_gap_a_changed_size_or_another_plan_stops_what_is_reused()
    {
        var progress = Progress("plan", 1, ("720p", 5, null));
        var gap = Stored(("720p", 5)).Where(o => o.Key != "720p/seg_00002.ts").ToDictionary();
        var resized = Stored(("720p", 5)).ToDictionary(o => o.Key, o => o.Key == "720p/seg_00001.ts" ? 1 : o.Value);

        Assert.Equal(2, HlsResume.Choose("plan", ["720p"], Encoded, 6, [new ResumeCandidate(progress, gap)])!.SegmentCount);
        Assert.Equal(1, HlsResume.Choose("plan", ["720p"], Encoded, 6, [new ResumeCandidate(progress, resized)])!.SegmentCount);
        Assert.Null(HlsResume.Choose("other plan", ["720p"], Encoded, 6, [new ResumeCandidate(progress, Stored(("720p", 5)))]));
        // Killed before a segment of every variant went up: nothing to resume from.
        Assert.Null(HlsResume.Choose("plan", ["720p", "360p"], Encoded, 6, [new ResumeCandidate(progress, Stored(("720p", 5)))]));
    }

    [Fact]
    public void A_finished_variant_leaves_its_last_segment_to_encode_and_the_attempt_reusing_most_wins()
    {
        var done = Progress("plan", 2, ("720p", 4, 4));
        var partial = Progress("plan", 1, ("720p", 2, null));

        var point = HlsResume.Choose("plan", ["720p"], Encoded, 6,
            [new ResumeCandidate(partial, Stored(("720p", 2))), new ResumeCandidate(done, Stored(("720p", 4)))]);

        Assert.Equal((2, 3), (point!.Attempt, point.SegmentCount));
    }

    [Fact]
    public void A_copied_top_rung_resumes_only_at_a_cut_from_which_ffmpeg_cuts_the_rest_as_a_clean_run_did()
    {
        // Key frames every 1.5 s, 2 s target: the clean cuts are 3, 4.5, 6, 9, 10.5, 12. From 4.5 ffmpeg would cut at 7.5
        // (2 s after 4.5 measured from there), not 6; from 6 it cuts at 9, 10.5, 12 again.
        var keyframes = Enumerable.Range(0, 10).Select(i => i * 1.5).ToList();
        var packets = new KeyframeIndex(keyframes, 14, 1_000_000);
        var cuts = HlsSegmentation.Cuts(keyframes, 14, 2);
        var copied = new SourceCopyDecision(true, SourceCopyCodes.Copied, "fits", cuts) { Packets = packets };
        Assert.Equal([3, 4.5, 6, 9, 10.5, 12], cuts);

        var fromThree = HlsResume.Choose("plan", ["720p"], copied, 2, [new ResumeCandidate(Progress("plan", 1, ("720p", 3, null)), Stored(("720p", 3)))]);
        var fromFive = HlsResume.Choose("plan", ["720p"], copied, 2, [new ResumeCandidate(Progress("plan", 1, ("720p", 5, null)), Stored(("720p", 5)))]);

        Assert.Equal(3, fromThree!.SegmentCount);
        // From 10.5 or 9 ffmpeg would cut at 13.5 or 12 next, not at 12 or 10.5: of five stored segments, three are reused.
        Assert.Equal(3, fromFive!.SegmentCount);
    }

    [Fact]
    public void The_progress_record_round_trips_and_an_unknown_version_or_damaged_text_is_no_record()
    {
        var progress = Progress("plan", 3, ("720p", 2, 2), ("audio", 1, null));

        var read = HlsProgressJson.Read(HlsProgressJson.Write(progress))!;

        Assert.Equal(("plan", 3), (read.Plan, read.Attempt));
        Assert.Equal(progress.Variants["720p"].Segments, read.Variants["720p"].Segments);
        Assert.Equal((2, (int?)null), (read.Variants["720p"].SegmentCount, read.Variants["audio"].SegmentCount));
        Assert.Null(HlsProgressJson.Read("""{"version":2,"plan":"plan","attempt":1,"variants":{}}"""));
        Assert.Null(HlsProgressJson.Read("{\"version\":1,"));
    }

    [Fact]
    public void A_media_playlist_is_rendered_from_its_entries_with_the_rounded_longest_as_target()
    {
        var text = HlsMediaPlaylist.RenderVod([new(6.006, "seg_00000.ts"), new(6.5, "seg_00001.ts"), new(1.2, "seg_00002.ts")]);

        Assert.Equal(
            "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:7\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n" +
            "#EXTINF:6.006000,\nseg_00000.ts\n#EXTINF:6.500000,\nseg_00001.ts\n#EXTINF:1.200000,\nseg_00002.ts\n#EXT-X-ENDLIST\n",
            text);
        var parsed = HlsMediaPlaylist.Parse(text);
        Assert.True(parsed.Ended);
        Assert.Equal([6.006, 6.5, 1.2], parsed.Entries.Select(e => e.DurationSeconds));
        // ffmpeg's playlist read mid-write: an EXTINF without its URI yet is not an entry.
        Assert.Single(HlsMediaPlaylist.Parse("#EXTM3U\n#EXTINF:2,\nseg_00000.ts\n#EXTINF:2,\n").Entries);
    }

    [Theory]
    [InlineData(14.014, 2, 29.97, 2, 7, 7, 1)]
    [InlineData(60, 6, 30, 6, 10, 10, 1)]
    [InlineData(12, 1, 30, 1, 12, 10, 2)]
    [InlineData(7200, 6, 30, 78, 93, 10, 10)]
    [InlineData(0.5, 6, 30, 6, 1, 1, 1)]
    public void A_storyboard_has_a_tile_per_interval_up_to_the_last_frame_never_more_than_a_hundred(
        double duration, double segment, double fps, double interval, int count, int columns, int rows)
    {
        var plan = StoryboardPlan.For(duration, segment, 1920, 1080, fps);

        Assert.Equal((interval, count, columns, rows, 160, 90), (plan.IntervalSeconds, plan.Count, plan.Columns, plan.Rows, plan.TileWidth, plan.TileHeight));
        Assert.Equal((90, 160), (StoryboardPlan.For(duration, segment, 1080, 1920, fps).TileWidth, StoryboardPlan.For(duration, segment, 1080, 1920, fps).TileHeight));
    }

    [Fact]
    public void The_storyboard_index_covers_the_whole_duration_tile_by_tile()
    {
        var plan = StoryboardPlan.For(14.014, 2, 640, 360, 29.97);

        var vtt = plan.RenderVtt("storyboard.jpg", 14.014);

        Assert.StartsWith("WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nstoryboard.jpg#xywh=0,0,160,90\n", vtt, StringComparison.Ordinal);
        Assert.EndsWith("\n00:00:12.000 --> 00:00:14.014\nstoryboard.jpg#xywh=960,0,160,90\n", vtt, StringComparison.Ordinal);
        Assert.Equal(7, vtt.Split("-->").Length - 1);
    }

    [Fact]
    public void Signing_the_storyboard_index_rewrites_its_image_uris_and_keeps_each_tile_fragment()
    {
        var vtt = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nstoryboard.jpg#xywh=0,0,160,90\n\n00:00:02.000 --> 00:00:04.000\nstoryboard.jpg#xywh=160,0,160,90\n";

        var signed = StoryboardIndex.RewriteImageUris(vtt, path => $"https://cdn.test/{path}?sig=1");

        Assert.Equal(vtt.Replace("storyboard.jpg#", "https://cdn.test/storyboard.jpg?sig=1#", StringComparison.Ordinal), signed);
    }

    [Theory]
    [InlineData(60, null, 6)]
    [InlineData(60, 42.5, 42.5)]
    [InlineData(60, 90.0, 59.5)]
    [InlineData(0.3, null, 0)]
    public void The_poster_is_a_tenth_in_or_where_the_client_asked_never_past_the_last_frames(double duration, double? requested, double expected)
    {
        Assert.Equal(expected, Poster.TimeFor(duration, requested), precision: 6);
    }

    [Theory]
    [InlineData(24, true)]
    [InlineData(18, false)]
    [InlineData(12.02, true)] // a copied cut a frame after the tile time: its first frame is that tile
    [InlineData(12.05, false)]
    public void A_resumed_run_s_first_frame_is_a_tile_only_when_a_tile_time_falls_on_it(double start, bool tile)
    {
        var plan = StoryboardPlan.For(60, 6, 1920, 1080, 30) with { IntervalSeconds = 12 };

        Assert.Equal(tile, plan.TileStartsAt(start, 30));
    }

    private static HlsProgress Progress(string plan, int attempt, params (string Variant, int Segments, int? Count)[] variants) =>
        new(plan, attempt, variants.ToDictionary(
            v => v.Variant,
            v => new VariantProgress(Enumerable.Range(0, v.Segments).Select(i => new HlsSegmentRecord(i, $"seg_{i:00000}.ts", 6, 1000 + i)).ToList(), v.Count)));

    private static Dictionary<string, long> Stored(params (string Variant, int Segments)[] variants) =>
        variants.SelectMany(v => Enumerable.Range(0, v.Segments).Select(i => ($"{v.Variant}/seg_{i:00000}.ts", 1000L + i))).ToDictionary(p => p.Item1, p => p.Item2);
}
