using System.Globalization;
using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Media;
using Academy.Video.Infrastructure.Transcoding;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Academy.Video.IntegrationTests.Transcoding;

/// <summary>
/// Progressive publish and resume at the encoder, with real ffmpeg: segments are reported while ffmpeg runs, and an encode
/// resumed at a segment boundary — with the earlier segments put beside it, as the publisher copies them — is the same
/// tree as a clean one: the same segments and durations, the same video timestamps packet by packet, the audio, poster
/// and storyboard identical, and ffmpeg decodes it end to end. 480p sources of 10–12 s keep it cheap.
/// </summary>
public sealed class ResumeEncodeTests : IDisposable
{
    private static readonly TimeSpan Segment = TimeSpan.FromSeconds(2);

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"academy-video-resume-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Segments_are_reported_complete_and_in_order_while_ffmpeg_is_still_running()
    {
        var encoder = Encoder(sourceCopy: false);
        var request = await RequestAsync(SourceClips.Make("resume-encoded-480", 854, 480, 12, lavfiVideo: "testsrc2=size=854x480:rate=30000/1001:duration=12"), "clean");
        var whileRunning = 0;
        var sink = new RecordingSegments(segment =>
        {
            if (FfmpegRunningFor(request.OutputDirectory))
            {
                Interlocked.Increment(ref whileRunning);
            }
        });

        var output = await encoder.EncodeAsync(request, new Progress<double>(), CancellationToken.None, sink);

        Assert.True(whileRunning > 0, "no segment was reported before ffmpeg exited");
        foreach (var variant in FfmpegHlsArguments.Variants(request))
        {
            var playlist = Playlist.ReadMedia(Path.Combine(output.OutputDirectory, variant, "index.m3u8"));
            var reported = sink.Closed.Where(s => s.Variant == variant).ToList();
            Assert.Equal(playlist.Segments.Select(s => s.Uri), reported.Select(s => s.Segment.Uri));
            Assert.Equal(Enumerable.Range(0, reported.Count), reported.Select(s => s.Segment.Index));
            Assert.Equal(playlist.Segments.Select(s => (s.Seconds, s.Bytes)), reported.Select(s => (s.Segment.DurationSeconds, s.Segment.Bytes)));
            Assert.Equal([.. Enumerable.Repeat(false, reported.Count - 1), true], reported.Select(s => s.Last));
        }
    }

    [Fact]
    public async Task An_encode_resumed_at_a_boundary_makes_the_clean_tree_again_at_29_97_fps()
    {
        var encoder = Encoder(sourceCopy: false);
        var source = SourceClips.Make("resume-encoded-480", 854, 480, 12, lavfiVideo: "testsrc2=size=854x480:rate=30000/1001:duration=12");

        await AssertResumeMakesTheCleanTreeAsync(encoder, source, segments: 3, expectCopy: false);
    }

    [Fact]
    public async Task An_encode_resumed_at_a_boundary_makes_the_clean_tree_again_when_the_source_s_frames_are_off_the_grid()
    {
        var encoder = Encoder(sourceCopy: false);
        // The video starts 21 ms after the audio: a frame falls 12 ms before every boundary, nearer than half a frame, and a
        // run cut at the boundary itself would disagree with the clean run about its segment (decision 0023).
        var source = SourceClips.Make("resume-off-grid-480", 854, 480, 12, videoDelaySeconds: 0.021029);
        Assert.InRange(Ffprobe.VideoStartSeconds(source), 0.02, 0.022);

        await AssertResumeMakesTheCleanTreeAsync(encoder, source, segments: 3, expectCopy: false);
    }

    [Fact]
    public async Task A_slides_encode_resumed_at_a_boundary_keeps_the_clean_run_s_frames_and_makes_its_tree_again()
    {
        var encoder = Encoder(sourceCopy: false);
        // 29.97 fps: the thinning's tenth-of-a-second ticks and the 2 s boundaries fall between source frames.
        var source = SourceClips.Make("resume-slides-480", 854, 480, 12, lavfiVideo: SourceClips.SlidesLavfi(854, 480, 12, rate: "30000/1001"));
        Assert.True((await encoder.PlanAsync(await RequestAsync(source, "profile"), CancellationToken.None)).Profile.IsSlides);

        await AssertResumeMakesTheCleanTreeAsync(encoder, source, segments: 3, expectCopy: false);
    }

