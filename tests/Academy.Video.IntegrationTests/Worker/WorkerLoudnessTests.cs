using System.Globalization;
using System.Text.RegularExpressions;
using Academy.Video.Domain.Media;
using Academy.Video.Domain.Videos;
using Academy.Video.IntegrationTests.Media;
using Academy.Video.IntegrationTests.Transcoding;
using Academy.Video.Infrastructure.Transcoding;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Academy.Video.IntegrationTests.Worker;

/// <summary>
/// Loudness normalisation through the worker binary (docs/encoding.md, Loudness): real FFmpeg, the published audio
/// rendition measured by ffmpeg's own ebur128, independent of the loudnorm filter the worker uses.
/// </summary>
public sealed partial class WorkerLoudnessTests(WorkerTestBed bed) : IClassFixture<WorkerTestBed>
{
    private const string Seconds = "8";

    [Theory]
    // Pink noise well below the target (the second pass falls back to dynamic: +19 LU would push the peaks past the ceiling).
    [InlineData("quiet", "anoisesrc=color=pink:sample_rate=48000:amplitude=1:seed=7,volume=-20dB", -35.0)]
    // A loud tone over the target: a linear cut.
    [InlineData("loud", "sine=frequency=1000:sample_rate=48000,volume=13dB", -8.0)]
    public async Task A_quiet_and_a_loud_source_both_come_out_at_minus_16_LUFS_under_the_true_peak_ceiling(string name, string audio, double sourceLufs)
    {
        var source = Source(name, audio);
        var (sourceI, _) = Ebur128(source);
        Assert.InRange(sourceI, sourceLufs - 1.5, sourceLufs + 1.5);
        var (videoId, jobId) = await bed.QueueJobAsync(source);

        using var worker = await WorkerProcess.RunAsync([jobId.ToString()], bed.WorkerEnvironment());

        Assert.True(worker.ExitCode == 0, worker.Output);
        var video = await bed.Video(videoId);
        Assert.Equal(VideoStatus.Ready, video.Status);
        var (outputI, outputPeak) = Ebur128(AudioPlaylist(video));
        Assert.InRange(outputI, -17.0, -15.0);
        Assert.True(outputPeak <= -1.5, $"true peak {outputPeak} dBTP is over -1.5");

        var stored = (await bed.Job(jobId)).Loudness!;
        Assert.Equal(LoudnessStatus.Normalized, stored.Status);
        Assert.InRange(stored.InputIntegrated!.Value, sourceI - 0.5, sourceI + 0.5);
        Assert.NotNull(stored.InputTruePeak);
        static bool Decided(System.Text.Json.JsonElement e) => e.TryGetProperty("event", out var ev) && ev.GetString() == "LOUDNESS_DECIDED";
        Assert.Single(worker.Events, Decided);
        var decided = worker.Events.First(Decided);
        Assert.Equal(LoudnessStatus.Normalized, decided.GetProperty("loudness_status").GetString());
    }

    [Fact]
    public async Task A_silent_source_is_left_alone_and_says_so_and_one_without_audio_encodes_as_before_as_no_audio()
    {
        var silent = Source("silent", "anullsrc=sample_rate=48000:channel_layout=stereo");
        var (silentVideo, silentJob) = await bed.QueueJobAsync(silent);
        var (mutedVideo, mutedJob) = await bed.QueueJobAsync(TestClips.Generate(640, 360, 4, withAudio: false));

        using var first = await WorkerProcess.RunAsync([silentJob.ToString()], bed.WorkerEnvironment());
        using var second = await WorkerProcess.RunAsync([mutedJob.ToString()], bed.WorkerEnvironment());

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Equal(new LoudnessMeasurement(LoudnessStatus.Silent, null, null, 0, -70, null), (await bed.Job(silentJob)).Loudness);
        var (silentI, _) = Ebur128(AudioPlaylist(await bed.Video(silentVideo)));
        Assert.True(silentI <= -70, $"the silent source came out at {silentI} LUFS");
        Assert.DoesNotContain("loudnorm", first.Output, StringComparison.Ordinal);

        Assert.Equal(LoudnessMeasurement.NoAudio, (await bed.Job(mutedJob)).Loudness);
        var muted = await bed.Video(mutedVideo);
        Assert.Equal(VideoStatus.Ready, muted.Status);
        Assert.False(Directory.Exists(Path.Combine(bed.StorageRoot, Path.GetDirectoryName(muted.HlsPath!)!, "audio")));
    }

