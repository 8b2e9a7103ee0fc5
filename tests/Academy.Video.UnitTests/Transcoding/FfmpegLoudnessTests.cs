using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Media;
using Academy.Video.Infrastructure.Transcoding;

namespace Academy.Video.UnitTests.Transcoding;

public sealed class FfmpegLoudnessTests
{
    // What ffmpeg 6/7 prints at the end of a first pass, with the lines around it.
    private const string Measured = """
        video:0kB audio:2256kB subtitle:0kB other streams:0kB global headers:0kB muxing overhead: unknown
        [Parsed_loudnorm_0 @ 0x5606fb34fd80]
        {
        	"input_i" : "-34.99",
        	"input_tp" : "-21.48",
        	"input_lra" : "0.10",
        	"input_thresh" : "-45.03",
        	"output_i" : "-16.03",
        	"output_tp" : "-2.26",
        	"output_lra" : "0.10",
        	"output_thresh" : "-26.03",
        	"normalization_type" : "dynamic",
        	"target_offset" : "0.04"
        }
        """;

    private const string Silence = """
        [Parsed_loudnorm_0 @ 0x55]
        {
        	"input_i" : "-inf",
        	"input_tp" : "-inf",
        	"input_lra" : "0.00",
        	"input_thresh" : "-70.00",
        	"output_i" : "-inf",
        	"output_tp" : "-inf",
        	"output_lra" : "0.00",
        	"output_thresh" : "-70.00",
        	"normalization_type" : "dynamic",
        	"target_offset" : "inf"
        }
        """;

    [Fact]
    public void The_first_pass_json_gives_the_five_figures_the_second_pass_needs()
    {
        Assert.Equal(new LoudnessMeasurement(LoudnessStatus.Normalized, -34.99, -21.48, 0.1, -45.03, 0.04), FfmpegLoudness.Parse(Measured));
    }

    [Fact]
    public void Minus_infinity_is_silence_kept_with_its_finite_figures_only()
    {
        Assert.Equal(new LoudnessMeasurement(LoudnessStatus.Silent, null, null, 0, -70, null), FfmpegLoudness.Parse(Silence));
    }

    [Fact]
    public void A_source_quieter_than_the_floor_is_silent_too()
    {
        var parsed = FfmpegLoudness.Parse(Measured.Replace("\"-34.99\"", "\"-71.20\"", StringComparison.Ordinal));

        Assert.Equal((LoudnessStatus.Silent, -71.2), (parsed.Status, parsed.InputIntegrated));
        Assert.False(parsed.Applies);
    }

    [Theory]
    [InlineData("no json here")]
    [InlineData("{ \"input_i\" : \"-20.00\" }")]
    [InlineData("{ \"input_i\" : \"loud\", \"input_tp\" : \"-1\", \"input_lra\" : \"1\", \"input_thresh\" : \"-30\", \"target_offset\" : \"0\" }")]
    public void Output_without_every_figure_is_refused(string stderr)
    {
        Assert.Throws<FormatException>(() => FfmpegLoudness.Parse(stderr));
    }

    [Fact]
    public void The_first_pass_decodes_the_audio_only_and_the_second_applies_the_figures_linearly_and_resamples()
    {
        var options = new TranscodingOptions { LoudnessTarget = -18, TruePeakCeiling = -2 };

        var first = FfmpegLoudness.MeasureArguments("/tmp/source.mp4", options);
        var second = FfmpegLoudness.Filter(FfmpegLoudness.Parse(Measured), options);

        Assert.Contains("-vn", first);
        Assert.Equal("loudnorm=I=-18.0:TP=-2.0:LRA=11.0:print_format=json", first[first.ToList().IndexOf("-af") + 1]);
        Assert.Equal(
            "loudnorm=I=-18.0:TP=-2.0:LRA=11.0:measured_I=-34.99:measured_TP=-21.48:measured_LRA=0.1:measured_thresh=-45.03:offset=0.04:linear=true:print_format=none,aresample=48000",
            second);
        Assert.Throws<ArgumentException>(() => FfmpegLoudness.Filter(LoudnessMeasurement.NoAudio, options));
    }

    [Fact]
    public void A_source_up_to_three_minutes_is_measured_whole_a_longer_one_in_twelve_windows_joined_end_to_end()
    {
        var options = new TranscodingOptions();

        Assert.Equal(FfmpegLoudness.MeasureArguments("/tmp/source.mp4", options), FfmpegLoudness.MeasureArguments("/tmp/source.mp4", FfmpegLoudness.Plan(180), options));
        var windows = FfmpegLoudness.Plan(3600);
        var args = FfmpegLoudness.MeasureArguments("/tmp/source.mp4", windows, options).ToList();

        // Decision 0024: 12 windows of 10 s, centred in twelve equal parts of the source.
        Assert.Equal(12, windows.Count);
        Assert.Equal((145.0, (double?)10), windows[0]);
        Assert.Equal((3445.0, (double?)10), windows[^1]);
        Assert.Equal(12, args.Count(a => a == "/tmp/source.mp4"));
        Assert.Equal(["-vn", "-sn", "-dn", "-ss", "145", "-t", "10", "-i", "/tmp/source.mp4"], args.Skip(args.IndexOf("-vn")).Take(9));
        Assert.Equal(
            string.Concat(Enumerable.Range(0, 12).Select(i => $"[{i}:a:0]")) + "concat=n=12:v=0:a=1,loudnorm=I=-16.0:TP=-1.5:LRA=11.0:print_format=json",
            args[args.IndexOf("-filter_complex") + 1]);
        Assert.Equal(["-f", "null", "-"], args.TakeLast(3));
    }

    [Theory]
    [InlineData(LoudnessStatus.Normalized, true)]
    [InlineData(LoudnessStatus.Silent, false)]
    [InlineData(null, false)]
    public void Only_the_audio_of_a_normalised_plan_gets_the_filter_on_its_one_encode(string? status, bool filtered)
    {
        var source = new MediaInfo(TimeSpan.FromSeconds(12), 1280, 720, 0, 30, HasAudio: true, "h264");
        var request = new HlsEncodeRequest("/tmp/source.mp4", source, HlsLadder.Plan(1280, 720, HlsLadder.DefaultRungs), "/tmp/out", TimeSpan.FromSeconds(6))
        {
            Loudness = status is null ? null : FfmpegLoudness.Parse(Measured) with { Status = status },
        };

        var args = FfmpegHlsArguments.Build(request, new TranscodingOptions());

        Assert.Equal(filtered ? 1 : 0, args.Count(a => a.StartsWith("loudnorm=", StringComparison.Ordinal)));
        if (filtered)
        {
            // On the audio output, between its map and its encoder.
            var filter = args.ToList().FindIndex(a => a.StartsWith("loudnorm=", StringComparison.Ordinal));
            Assert.Equal(("-af", "-c:a"), (args[filter - 1], args[filter + 1]));
        }
    }
}
