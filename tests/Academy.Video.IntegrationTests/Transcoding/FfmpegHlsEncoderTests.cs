using System.Collections.Concurrent;
using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;
using Academy.Video.Infrastructure.Transcoding;
using Academy.Video.IntegrationTests.Media;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Academy.Video.IntegrationTests.Transcoding;

public sealed class FfmpegHlsEncoderTests : IDisposable
{
    private static readonly TimeSpan Segment = TimeSpan.FromSeconds(2);

    private readonly string _outputRoot = Path.Combine(Path.GetTempPath(), $"academy-video-hls-{Guid.NewGuid():N}");
    private readonly IOptions<TranscodingOptions> _options = Options.Create(new TranscodingOptions());
    private readonly FfprobeMediaProbe _probe;
    private readonly FfmpegHlsEncoder _encoder;

    public FfmpegHlsEncoderTests()
    {
        _probe = new FfprobeMediaProbe(_options);
        _encoder = new FfmpegHlsEncoder(_options, NullLogger<FfmpegHlsEncoder>.Instance);
    }

    public void Dispose()
    {
        if (Directory.Exists(_outputRoot))
        {
            Directory.Delete(_outputRoot, recursive: true);
        }
    }

    [Fact]
    public async Task A_1080p_source_becomes_a_four_rung_ladder_with_progress_up_to_done()
    {
        var (source, info, renditions) = await Plan(TestClips.Generate(1920, 1080, 4));
        Assert.Equal(["1080p", "720p", "480p", "360p"], renditions.Select(r => r.Name));
        var progress = new RecordingProgress();

        var output = await _encoder.EncodeAsync(Request(source, info, renditions), progress, CancellationToken.None);

        HlsOutputAssert.Playable(output, info, renditions);
        var reports = progress.Reports.ToList();
        Assert.Contains(reports, r => r is > 0 and < 1);
        Assert.All(reports, r => Assert.InRange(r, 0, 1));
        Assert.Equal(reports.Order(), reports);
        Assert.InRange(reports[^1], 0.99, 1);
    }

    [Fact]
    public async Task A_480p_source_is_never_upscaled()
    {
        var (source, info, renditions) = await Plan(TestClips.Generate(854, 480, 3));
        var progress = new RecordingProgress();

        var output = await _encoder.EncodeAsync(Request(source, info, renditions), progress, CancellationToken.None);

        Assert.Equal(["480p", "360p"], renditions.Select(r => r.Name));
        HlsOutputAssert.Playable(output, info, renditions);
        Assert.NotEmpty(progress.Reports);
        Assert.InRange(progress.Reports.Last(), 0.99, 1);
    }

    [Fact]
    public async Task A_rotated_phone_video_comes_out_upright()
    {
        var (source, info, renditions) = await Plan(TestClips.Generate(1280, 720, 3, withAudio: true, rotationDegrees: 90));
        Assert.Equal((1280, 720), (info.Width, info.Height));
        Assert.Equal(90, Math.Abs(info.RotationDegrees % 180));
        Assert.Equal([(720, 1280), (480, 854), (360, 640)], renditions.Select(r => (r.Width, r.Height)));

        var output = await _encoder.EncodeAsync(Request(source, info, renditions), new RecordingProgress(), CancellationToken.None);

        // Playable checks every variant's stream is stored portrait (width < height here) with no rotation left.
        HlsOutputAssert.Playable(output, info, renditions);
    }

    [Fact]
    public async Task A_source_without_audio_gives_video_only_variants()
    {
        var (source, info, renditions) = await Plan(TestClips.Generate(640, 360, 3, withAudio: false));
        Assert.False(info.HasAudio);

        var output = await _encoder.EncodeAsync(Request(source, info, renditions), new RecordingProgress(), CancellationToken.None);

        Assert.Equal(["360p"], renditions.Select(r => r.Name));
        HlsOutputAssert.Playable(output, info, renditions);
    }

    [Fact]
    public async Task A_still_picture_costs_a_fraction_of_the_cap_and_motion_gets_up_to_the_cap()
    {
        // Encoded (not copied), so the rate is the encoder's: constant quality under the rung's cap.
        var encoder = new FfmpegHlsEncoder(Options.Create(new TranscodingOptions { SourceCopy = false }), NullLogger<FfmpegHlsEncoder>.Instance);
        var still = SourceClips.Make("still-360", 640, 360, 6, lavfiVideo: "testsrc2=size=640x360:rate=1/6:duration=6,fps=30");
        var motion = SourceClips.Make("noise-360", 640, 360, 6, filter: "noise=alls=40:allf=t");
        var (stillSource, stillInfo, renditions) = await Plan(still);
        var (motionSource, motionInfo, _) = await Plan(motion);
        var rendition = Assert.Single(renditions);
        var cap = rendition.VideoBitrateKbps * 1000.0;
        // The cap holds over the VBV buffer: 6 s may carry 6 s of the cap plus one buffer, and MPEG-TS adds its few percent.
        var most = ((cap * 6) + (rendition.BufferSizeKbps * 1000.0)) / 6 * 1.05;

        var stillOutput = await encoder.EncodeAsync(Request(stillSource, stillInfo, renditions), new RecordingProgress(), CancellationToken.None);
        var motionOutput = await encoder.EncodeAsync(Request(motionSource, motionInfo, renditions), new RecordingProgress(), CancellationToken.None);

        var stillRate = Playlist.ReadMedia(Path.Combine(stillOutput.OutputDirectory, "360p", "index.m3u8")).Rates(Segment.TotalSeconds);
        var motionRate = Playlist.ReadMedia(Path.Combine(motionOutput.OutputDirectory, "360p", "index.m3u8")).Rates(Segment.TotalSeconds);
        Assert.InRange(stillRate.Average, 0, cap * 0.15);
        Assert.InRange(motionRate.Average, cap * 0.6, most);
        HlsOutputAssert.Playable(stillOutput, stillInfo, renditions);
        HlsOutputAssert.Playable(motionOutput, motionInfo, renditions);
    }

