using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Media;
using Academy.Video.Infrastructure.Transcoding;

namespace Academy.Video.IntegrationTests.Transcoding;

/// <summary>Pure tests of the argument list; the encoder tests run it through real ffmpeg.</summary>
public sealed class FfmpegHlsArgumentsTests
{
    private static readonly MediaInfo Source1080 = new(TimeSpan.FromSeconds(60), 1920, 1080, 0, 30, HasAudio: true, "h264");

    [Fact]
    public void One_process_splits_the_decoded_picture_into_one_scaled_stream_per_rendition_a_storyboard_and_a_poster()
    {
        var args = Build(Source1080);

        Assert.Equal(1, args.Count(a => a == "-i"));
        Assert.Equal("/src/in.mp4", Value(args, "-i"));
        Assert.Equal(
            "[0:v]format=yuv420p,split=7[s0][s1][s2][s3][tail][ps][sc]" +
            ";[s0]scale=1920:1080,setsar=1[v0];[s1]scale=1280:720,setsar=1[v1]" +
            ";[s2]scale=854:480,setsar=1[v2];[s3]scale=640:360,setsar=1[v3]" +
            ";[tail]select='if(isnan(prev_t),1,gt(floor(t/6),floor(prev_t/6)))',scale=160:90:out_range=full,setsar=1,format=yuv420p,tile=10x1[storyboard]" +
            ";[ps]select='gte(t,6)*isnan(prev_selected_t)',scale=1920:1080:out_range=full,setsar=1,format=yuv420p[poster]" +
            ";[sc]fps=4,scale=64:36:flags=area,format=gray[slides]",
            Value(args, "-filter_complex"));
        Assert.Equal(["[v0]", "[v1]", "[v2]", "[v3]", "0:a:0", "[poster]", "[storyboard]", "[slides]"], Values(args, "-map"));
    }

    [Fact]
    public void Each_rendition_is_encoded_at_constant_quality_under_its_cap_with_its_profile()
    {
        var ladder = Output(Build(Source1080), "/out/job/%v/index.m3u8");

        Assert.Equal(["libx264", "libx264", "libx264", "libx264"], Enumerable.Range(0, 4).Select(i => Value(ladder, $"-c:v:{i}")));
        Assert.Equal("veryfast", Value(ladder, "-preset"));
        Assert.Equal(["21", "21", "21", "21"], Enumerable.Range(0, 4).Select(i => Value(ladder, $"-crf:v:{i}")));
        Assert.Equal(["5000k", "2800k", "1400k", "800k"], Enumerable.Range(0, 4).Select(i => Value(ladder, $"-maxrate:v:{i}")));
        Assert.Equal(["7500k", "4200k", "2100k", "1200k"], Enumerable.Range(0, 4).Select(i => Value(ladder, $"-bufsize:v:{i}")));
        Assert.Equal(["high", "high", "main", "main"], Enumerable.Range(0, 4).Select(i => Value(ladder, $"-profile:v:{i}")));
        Assert.Equal("v:0,name:1080p v:1,name:720p v:2,name:480p v:3,name:360p", Value(ladder, "-var_stream_map"));
        Assert.DoesNotContain(ladder, a => a.StartsWith("-b:v", StringComparison.Ordinal));
        // Frames keep their timestamps: no duplicates invented before a resumed run's first frame.
        Assert.Equal("vfr", Value(ladder, "-fps_mode"));
    }

    [Fact]
    public void The_audio_is_encoded_once_into_its_own_rendition()
    {
        var args = Build(Source1080);
        var audio = Output(args, "/out/job/audio/index.m3u8");

        Assert.Equal(["0:a:0"], Values(audio, "-map"));
        Assert.Equal("aac", Value(audio, "-c:a"));
        Assert.Equal("128k", Value(audio, "-b:a"));
        Assert.Equal("6", Value(audio, "-hls_time"));
        Assert.Equal("/out/job/audio/seg_%05d.ts", Value(audio, "-hls_segment_filename"));
        Assert.Single(args, a => a == "-c:a");
    }