    [Fact]
    public async Task A_slides_encode_with_a_copied_top_rung_resumed_at_a_cut_makes_the_clean_tree_again()
    {
        var encoder = Encoder(sourceCopy: true);
        var source = SourceClips.Make("resume-slides-copy-480", 854, 480, 10, keyframeSeconds: [1.5, 3, 4.5, 6, 7.5, 9], lavfiVideo: SourceClips.SlidesLavfi(854, 480, 10));
        var plan = await encoder.PlanAsync(await RequestAsync(source, "profile"), CancellationToken.None);
        Assert.True(plan.Profile.IsSlides);
        Assert.Contains("stillimage", encoder.Arguments(plan, null));

        await AssertResumeMakesTheCleanTreeAsync(encoder, source, segments: 3, expectCopy: true);
    }

    [Fact]
    public async Task A_copied_top_rung_resumed_at_a_cut_makes_the_clean_tree_again()
    {
        var encoder = Encoder(sourceCopy: true);
        // Key frames every 1.5 s, 2 s target: cuts at 3, 4.5, 6 and 9; from 6 ffmpeg cuts at 9 again.
        var source = SourceClips.Make("resume-copy-480", 854, 480, 10, keyframeSeconds: [1.5, 3, 4.5, 6, 7.5, 9]);

        await AssertResumeMakesTheCleanTreeAsync(encoder, source, segments: 3, expectCopy: true);
    }

    [Fact]
    public async Task The_poster_is_a_jpeg_of_the_top_rendition_s_size_taken_where_asked_and_the_storyboard_index_covers_the_duration()
    {
        var encoder = Encoder(sourceCopy: false);
        var source = SourceClips.Make("poster-480", 854, 480, 7);
        var request = await RequestAsync(source, "poster") with { PosterAtSeconds = 4.5 };

        var output = await encoder.EncodeAsync(request, new Progress<double>(), CancellationToken.None);

        Assert.Equal(("poster.jpg", "storyboard.vtt"), (output.Poster, output.Storyboard));
        var poster = Path.Combine(output.OutputDirectory, "poster.jpg");
        Assert.Equal(("mjpeg", 854, 480), Picture(poster));
        // The same frame as the source's at 4.5 s, scaled the same way: near identical; the frame at 1 s is not.
        Assert.InRange(Ssim(poster, source, 4.5), 0.95, 1);
        Assert.InRange(Ssim(poster, source, 1), 0, 0.9);

        var plan = FfmpegHlsArguments.Storyboard(request);
        Assert.Equal(("mjpeg", plan.SpriteWidth, plan.SpriteHeight), Picture(Path.Combine(output.OutputDirectory, "storyboard.jpg")));
        var cues = Cues(await File.ReadAllTextAsync(Path.Combine(output.OutputDirectory, "storyboard.vtt")));
        Assert.Equal(plan.Count, cues.Count);
        Assert.Equal(0, cues[0].Start);
        Assert.All(cues.Zip(cues.Skip(1)), pair => Assert.Equal(pair.First.End, pair.Second.Start));
        Assert.Equal(request.Source.Duration.TotalSeconds, cues[^1].End, precision: 3);
        Assert.All(cues, c =>
        {
            Assert.StartsWith("storyboard.jpg#xywh=", c.Image, StringComparison.Ordinal);
            var box = c.Image["storyboard.jpg#xywh=".Length..].Split(',').Select(int.Parse).ToArray();
            Assert.True(box[0] + box[2] <= plan.SpriteWidth && box[1] + box[3] <= plan.SpriteHeight, c.Image);
        });
    }

