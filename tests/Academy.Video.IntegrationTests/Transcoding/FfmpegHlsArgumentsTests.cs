using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Media;
using Academy.Video.Infrastructure.Transcoding;

namespace Academy.Video.IntegrationTests.Transcoding;

/// <summary>Pure tests of the argument list; the encoder tests run it through real ffmpeg.</summary>
public sealed class FfmpegHlsArgumentsTests
{
    private static readonly MediaInfo Source1080 = new(TimeSpan.FromSeconds(60), 1920, 1080, 0, 30, HasAudio: true, "h264");

    [Fact]
    public void One_process_splits_the_decoded_picture_into_one_scaled_stream_per_rendition()
    {
        var args = Build(Source1080);

        Assert.Equal(1, args.Count(a => a == "-i"));
        Assert.Equal("/src/in.mp4", Value(args, "-i"));
        Assert.Equal(
            "[0:v]format=yuv420p,split=4[s0][s1][s2][s3]" +
            ";[s0]scale=1920:1080,setsar=1[v0];[s1]scale=1280:720,setsar=1[v1]" +
            ";[s2]scale=854:480,setsar=1[v2];[s3]scale=640:360,setsar=1[v3]",
            Value(args, "-filter_complex"));
        Assert.Equal(["[v0]", "[v1]", "[v2]", "[v3]", "0:a:0"], Values(args, "-map"));
    }

    [Fact]
    public void Each_rendition_is_encoded_at_constant_quality_under_its_cap_with_its_profile()
    {
        var args = Build(Source1080);

        Assert.Equal(["libx264", "libx264", "libx264", "libx264"], Enumerable.Range(0, 4).Select(i => Value(args, $"-c:v:{i}")));
        Assert.Equal("veryfast", Value(args, "-preset"));
        Assert.Equal(["21", "21", "21", "21"], Enumerable.Range(0, 4).Select(i => Value(args, $"-crf:v:{i}")));
        Assert.Equal(["5000k", "2800k", "1400k", "800k"], Enumerable.Range(0, 4).Select(i => Value(args, $"-maxrate:v:{i}")));
        Assert.Equal(["7500k", "4200k", "2100k", "1200k"], Enumerable.Range(0, 4).Select(i => Value(args, $"-bufsize:v:{i}")));
        Assert.Equal(["high", "high", "main", "main"], Enumerable.Range(0, 4).Select(i => Value(args, $"-profile:v:{i}")));
        Assert.DoesNotContain(args, a => a.StartsWith("-b:v", StringComparison.Ordinal));
    }

    [Fact]
    public void The_audio_is_encoded_once_and_every_variant_refers_to_its_rendition()
    {
        var args = Build(Source1080);

        Assert.Equal("aac", Value(args, "-c:a"));
        Assert.Equal("128k", Value(args, "-b:a"));
        Assert.Single(args, a => a == "0:a:0");
        Assert.Equal(
            "v:0,agroup:audio,name:1080p v:1,agroup:audio,name:720p v:2,agroup:audio,name:480p v:3,agroup:audio,name:360p a:0,agroup:audio,name:audio",
            Value(args, "-var_stream_map"));
    }

    [Theory]
    [InlineData(30, 6, "180", "6")]
    [InlineData(29.97, 6, "180", "6")]
    [InlineData(25, 2, "50", "2")]
    [InlineData(24, 2.5, "60", "2.5")]
    [InlineData(0, 6, "180", "6")] // no frame rate probed: 30 assumed, the forced key frames still align
    public void Key_frames_fall_on_every_segment_boundary(double fps, double segmentSeconds, string gop, string segment)
    {
        var args = Build(Source1080 with { FramesPerSecond = fps }, TimeSpan.FromSeconds(segmentSeconds));

        Assert.All(Enumerable.Range(0, 4), i =>
        {
            Assert.Equal(gop, Value(args, $"-g:v:{i}"));
            Assert.Equal(gop, Value(args, $"-keyint_min:v:{i}"));
            Assert.Equal("0", Value(args, $"-sc_threshold:v:{i}"));
            Assert.Equal($"expr:gte(t,n_forced*{segment})", Value(args, $"-force_key_frames:v:{i}"));
        });
        Assert.Equal(segment, Value(args, "-hls_time"));
    }