    [Theory]
    [InlineData(30, 6, "360", "5.999,11.999,17.999,23.999,29.999,35.999,41.999,47.999,53.999")]
    [InlineData(29.97, 6, "360", "5.999,11.999,17.999,23.999,29.999,35.999,41.999,47.999,53.999")]
    [InlineData(25, 20, "1000", "19.999,39.999")]
    [InlineData(24, 25, "1200", "24.999,49.999")]
    [InlineData(0, 20, "1200", "19.999,39.999")] // no frame rate probed: 30 assumed, the forced key frames still align
    public void Key_frames_fall_on_every_boundary_and_only_there_and_each_one_is_a_cut(double fps, double segmentSeconds, string gop, string keyframes)
    {
        var ladder = Output(Build(Source1080 with { FramesPerSecond = fps }, TimeSpan.FromSeconds(segmentSeconds)), "/out/job/%v/index.m3u8");

        Assert.All(Enumerable.Range(0, 4), i =>
        {
            // Two targets: never a key frame of the encoder's own between two boundaries.
            Assert.Equal(gop, Value(ladder, $"-g:v:{i}"));
            Assert.Equal(gop, Value(ladder, $"-keyint_min:v:{i}"));
            Assert.Equal("0", Value(ladder, $"-sc_threshold:v:{i}"));
            // Absolute times, a millisecond early: the first frame at or after each multiple of the target, wherever the run starts.
            Assert.Equal(keyframes, Value(ladder, $"-force_key_frames:v:{i}"));
        });
        Assert.Equal("0.000001", Value(ladder, "-hls_time"));
    }

    [Fact]
    public void Copying_the_top_rung_maps_the_source_stream_into_its_own_output_and_gives_the_others_key_frames_at_its_cuts()
    {
        var args = FfmpegHlsArguments.Build(Request(Source1080, TimeSpan.FromSeconds(6)), new TranscodingOptions(), new HlsCommand([6.0, 12.0, 18.5]));

        var copy = Output(args, "/out/job/1080p/index.m3u8");
        Assert.Equal(["0:v:0"], Values(copy, "-map"));
        Assert.Equal("copy", Value(copy, "-c:v"));
        Assert.Equal("6", Value(copy, "-hls_time"));
        Assert.StartsWith("[0:v]format=yuv420p,split=6[s0][s1][s2][tail][ps][sc];[s0]scale=1280:720,setsar=1[v0];[s1]scale=854:480,setsar=1[v1];[s2]scale=640:360,setsar=1[v2];", Value(args, "-filter_complex"), StringComparison.Ordinal);
        var ladder = Output(args, "/out/job/%v/index.m3u8");
        Assert.Equal(["[v0]", "[v1]", "[v2]"], Values(ladder, "-map"));
        Assert.Equal("v:0,name:720p v:1,name:480p v:2,name:360p", Value(ladder, "-var_stream_map"));
        Assert.All(Enumerable.Range(0, 3), i =>
        {
            Assert.Equal("libx264", Value(ladder, $"-c:v:{i}"));
            Assert.Equal("5.999,11.999,18.499", Value(ladder, $"-force_key_frames:v:{i}"));
            Assert.Equal("360", Value(ladder, $"-g:v:{i}"));
        });
    }

    [Fact]
    public void A_copied_single_rendition_is_decoded_only_for_its_poster_and_storyboard()
    {
        var small = new MediaInfo(TimeSpan.FromSeconds(60), 640, 360, 0, 30, HasAudio: false, "h264");
        var request = new HlsEncodeRequest("/src/in.mp4", small, HlsLadder.Plan(640, 360, HlsLadder.DefaultRungs), "/out/job", TimeSpan.FromSeconds(6));

        var args = FfmpegHlsArguments.Build(request, new TranscodingOptions(), new HlsCommand([6.0]));

        Assert.StartsWith("[0:v]format=yuv420p,split=3[tail][ps][sc];", Value(args, "-filter_complex"), StringComparison.Ordinal);
        Assert.DoesNotContain("-preset", args);
        Assert.DoesNotContain("-var_stream_map", args);
        Assert.Equal(["0:v:0", "[poster]", "[storyboard]", "[slides]"], Values(args, "-map"));
    }