    [Fact]
    public async Task Undecodable_input_at_encode_time_is_a_permanent_failure()
    {
        // The probe normally stops such a file first; the encoder must still classify ffmpeg's own verdict.
        var info = new MediaInfo(TimeSpan.FromSeconds(2), 320, 240, 0, 30, HasAudio: false, "h264");
        var renditions = HlsLadder.Plan(320, 240, HlsLadder.DefaultRungs);

        var failure = await Assert.ThrowsAsync<TranscodeFailedException>(() =>
            _encoder.EncodeAsync(Request(TestClips.RandomBytes(), info, renditions), new RecordingProgress(), CancellationToken.None));

        Assert.Equal(JobErrorCodes.SourceUndecodable, failure.Error.Code);
        Assert.True(failure.Error.IsPermanent);
    }

    [Fact]
    public async Task Any_other_ffmpeg_failure_is_transient()
    {
        // Claiming audio the file does not have makes ffmpeg reject the stream map: not the source's fault.
        var (source, info, renditions) = await Plan(TestClips.Generate(640, 360, 3, withAudio: false));

        var failure = await Assert.ThrowsAsync<TranscodeFailedException>(() =>
            _encoder.EncodeAsync(Request(source, info with { HasAudio = true }, renditions), new RecordingProgress(), CancellationToken.None));

        Assert.Equal(JobErrorCodes.EncodeFailed, failure.Error.Code);
        Assert.False(failure.Error.IsPermanent);
        // The run ends only once stderr is drained, so ffmpeg's own complaint is always in the message.
        Assert.StartsWith("ffmpeg failed with exit code", failure.Error.Message, StringComparison.Ordinal);
        Assert.Contains("0:a:0", failure.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_mid_encode_kills_ffmpeg_and_throws_OperationCanceledException()
    {
        var (source, info, renditions) = await Plan(TestClips.Generate(1920, 1080, 4));
        var request = Request(source, info, renditions);
        using var cancellation = new CancellationTokenSource();
        var runningAtCancel = new ConcurrentBag<int>();
        var progress = new RecordingProgress(fraction =>
        {
            if (fraction > 0 && !cancellation.IsCancellationRequested)
            {
                foreach (var pid in FfmpegProcessesWriting(request.OutputDirectory))
                {
                    runningAtCancel.Add(pid);
                }

                cancellation.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _encoder.EncodeAsync(request, progress, cancellation.Token));

        Assert.NotEmpty(runningAtCancel);
        Assert.Empty(FfmpegProcessesWriting(request.OutputDirectory));
        Assert.All(runningAtCancel, pid => Assert.False(Directory.Exists($"/proc/{pid}"), $"ffmpeg {pid} outlived the cancellation"));
        Assert.All(progress.Reports, r => Assert.True(r < 1, "a cancelled encode reported completion"));
    }

    [Fact]
    public async Task A_non_empty_output_directory_is_refused()
    {
        var (source, info, renditions) = await Plan(TestClips.Generate(640, 360, 3, withAudio: false));
        var request = Request(source, info, renditions);
        Directory.CreateDirectory(request.OutputDirectory);
        await File.WriteAllTextAsync(Path.Combine(request.OutputDirectory, "stale.ts"), "left over");

        await Assert.ThrowsAsync<InvalidOperationException>(() => _encoder.EncodeAsync(request, new RecordingProgress(), CancellationToken.None));
    }

    private async Task<(string Source, MediaInfo Info, IReadOnlyList<Rendition> Renditions)> Plan(string source)
    {
        var info = await _probe.ProbeAsync(source, CancellationToken.None);
        return (source, info, HlsLadder.Plan(info.DisplayWidth, info.DisplayHeight, HlsLadder.DefaultRungs));
    }

    private HlsEncodeRequest Request(string source, MediaInfo info, IReadOnlyList<Rendition> renditions) =>
        new(source, info, renditions, Path.Combine(_outputRoot, Guid.NewGuid().ToString("N")), Segment);

    private static List<int> FfmpegProcessesWriting(string outputDirectory)
    {
        var pids = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid))
            {
                continue;
            }

            try
            {
                var commandLine = File.ReadAllText(Path.Combine(entry, "cmdline")).Split('\0');
                if (commandLine.Length > 0 && Path.GetFileName(commandLine[0]) == "ffmpeg" && commandLine.Any(a => a.Contains(outputDirectory, StringComparison.Ordinal)))
                {
                    pids.Add(pid);
                }
            }
            catch (IOException)
            {
                // The process ended while being read.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return pids;
    }

    /// <summary>Records synchronously: Progress&lt;T&gt; would post reports that may land after the encode returned.</summary>
    private sealed class RecordingProgress(Action<double>? onReport = null) : IProgress<double>
    {
        public ConcurrentQueue<double> Reports { get; } = new();

        public void Report(double value)
        {
            Reports.Enqueue(value);
            onReport?.Invoke(value);
        }
    }
}