    [Fact]
    public void Copying_the_top_rung_maps_the_source_stream_and_gives_the_others_key_frames_at_its_cuts()
    {
        var args = FfmpegHlsArguments.Build(Request(Source1080, TimeSpan.FromSeconds(6)), new TranscodingOptions(), [6.0, 12.0, 18.5]);

        Assert.Equal(["0:v:0", "[v0]", "[v1]", "[v2]", "0:a:0"], Values(args, "-map"));
        Assert.Equal("copy", Value(args, "-c:v:0"));
        Assert.DoesNotContain("-crf:v:0", args);
        Assert.Equal(
            "[0:v]format=yuv420p,split=3[s0][s1][s2];[s0]scale=1280:720,setsar=1[v0];[s1]scale=854:480,setsar=1[v1];[s2]scale=640:360,setsar=1[v2]",
            Value(args, "-filter_complex"));
        Assert.All(Enumerable.Range(1, 3), i =>
        {
            Assert.Equal("libx264", Value(args, $"-c:v:{i}"));
            // A millisecond early, so the frame on the cut is the one forced under ffmpeg 5.1's rounding and 6's comparison.
            Assert.Equal("5.999,11.999,18.499", Value(args, $"-force_key_frames:v:{i}"));
            // Two targets: never a key frame of the encoder's own between two cuts (at most 1.5 targets apart).
            Assert.Equal("360", Value(args, $"-g:v:{i}"));
        });
    }

    [Fact]
    public void A_copied_single_rendition_is_not_decoded_at_all()
    {
        var small = new MediaInfo(TimeSpan.FromSeconds(60), 640, 360, 0, 30, HasAudio: false, "h264");
        var request = new HlsEncodeRequest("/src/in.mp4", small, HlsLadder.Plan(640, 360, HlsLadder.DefaultRungs), "/out/job", TimeSpan.FromSeconds(6));

        var args = FfmpegHlsArguments.Build(request, new TranscodingOptions(), [6.0]);

        Assert.DoesNotContain("-filter_complex", args);
        Assert.DoesNotContain("-preset", args);
        Assert.Equal(["0:v:0"], Values(args, "-map"));
        Assert.Equal("v:0,name:360p", Value(args, "-var_stream_map"));
    }

    [Fact]
    public void The_output_is_a_vod_hls_tree_with_one_directory_per_rendition_and_no_master_of_ffmpegs()
    {
        var args = Build(Source1080);

        Assert.Equal("hls", Value(args, "-f"));
        Assert.Equal("vod", Value(args, "-hls_playlist_type"));
        Assert.Equal("/out/job/%v/seg_%05d.ts", Value(args, "-hls_segment_filename"));
        Assert.DoesNotContain("-master_pl_name", args);
        Assert.Equal("/out/job/%v/index.m3u8", args[^1]);
        Assert.Equal(["1080p/index.m3u8", "720p/index.m3u8", "480p/index.m3u8", "360p/index.m3u8", "audio/index.m3u8"],
            FfmpegHlsArguments.VariantPlaylists(Request(Source1080, TimeSpan.FromSeconds(6))));
    }

    [Fact]
    public void Progress_comes_on_stdout_and_ffmpeg_never_reads_stdin()
    {
        var args = Build(Source1080);

        Assert.Equal("pipe:1", Value(args, "-progress"));
        Assert.Contains("-nostats", args);
        Assert.Contains("-nostdin", args);
    }