    [Fact]
    public void Every_output_is_an_hls_tree_written_a_segment_at_a_time_on_the_source_s_own_clock()
    {
        var args = Build(Source1080);

        (string Playlist, string Segments)[] outputs = [("/out/job/%v/index.m3u8", "/out/job/%v/seg_%05d.ts"), ("/out/job/audio/index.m3u8", "/out/job/audio/seg_%05d.ts")];
        foreach (var (playlist, segments) in outputs)
        {
            var output = Output(args, playlist);
            Assert.Equal("hls", Value(output, "-f"));
            // EVENT: the playlist is rewritten after each segment; temp_file: a segment appears under its name only once complete.
            Assert.Equal("event", Value(output, "-hls_playlist_type"));
            Assert.Equal("independent_segments+temp_file", Value(output, "-hls_flags"));
            Assert.Equal("disabled", Value(output, "-avoid_negative_ts"));
            Assert.Equal("avoid_negative_ts=disabled", Value(output, "-hls_segment_options"));
            Assert.Equal("0", Value(output, "-start_number"));
            Assert.Equal(segments, Value(output, "-hls_segment_filename"));
            Assert.Equal(["-map_metadata", "-1"], output.SkipWhile(a => a != "-map_metadata").Take(2));
        }

        Assert.DoesNotContain("-master_pl_name", args);
        Assert.Equal(["1080p/index.m3u8", "720p/index.m3u8", "480p/index.m3u8", "360p/index.m3u8", "audio/index.m3u8"],
            FfmpegHlsArguments.VariantPlaylists(Request(Source1080, TimeSpan.FromSeconds(6))));
    }

    [Fact]
    public void The_poster_and_storyboard_are_single_full_range_jpegs_and_the_poster_time_is_the_client_s()
    {
        var request = Request(Source1080, TimeSpan.FromSeconds(6)) with { PosterAtSeconds = 42.5 };

        var args = FfmpegHlsArguments.Build(request, new TranscodingOptions());

        foreach (var file in (string[])["/out/job/poster.jpg", "/out/job/storyboard.jpg"])
        {
            var output = Output(args, file);
            Assert.Equal("mjpeg", Value(output, "-c:v"));
            Assert.Equal("pc", Value(output, "-color_range"));
            Assert.Equal("1", Value(output, "-frames:v"));
        }

        Assert.Contains(";[ps]select='gte(t,42.5)*isnan(prev_selected_t)'", Value(args, "-filter_complex"), StringComparison.Ordinal);
        Assert.DoesNotContain("[poster]", FfmpegHlsArguments.Build(request, new TranscodingOptions(), new HlsCommand(PosterAndStoryboard: false)));
    }

    [Fact]
    public void A_resumed_run_reads_its_ladder_from_the_resume_point_on_the_clean_run_s_clock_and_numbers_segments_on()
    {
        var args = FfmpegHlsArguments.Build(Request(Source1080, TimeSpan.FromSeconds(6)), new TranscodingOptions(), new HlsCommand(Resume: new HlsResumeStart(4, 24)));

        // Ladder from a millisecond before 24 s, where its key frame is forced (timestamps kept), the part before it for the
        // storyboard and poster, the audio whole.
        Assert.Equal(["-ss", "23.999", "-itsoffset", "23.999", "-i", "/src/in.mp4", "-t", "26", "-i", "/src/in.mp4", "-i", "/src/in.mp4"],
            args.SkipWhile(a => a != "-ss").TakeWhile(a => a != "-filter_complex"));
        var graph = Value(args, "-filter_complex");
        // The poster (6 s in) lies before the resume point: it comes from the part before it.
        Assert.StartsWith("[0:v]trim=start=23.999,format=yuv420p,split=6[s0][s1][s2][s3][tail][sc];", graph, StringComparison.Ordinal);
        Assert.Contains(";[1:v]trim=end=23.999,format=yuv420p,split=3[head][ps][hc];", graph, StringComparison.Ordinal);
        // 24 s is a tile time (every 6 s): the ladder's first frame is a tile if it is at or after it (tile 4), as in a clean run.
        Assert.Contains(";[tail]select='if(isnan(prev_t),gte(floor(t/6),4),", graph, StringComparison.Ordinal);
        Assert.Contains(";[t0][t1]concat=n=2:v=1:a=0,tile=10x1[storyboard]", graph, StringComparison.Ordinal);

        var ladder = Output(args, "/out/job/%v/index.m3u8");
        Assert.Equal("4", Value(ladder, "-start_number"));
        Assert.Equal("29.999,35.999,41.999,47.999,53.999", Value(ladder, "-force_key_frames:v:0"));
        var audio = Output(args, "/out/job/audio/index.m3u8");
        Assert.Equal(["2:a:0"], Values(audio, "-map"));
        Assert.Equal("0", Value(audio, "-start_number"));
    }