    [Fact]
    public async Task An_encode_resumed_after_a_slide_change_finds_the_chapters_of_a_clean_one_from_both_parts()
    {
        var encoder = Encoder(sourceCopy: false);
        Directory.CreateDirectory(_root);
        var source = Path.Combine(_root, "slides.mp4");
        var lecture = Academy.Video.Testing.LectureSources.Slides(4, 32, 320, 180, source);
        Academy.Video.IntegrationTests.Media.TestClips.Ffmpeg(lecture.Arguments);
        var cleanPlan = await encoder.PlanAsync(await RequestAsync(source, "clean"), CancellationToken.None);
        var clean = await encoder.EncodeAsync(cleanPlan, null, new Progress<double>(), new RecordingSegments(), CancellationToken.None);
        // Resumed at 12 s: the gray copy is the part before (input head) joined to the ladder's.
        const int segments = 6;
        var reused = cleanPlan.VideoVariants.ToDictionary(
            v => v,
            v => (IReadOnlyList<HlsSegmentRecord>)Playlist.ReadMedia(Path.Combine(clean.OutputDirectory, v, "index.m3u8")).Segments
                .Take(segments).Select((s, i) => new HlsSegmentRecord(i, s.Uri, s.Seconds, s.Bytes)).ToList());
        var resumedPlan = await encoder.PlanAsync(await RequestAsync(source, "resumed"), CancellationToken.None);

        var resumed = await encoder.EncodeAsync(resumedPlan, new HlsResumePoint(1, segments, reused), new Progress<double>(), new RecordingSegments(), CancellationToken.None);

        Assert.Equal(lecture.ChangeSeconds.Count + 1, clean.Chapters.Count);
        Assert.All(clean.Chapters.Skip(1).Zip(lecture.ChangeSeconds), p => Assert.InRange(p.First.Start, p.Second - 1, p.Second + 1));
        Assert.Equal(clean.Chapters.Count, resumed.Chapters.Count);
        Assert.All(clean.Chapters.Zip(resumed.Chapters), p => Assert.InRange(p.Second.Start, p.First.Start - 0.5, p.First.Start + 0.5));
        Assert.Equal("chapters.vtt", resumed.ChaptersTrack);
        Assert.All(resumed.Chapters, c => Assert.Contains(c.ThumbnailKey!, resumed.Files));
        Assert.False(File.Exists(FfmpegSlideChanges.AnalysisPath(resumed.OutputDirectory)), "the gray copy is left behind");
    }

