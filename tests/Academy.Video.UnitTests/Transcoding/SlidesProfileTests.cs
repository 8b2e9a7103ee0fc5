using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Media;
using Academy.Video.Infrastructure.Transcoding;

namespace Academy.Video.UnitTests.Transcoding;

/// <summary>The slides-or-camera decision's arithmetic and the arguments each profile gets (docs/encoding.md, Slides profile).</summary>
public sealed class SlidesProfileTests
{
    private static readonly MediaInfo Source720 = new(TimeSpan.FromSeconds(60), 1280, 720, 0, 30, HasAudio: true, "h264");

    private static readonly LectureProfile Camera = new(LectureProfileKind.Camera, 0.01, 3.65, 60);

    private static readonly LectureProfile Slides = new(LectureProfileKind.Slides, 0.95, 0.21, 60);

    public static TheoryData<string> Shapes => new(Commands.Keys);

    private static Dictionary<string, HlsCommand> Commands => new()
    {
        ["encoded ladder"] = new HlsCommand(),
        ["copied top rung"] = new HlsCommand([6.5, 12.5, 18.5]),
        ["resumed encoded ladder"] = new HlsCommand(Resume: new HlsResumeStart(4, 24)),
        ["resumed copy"] = new HlsCommand([6.5, 12.5, 18.5], new HlsResumeStart(2, 12.5)),
        ["ladder without poster and storyboard"] = new HlsCommand(PosterAndStoryboard: false),
    };

    [Fact]
    public void Every_analysed_pair_counts_the_first_frame_having_nothing_before_it()
    {
        var lines = new[]
        {
            "frame:0    pts:0       pts_time:0",
            "lavfi.signalstats.YDIF=0.000000",
            "frame:1    pts:1       pts_time:0.5",
            "lavfi.signalstats.YDIF=0.083767",
            "frame:2    pts:2       pts_time:1",
            "lavfi.signalstats.YDIF=12.285600",
        };

        Assert.Equal([0.083767, 12.2856], FfmpegLectureProfile.ParseDifferences(lines));
        Assert.Empty(FfmpegLectureProfile.ParseDifferences(["lavfi.signalstats.YDIF=0.1"]));
    }

    [Fact]
    public void Slides_take_at_least_four_fifths_of_near_identical_pairs_and_enough_of_them()
    {
        // 16 still pairs, 4 slide changes: 0.8.
        var slides = Enumerable.Repeat(0.08, 16).Concat(Enumerable.Repeat(11.0, 4)).ToList();
        var camera = Enumerable.Repeat(0.08, 15).Concat(Enumerable.Repeat(3.7, 5)).ToList();

        Assert.Equal(new LectureProfile(LectureProfileKind.Slides, 0.8, 2.264, 10.5), FfmpegLectureProfile.Decide(slides, 10.5));
        Assert.Equal(LectureProfileKind.Camera, FfmpegLectureProfile.Decide(camera, 10.5).Kind);
        Assert.Equal(0.75, FfmpegLectureProfile.Decide(camera, 10.5).StillShare);
        // Nine still pairs are too few to tell: camera, today's settings.
        Assert.Equal(LectureProfileKind.Camera, FfmpegLectureProfile.Decide(Enumerable.Repeat(0.0, 9).ToList(), 5).Kind);
        Assert.Equal(new LectureProfile(LectureProfileKind.Camera, null, null, 0), FfmpegLectureProfile.Decide([], 0));
    }