    [Fact]
    public void A_resumed_copy_seeks_a_hair_past_its_cut_key_frame_and_takes_the_poster_from_before_it()
    {
        var request = Request(Source1080, TimeSpan.FromSeconds(6)) with { PosterAtSeconds = 3 };

        var args = FfmpegHlsArguments.Build(request, new TranscodingOptions(), new HlsCommand([6.5, 12.5, 18.5], new HlsResumeStart(2, 12.5)));

        Assert.Equal(["-ss", "12.5005", "-itsoffset", "12.5005", "-i"], args.SkipWhile(a => a != "-ss").Take(5));
        var graph = Value(args, "-filter_complex");
        Assert.StartsWith("[0:v]trim=start=12.499,format=yuv420p,split=5[s0][s1][s2][tail][sc];", graph, StringComparison.Ordinal);
        Assert.Contains(";[1:v]trim=end=12.499,format=yuv420p,split=3[head][ps][hc];", graph, StringComparison.Ordinal);
        Assert.Equal("2", Value(Output(args, "/out/job/1080p/index.m3u8"), "-start_number"));
        Assert.Equal("18.499", Value(Output(args, "/out/job/%v/index.m3u8"), "-force_key_frames:v:0"));
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

        Assert.Equal(["[v0]", "[v1]", "[v2]", "[v3]", "[poster]", "[storyboard]", "[slides]"], Values(args, "-map"));
        Assert.DoesNotContain("-c:a", args);
        Assert.DoesNotContain(args, a => a.StartsWith("-b:a", StringComparison.Ordinal));
        Assert.DoesNotContain("audio/index.m3u8", FfmpegHlsArguments.VariantPlaylists(Request(Source1080 with { HasAudio = false }, TimeSpan.FromSeconds(6))));
    }

    [Fact]
    public void Preset_and_threads_come_from_the_options()
    {
        var automatic = Build(Source1080);
        var pinned = Build(Source1080, options: new TranscodingOptions { Preset = "medium", Threads = 2 });

        Assert.DoesNotContain("-threads", automatic);
        Assert.Equal("2", Value(Output(pinned, "/out/job/%v/index.m3u8"), "-threads"));
        Assert.Equal("2", Value(Output(pinned, "/out/job/audio/index.m3u8"), "-threads"));
        Assert.Equal("medium", Value(pinned, "-preset"));
        Assert.Equal("18", Value(Build(Source1080, options: new TranscodingOptions { Crf = 18 }), "-crf:v:0"));
    }

    [Fact]
    public void A_ladder_with_more_boundaries_than_fit_in_an_argument_is_forced_by_expression_and_cannot_be_resumed()
    {
        var long1s = Source1080 with { Duration = TimeSpan.FromHours(3) };
        var request = Request(long1s, TimeSpan.FromSeconds(1));

        Assert.False(FfmpegHlsArguments.Resumable(request));
        Assert.True(FfmpegHlsArguments.Resumable(Request(long1s, TimeSpan.FromSeconds(6))));
        Assert.Equal("expr:gte(t,n_forced*1-0.001)", Value(Output(FfmpegHlsArguments.Build(request, new TranscodingOptions()), "/out/job/%v/index.m3u8"), "-force_key_frames:v:0"));
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

    /// <summary>The options of the output written to <paramref name="file"/>: from the end of the previous output (or the filter graph) to it.</summary>
    private static List<string> Output(IReadOnlyList<string> args, string file)
    {
        var end = args.ToList().IndexOf(file);
        Assert.True(end > 0, $"no output {file}");
        var start = end - 1;
        while (start > 0 && !IsOutputFile(args, start - 1) && args[start - 1] != "-filter_complex")
        {
            start--;
        }

        return args.Skip(start).Take(end - start).ToList();
    }

    private static bool IsOutputFile(IReadOnlyList<string> args, int index) =>
        (args[index].EndsWith("index.m3u8", StringComparison.Ordinal) || args[index].EndsWith(".jpg", StringComparison.Ordinal)) && args[index - 1] != "-hls_segment_filename";

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