    [Fact]
    public async Task A_stored_measurement_is_reused_not_measured_again_so_a_resumed_encode_fingerprints_alike()
    {
        var source = Source("quiet", "anoisesrc=color=pink:sample_rate=48000:amplitude=1:seed=7,volume=-20dB");
        var options = Options.Create(new TranscodingOptions());
        var encoder = new FfmpegHlsEncoder(options, NullLogger<FfmpegHlsEncoder>.Instance);
        var info = await new FfprobeMediaProbe(options).ProbeAsync(source, default);
        var request = new Academy.Video.Application.Transcoding.HlsEncodeRequest(
            source, info, HlsLadder.Plan(info.DisplayWidth, info.DisplayHeight, HlsLadder.DefaultRungs), Path.Combine(bed.Root, "reuse"), TimeSpan.FromSeconds(2));
        // Figures no measurement of this source gives: only a plan that took them from the job can carry them.
        var stored = new LoudnessMeasurement(LoudnessStatus.Normalized, -30.5, -12.25, 3.5, -40.75, 0.5);

        var measured = await encoder.PlanAsync(request, default);
        var reused = await encoder.PlanAsync(request with { Loudness = stored }, default);
        var again = await encoder.PlanAsync(request with { Loudness = measured.Loudness }, default);

        Assert.Equal(LoudnessStatus.Normalized, measured.Loudness.Status);
        Assert.Equal(stored, reused.Loudness);
        Assert.Contains(encoder.Arguments(reused, null), a => a.Contains("measured_I=-30.5:", StringComparison.Ordinal));
        Assert.NotEqual(measured.Fingerprint, reused.Fingerprint);
        Assert.Equal(measured.Fingerprint, again.Fingerprint);
    }

    private static string AudioPlaylist(LectureVideo video) =>
        Path.Combine(Path.GetDirectoryName(video.HlsPath!) is { } dir ? dir : "", "audio", "index.m3u8");

    private string Source(string name, string audio)
    {
        var path = Path.Combine(bed.Root, $"loudness-{name}.mp4");
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(bed.Root);
            MediaTools.Run("ffmpeg",
            [
                "-hide_banner", "-nostdin", "-v", "error", "-y",
                "-f", "lavfi", "-i", $"testsrc2=size=640x360:rate=30:duration={Seconds}",
                "-f", "lavfi", "-i", $"{audio},atrim=duration={Seconds}",
                "-c:v", "libx264", "-preset", "ultrafast", "-crf", "30", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "128k", "-shortest", path,
            ]);
        }

        return path;
    }

    /// <summary>ffmpeg's ebur128 summary of the file or playlist: integrated loudness (LUFS) and true peak (dBTP).</summary>
    private (double Integrated, double TruePeak) Ebur128(string file)
    {
        var path = Path.IsPathRooted(file) ? file : Path.Combine(bed.StorageRoot, file);
        var stderr = MediaTools.Run("ffmpeg", ["-hide_banner", "-nostdin", "-nostats", "-i", path, "-vn", "-af", "ebur128=peak=true", "-f", "null", "-"], stderr: true);
        var summary = stderr[stderr.LastIndexOf("Summary:", StringComparison.Ordinal)..];
        return (Figure(IntegratedLine().Match(summary)), Figure(PeakLine().Match(summary)));
    }

    private static double Figure(Match match)
    {
        Assert.True(match.Success, "ebur128 printed no summary figure");
        var text = match.Groups[1].Value;
        return text == "-inf" ? double.NegativeInfinity : double.Parse(text, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"I:\s+(-?[\d.]+|-inf) LUFS")]
    private static partial Regex IntegratedLine();

    [GeneratedRegex(@"Peak:\s+(-?[\d.]+|-inf) dBFS")]
    private static partial Regex PeakLine();
}
