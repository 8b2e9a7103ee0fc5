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
        Assert.Equal(["[v0]", "[v1]", "[v2]", "[v3]", "0:a:0", "0:a:0", "0:a:0", "0:a:0"], Values(args, "-map"));
    }

    [Fact]
    public void Each_rendition_gets_its_bitrate_peak_buffer_and_profile()
    {
        var args = Build(Source1080);

        Assert.Equal("libx264", Value(args, "-c:v"));
        Assert.Equal("veryfast", Value(args, "-preset"));
        Assert.Equal(["5000k", "2800k", "1400k", "800k"], [Value(args, "-b:v:0"), Value(args, "-b:v:1"), Value(args, "-b:v:2"), Value(args, "-b:v:3")]);
        Assert.Equal(["5350k", "2996k", "1498k", "856k"], [Value(args, "-maxrate:v:0"), Value(args, "-maxrate:v:1"), Value(args, "-maxrate:v:2"), Value(args, "-maxrate:v:3")]);
        Assert.Equal(["7500k", "4200k", "2100k", "1200k"], [Value(args, "-bufsize:v:0"), Value(args, "-bufsize:v:1"), Value(args, "-bufsize:v:2"), Value(args, "-bufsize:v:3")]);
        Assert.Equal(["high", "high", "main", "main"], [Value(args, "-profile:v:0"), Value(args, "-profile:v:1"), Value(args, "-profile:v:2"), Value(args, "-profile:v:3")]);
        Assert.Equal("aac", Value(args, "-c:a"));
        Assert.Equal(["128k", "128k", "96k", "96k"], [Value(args, "-b:a:0"), Value(args, "-b:a:1"), Value(args, "-b:a:2"), Value(args, "-b:a:3")]);
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

        Assert.Equal(gop, Value(args, "-g"));
        Assert.Equal(gop, Value(args, "-keyint_min"));
        Assert.Equal("0", Value(args, "-sc_threshold"));
        Assert.Equal($"expr:gte(t,n_forced*{segment})", Value(args, "-force_key_frames"));
        Assert.Equal(segment, Value(args, "-hls_time"));
    }

    [Fact]
    public void The_output_is_a_vod_hls_tree_with_one_directory_per_rendition()
    {
        var args = Build(Source1080);

        Assert.Equal("hls", Value(args, "-f"));
        Assert.Equal("vod", Value(args, "-hls_playlist_type"));
        Assert.Equal("/out/job/%v/seg_%05d.ts", Value(args, "-hls_segment_filename"));
        Assert.Equal("master.m3u8", Value(args, "-master_pl_name"));
        Assert.Equal("v:0,a:0,name:1080p v:1,a:1,name:720p v:2,a:2,name:480p v:3,a:3,name:360p", Value(args, "-var_stream_map"));
        Assert.Equal("/out/job/%v/index.m3u8", args[^1]);
    }

    [Fact]
    public void A_source_without_audio_maps_and_encodes_no_audio()
    {
        var args = Build(Source1080 with { HasAudio = false });

        Assert.Equal(["[v0]", "[v1]", "[v2]", "[v3]"], Values(args, "-map"));
        Assert.DoesNotContain("-c:a", args);
        Assert.DoesNotContain(args, a => a.StartsWith("-b:a", StringComparison.Ordinal));
        Assert.Equal("v:0,name:1080p v:1,name:720p v:2,name:480p v:3,name:360p", Value(args, "-var_stream_map"));
    }

    [Fact]
    public void Preset_and_threads_come_from_the_options()
    {
        var automatic = Build(Source1080);
        var pinned = Build(Source1080, options: new TranscodingOptions { Preset = "medium", Threads = 2 });

        Assert.DoesNotContain("-threads", automatic);
        Assert.Equal("2", Value(pinned, "-threads"));
        Assert.Equal("medium", Value(pinned, "-preset"));
    }

    [Theory]
    [InlineData("720 p", 1280, 720)]
    [InlineData("a/b", 1280, 720)]
    [InlineData("x,name:y", 1280, 720)]
    [InlineData("", 1280, 720)]
    [InlineData("720p", 1281, 720)]
    [InlineData("720p", 1280, 0)]
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
        FfmpegHlsArguments.Build(
            new HlsEncodeRequest(
                "/src/in.mp4",
                source,
                HlsLadder.Plan(source.DisplayWidth, source.DisplayHeight, HlsLadder.DefaultRungs),
                "/out/job",
                segment ?? TimeSpan.FromSeconds(6)),
            options ?? new TranscodingOptions());

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