    private async Task AssertResumeMakesTheCleanTreeAsync(FfmpegHlsEncoder encoder, string source, int segments, bool expectCopy)
    {
        var clean = await RequestAsync(source, "clean");
        var cleanPlan = await encoder.PlanAsync(clean, CancellationToken.None);
        Assert.Equal(expectCopy, cleanPlan.TopRung.Copy);
        var cleanOutput = await encoder.EncodeAsync(cleanPlan, null, new Progress<double>(), new RecordingSegments(), CancellationToken.None);

        // The segments an earlier attempt stored: the clean run's first ones.
        var reused = cleanPlan.VideoVariants.ToDictionary(
            v => v,
            v => (IReadOnlyList<HlsSegmentRecord>)Playlist.ReadMedia(Path.Combine(cleanOutput.OutputDirectory, v, "index.m3u8")).Segments
                .Take(segments).Select((s, i) => new HlsSegmentRecord(i, s.Uri, s.Seconds, s.Bytes)).ToList());
        var resumed = await RequestAsync(source, "resumed");
        var resumedPlan = await encoder.PlanAsync(resumed, CancellationToken.None);
        Assert.Equal(cleanPlan.Fingerprint, resumedPlan.Fingerprint);
        var sink = new RecordingSegments();

        var output = await encoder.EncodeAsync(resumedPlan, new HlsResumePoint(1, segments, reused), new Progress<double>(), sink, CancellationToken.None);

        // Only what follows the resume point was written; the earlier segments are put beside it as the publisher copies them.
        Assert.All(sink.Closed.Where(s => s.Variant != "audio"), s => Assert.True(s.Segment.Index >= segments, $"{s.RelativePath} was encoded again"));
        foreach (var (variant, records) in reused)
        {
            Assert.All(records, r => Assert.DoesNotContain($"{variant}/{r.Uri}", output.Files));
        }

        // The downloads are made from every segment: the resumed run fetches the reused ones of its rung, and its MP4 and
        // M4A are the clean run's, packet by packet and byte for byte.
        var cleanDownloads = (await encoder.AddDownloadsAsync(cleanPlan, cleanOutput, (p, _) => throw new InvalidOperationException($"the clean run fetched {string.Join(", ", p)}"), CancellationToken.None)).Downloads!;
        var fetched = new List<string>();
        var resumedDownloads = (await encoder.AddDownloadsAsync(resumedPlan, output, (paths, _) =>
        {
            fetched.AddRange(paths);
            foreach (var p in paths)
            {
                File.Copy(Path.Combine(cleanOutput.OutputDirectory, p), Path.Combine(output.OutputDirectory, p));
            }

            return Task.CompletedTask;
        }, CancellationToken.None)).Downloads!;
        Assert.Equal(reused[cleanDownloads.Rendition].Select(r => $"{cleanDownloads.Rendition}/{r.Uri}"), fetched);
        Assert.Equal(
            MediaTools.VideoPackets(Path.Combine(cleanOutput.OutputDirectory, cleanDownloads.Video)),
            MediaTools.VideoPackets(Path.Combine(output.OutputDirectory, resumedDownloads.Video)));
        Assert.Equal(
            await File.ReadAllBytesAsync(Path.Combine(cleanOutput.OutputDirectory, cleanDownloads.Audio!)),
            await File.ReadAllBytesAsync(Path.Combine(output.OutputDirectory, resumedDownloads.Audio!)));
        DownloadAssert.Mp4(Path.Combine(output.OutputDirectory, resumedDownloads.Video), resumed.Renditions[0].Width, resumed.Renditions[0].Height, resumed.Source.Duration.TotalSeconds, withAudio: true);

        foreach (var (variant, records) in reused)
        {
            foreach (var record in records)
            {
                File.Copy(Path.Combine(cleanOutput.OutputDirectory, variant, record.Uri), Path.Combine(output.OutputDirectory, variant, record.Uri), overwrite: true);
            }
        }

        foreach (var variant in cleanPlan.VideoVariants)
        {
            var expected = Playlist.ReadMedia(Path.Combine(cleanOutput.OutputDirectory, variant, "index.m3u8"));
            var actual = Playlist.ReadMedia(Path.Combine(output.OutputDirectory, variant, "index.m3u8"));
            Assert.True(actual.Finished);
            Assert.Equal(expected.Segments.Select(s => (s.Uri, s.Seconds)), actual.Segments.Select(s => (s.Uri, s.Seconds)));
            // Packet by packet the video has the clean run's timestamps: nothing shifted, repeated or missing at the seam.
            Assert.Equal(MediaTools.VideoPackets(Path.Combine(cleanOutput.OutputDirectory, variant, "index.m3u8")), MediaTools.VideoPackets(Path.Combine(output.OutputDirectory, variant, "index.m3u8")));
        }

        // The audio is encoded whole again: the same bytes, so nothing to join at the seam.
        foreach (var file in Directory.EnumerateFiles(Path.Combine(cleanOutput.OutputDirectory, "audio")))
        {
            Assert.Equal(await File.ReadAllBytesAsync(file), await File.ReadAllBytesAsync(Path.Combine(output.OutputDirectory, "audio", Path.GetFileName(file))));
        }

        Assert.Equal(Shape(await File.ReadAllTextAsync(Path.Combine(cleanOutput.OutputDirectory, "master.m3u8"))), Shape(await File.ReadAllTextAsync(Path.Combine(output.OutputDirectory, "master.m3u8"))));
        Assert.Equal(MediaTools.Frames(Path.Combine(cleanOutput.OutputDirectory, "storyboard.jpg")), MediaTools.Frames(Path.Combine(output.OutputDirectory, "storyboard.jpg")));
        Assert.Equal(MediaTools.Frames(Path.Combine(cleanOutput.OutputDirectory, "poster.jpg")), MediaTools.Frames(Path.Combine(output.OutputDirectory, "poster.jpg")));
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(cleanOutput.OutputDirectory, "storyboard.vtt")), await File.ReadAllTextAsync(Path.Combine(output.OutputDirectory, "storyboard.vtt")));
        HlsOutputAssert.DecodesEndToEnd(Path.Combine(output.OutputDirectory, "master.m3u8"));
    }

    private static FfmpegHlsEncoder Encoder(bool sourceCopy) =>
        new(Options.Create(new TranscodingOptions { SourceCopy = sourceCopy }), NullLogger<FfmpegHlsEncoder>.Instance);

    private async Task<HlsEncodeRequest> RequestAsync(string source, string name)
    {
        var info = await new FfprobeMediaProbe(Options.Create(new TranscodingOptions())).ProbeAsync(source, CancellationToken.None);
        var renditions = HlsLadder.Plan(info.DisplayWidth, info.DisplayHeight, HlsLadder.DefaultRungs);
        return new HlsEncodeRequest(source, info, renditions, Path.Combine(_root, name + "-" + Guid.NewGuid().ToString("N")[..8]), Segment);
    }

    /// <summary>The master without its measured rates (a resumed run's later segments are encoded anew, so their sizes differ).</summary>
    private static string Shape(string master) =>
        System.Text.RegularExpressions.Regex.Replace(master, "(AVERAGE-)?BANDWIDTH=[0-9]+", "$1BANDWIDTH=*");

    private static (string Codec, int Width, int Height) Picture(string path)
    {
        using var probe = Ffprobe.Json(path);
        var stream = probe.RootElement.GetProperty("streams")[0];
        return (stream.GetProperty("codec_name").GetString()!, stream.GetProperty("width").GetInt32(), stream.GetProperty("height").GetInt32());
    }

    /// <summary>SSIM of the picture against the source's first frame at or after <paramref name="seconds"/>, scaled to its size.</summary>
    private static double Ssim(string picture, string source, double seconds)
    {
        var (_, width, height) = Picture(picture);
        var at = seconds.ToString(CultureInfo.InvariantCulture);
        var output = MediaTools.Run("ffmpeg", ["-hide_banner", "-nostdin", "-i", picture, "-i", source, "-filter_complex",
            $"[1:v]select='gte(t,{at})*isnan(prev_selected_t)',scale={width}:{height},format=yuv420p[reference];[0:v]format=yuv420p[poster];[poster][reference]ssim", "-frames:v", "1", "-f", "null", "-"], stderr: true);
        var match = System.Text.RegularExpressions.Regex.Match(output, @"SSIM .* All:([0-9.]+)");
        Assert.True(match.Success, output);
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static List<(double Start, double End, string Image)> Cues(string vtt)
    {
        var lines = vtt.Split('\n');
        Assert.Equal("WEBVTT", lines[0]);
        return lines.Select((line, i) => (line, i)).Where(l => l.line.Contains("-->", StringComparison.Ordinal))
            .Select(l =>
            {
                var times = l.line.Split("-->").Select(t => TimeSpan.Parse(t.Trim(), CultureInfo.InvariantCulture).TotalSeconds).ToArray();
                return (times[0], times[1], lines[l.i + 1]);
            })
            .ToList();
    }

    private static bool FfmpegRunningFor(string outputDirectory) =>
        Directory.EnumerateDirectories("/proc").Any(entry =>
        {
            try
            {
                var commandLine = File.ReadAllText(Path.Combine(entry, "cmdline")).Split('\0');
                return Path.GetFileName(commandLine[0]) == "ffmpeg" && commandLine.Any(a => a.Contains(outputDirectory, StringComparison.Ordinal));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        });
}