    [Fact]
    public void A_source_up_to_a_minute_is_analysed_whole_a_longer_one_in_six_windows_of_ten_seconds_spread_over_it()
    {
        Assert.Equal([(0, null)], FfmpegLectureProfile.Plan(60));
        Assert.Equal(6, FfmpegLectureProfile.Plan(61).Count);
        var windows = FfmpegLectureProfile.Plan(3600);

        // Decision 0024: a minute of video decoded whatever the length.
        Assert.Equal([295, 895, 1495, 2095, 2695, 3295], windows.Select(w => w.Start));
        Assert.All(windows, w => Assert.Equal(10, w.Length));
        Assert.Equal(["-ss", "295", "-noaccurate_seek", "-t", "10", "-i"], FfmpegLectureProfile.AnalysisArguments("/src/in.mp4", 295, 10, new TranscodingOptions()).SkipWhile(a => a != "-ss").Take(6));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void A_camera_lecture_keeps_today_s_arguments_word_for_word(string shape)
    {
        var today = FfmpegHlsArguments.Build(Request(null), new TranscodingOptions(), Commands[shape]);

        Assert.Equal(today, FfmpegHlsArguments.Build(Request(Camera), new TranscodingOptions(), Commands[shape]));
        Assert.Equal(today, FfmpegHlsArguments.Build(Request(LectureProfile.Disabled), new TranscodingOptions(), Commands[shape]));
    }

    [Fact]
    public void A_slides_encode_is_tuned_for_still_pictures_at_half_the_cap_and_thinned_at_segment_boundaries()
    {
        var request = Request(Slides);
        var args = FfmpegHlsArguments.Build(request, new TranscodingOptions());
        var today = FfmpegHlsArguments.Build(Request(null), new TranscodingOptions());

        for (var i = 0; i < request.Renditions.Count; i++)
        {
            var r = request.Renditions[i];
            Assert.Equal("stillimage", After(args, $"-tune:v:{i}"));
            Assert.Equal($"{r.VideoBitrateKbps / 2}k", After(args, $"-maxrate:v:{i}"));
            Assert.Equal($"{r.BufferSizeKbps}k", After(args, $"-bufsize:v:{i}"));
            // Key frames only at the boundaries, as for camera: a long GOP, no scene-cut key frames, the boundaries forced.
            Assert.Equal(After(today, $"-g:v:{i}"), After(args, $"-g:v:{i}"));
            Assert.Equal("0", After(args, $"-sc_threshold:v:{i}"));
            Assert.Equal(After(today, $"-force_key_frames:v:{i}"), After(args, $"-force_key_frames:v:{i}"));
        }

        var thinning = "select='if(isnan(prev_t),1,gt(gt(floor(t*10),floor(prev_t*10))+gt(floor((t+0.001)/6),floor((prev_t+0.001)/6)),0))'";
        Assert.Equal($"[s1]{thinning},scale=854:480,setsar=1[v1]", After(args, "-filter_complex").Split(';')[2]);
        // The poster and storyboard see every frame, as today.
        Assert.Equal(After(today, "-filter_complex").Split(';')[^2..], After(args, "-filter_complex").Split(';')[^2..]);
        Assert.Contains("gt(floor(t*7),floor(prev_t*7))", FfmpegHlsArguments.SlidesThinning(request, new TranscodingOptions { SlidesFrameRate = 7 }, new HlsCommand()), StringComparison.Ordinal);
    }

    [Fact]
    public void With_a_copied_top_rung_a_slides_encode_is_tuned_and_capped_but_not_thinned()
    {
        var args = FfmpegHlsArguments.Build(Request(Slides), new TranscodingOptions(), new HlsCommand([6.5, 12.5, 18.5]));

        Assert.Equal("stillimage", After(args, "-tune:v:0"));
        Assert.DoesNotContain("select='if(isnan(prev_t),1,gt(gt(", After(args, "-filter_complex"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_copied_rung_and_audio_process_is_the_same_whatever_the_profile_so_it_may_start_before_the_analysis_ends()
    {
        // Decision 0024: a first attempt starts this process while the profile is still analysed; the ladder waits for it.
        var copy = new HlsCommand([6.5, 12.5, 18.5], Part: HlsRunPart.CopyAndAudio);
        var ladder = new HlsCommand([6.5, 12.5, 18.5], Part: HlsRunPart.Ladder);

        var undecided = FfmpegHlsArguments.Build(Request(null), new TranscodingOptions(), copy);

        Assert.Equal(undecided, FfmpegHlsArguments.Build(Request(Slides), new TranscodingOptions(), copy));
        Assert.Equal(undecided, FfmpegHlsArguments.Build(Request(Camera), new TranscodingOptions(), copy));
        Assert.NotEqual(
            FfmpegHlsArguments.Build(Request(Camera), new TranscodingOptions(), ladder),
            FfmpegHlsArguments.Build(Request(Slides), new TranscodingOptions(), ladder));
    }

    [Theory]
    [InlineData(4, false)]
    [InlineData(5, true)]
    [InlineData(30, true)]
    [InlineData(31, false)]
    public void The_slides_frame_rate_is_refused_at_start_up_outside_5_to_30(int rate, bool valid)
    {
        var result = new TranscodingOptionsValidator().Validate(new TranscodingOptions { SlidesFrameRate = rate });

        Assert.Equal(valid, result.IsValid);
        Assert.Equal(valid ? [] : ["Transcoding:SlidesFrameRate must be between 5 and 30 frames a second."], result.Errors.Select(e => e.ErrorMessage));
    }

    private static HlsEncodeRequest Request(LectureProfile? profile) =>
        new HlsEncodeRequest("/src/in.mp4", Source720, HlsLadder.Plan(1280, 720, HlsLadder.DefaultRungs), "/out", TimeSpan.FromSeconds(6)) { Profile = profile };

    private static string After(IReadOnlyList<string> args, string name)
    {
        var i = args.ToList().IndexOf(name);
        Assert.True(i >= 0, $"{name} is missing");
        return args[i + 1];
    }
}