    [Fact]
    public void A_source_without_audio_maps_and_encodes_no_audio()
    {
        var args = Build(Source1080 with { HasAudio = false });

        Assert.Equal(["[v0]", "[v1]", "[v2]", "[v3]"], Values(args, "-map"));
        Assert.DoesNotContain("-c:a", args);
        Assert.DoesNotContain(args, a => a.StartsWith("-b:a", StringComparison.Ordinal));
        Assert.Equal("v:0,name:1080p v:1,name:720p v:2,name:480p v:3,name:360p", Value(args, "-var_stream_map"));
        Assert.DoesNotContain("audio/index.m3u8", FfmpegHlsArguments.VariantPlaylists(Request(Source1080 with { HasAudio = false }, TimeSpan.FromSeconds(6))));
    }

    [Fact]
    public void Preset_and_threads_come_from_the_options()
    {
        var automatic = Build(Source1080);
        var pinned = Build(Source1080, options: new TranscodingOptions { Preset = "medium", Threads = 2 });

        Assert.DoesNotContain("-threads", automatic);
        Assert.Equal("2", Value(pinned, "-threads"));
        Assert.Equal("medium", Value(pinned, "-preset"));
        Assert.Equal("18", Value(Build(Source1080, options: new TranscodingOptions { Crf = 18 }), "-crf:v:0"));
    }

    [Theory]
    [InlineData("720 p", 1280, 720)]
    [InlineData("a/b", 1280, 720)]
    [InlineData("x,name:y", 1280, 720)]
    [InlineData("", 1280, 720)]
    [InlineData("720p", 1281, 720)]
    [InlineData("720p", 1280, 0)]
    [InlineData("audio", 1280, 720)] // the audio rendition's directory
    [InlineData("Audio", 1280, 720)]
    public void A_rendition_ffmpeg_cannot_write_safely_is_refused(string name, int width, int height)
    {
        Rendition[] renditions = [new(name, width, height, 2800, 128)];

        Assert.Throws<ArgumentException>(() => FfmpegHlsArguments.Build(
            new HlsEncodeRequest("/src/in.mp4", Source1080, renditions, "/out/job", TimeSpan.FromSeconds(6)), new TranscodingOptions()));
    }

    [Fact]
    public void Duplicate_names_no_renditions_a_bad_segment_or_a_percent_in_the_output_are_refused()
    {
        var ladder = HlsLadder.Plan(1920, 1080, HlsLadder.DefaultRungs);
        var options = new TranscodingOptions();

        Assert.Throws<ArgumentException>(() => FfmpegHlsArguments.Build(new HlsEncodeRequest("/in.mp4", Source1080, [ladder[0], ladder[0]], "/out", TimeSpan.FromSeconds(6)), options));
        Assert.Throws<ArgumentException>(() => FfmpegHlsArguments.Build(new HlsEncodeRequest("/in.mp4", Source1080, [], "/out", TimeSpan.FromSeconds(6)), options));
        Assert.Throws<ArgumentException>(() => FfmpegHlsArguments.Build(new HlsEncodeRequest("/in.mp4", Source1080, ladder, "/out", TimeSpan.Zero), options));
        Assert.Throws<ArgumentException>(() => FfmpegHlsArguments.Build(new HlsEncodeRequest("/in.mp4", Source1080, ladder, "/out/100%", TimeSpan.FromSeconds(6)), options));
    }

    private static IReadOnlyList<string> Build(MediaInfo source, TimeSpan? segment = null, TranscodingOptions? options = null) =>
        FfmpegHlsArguments.Build(Request(source, segment ?? TimeSpan.FromSeconds(6)), options ?? new TranscodingOptions());

    private static HlsEncodeRequest Request(MediaInfo source, TimeSpan segment) =>
        new("/src/in.mp4", source, HlsLadder.Plan(source.DisplayWidth, source.DisplayHeight, HlsLadder.DefaultRungs), "/out/job", segment);

    private static string Value(IReadOnlyList<string> args, string option)
    {
        var index = args.ToList().IndexOf(option);
        Assert.True(index >= 0 && index < args.Count - 1, $"{option} is missing");
        Assert.Equal(1, args.Count(a => a == option));
        return args[index + 1];
    }

    private static List<string> Values(IReadOnlyList<string> args, string option) =>
        args.Select((a, i) => (a, i)).Where(p => p.a == option).Select(p => args[p.i + 1]).ToList();
}
