using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;

namespace Academy.Video.UnitTests.Fakes;

/// <summary>
/// Probe and encoder for the application core's tests: writes a small but well-formed HLS tree,
/// or fails the way it is told to. The real FFmpeg adapters are tested in the integration tests.
/// </summary>
public sealed class ScriptedTranscoder : IMediaProbe, IHlsEncoder
{
    private int encodeCount;

    public MediaInfo Source { get; set; } = new(TimeSpan.FromSeconds(12), 1920, 1080, 0, 30, HasAudio: true, "h264");

    public JobError? ProbeFailure { get; set; }

    public Exception? EncodeFailure { get; set; }

    /// <summary>When set, the encode waits here (after reporting half its progress) until released or cancelled.</summary>
    public TaskCompletionSource? Gate { get; set; }

    public TaskCompletionSource EncodeStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int EncodeCount => Volatile.Read(ref encodeCount);

    public Task<MediaInfo> ProbeAsync(string filePath, CancellationToken cancellationToken) =>
        ProbeFailure is { } error ? throw new TranscodeFailedException(error) : Task.FromResult(Source);

    public async Task<HlsOutput> EncodeAsync(HlsEncodeRequest request, IProgress<double> progress, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref encodeCount);
        EncodeStarted.TrySetResult();
        progress.Report(0.5);
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (EncodeFailure is { } failure)
        {
            throw failure;
        }

        Directory.CreateDirectory(request.OutputDirectory);
        var files = new List<string>();
        foreach (var rendition in request.Renditions)
        {
            Directory.CreateDirectory(Path.Combine(request.OutputDirectory, rendition.Name));
            await File.WriteAllTextAsync(Path.Combine(request.OutputDirectory, rendition.Name, "seg_00000.ts"), rendition.Name, cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(request.OutputDirectory, rendition.Name, "index.m3u8"), "#EXTM3U\n#EXTINF:6,\nseg_00000.ts\n#EXT-X-ENDLIST\n", cancellationToken);
            files.Add($"{rendition.Name}/seg_00000.ts");
            files.Add($"{rendition.Name}/index.m3u8");
        }

        await File.WriteAllTextAsync(
            Path.Combine(request.OutputDirectory, "master.m3u8"),
            "#EXTM3U\n" + string.Concat(request.Renditions.Select(r => $"#EXT-X-STREAM-INF:BANDWIDTH={r.VideoBitrateKbps * 1000},RESOLUTION={r.Width}x{r.Height}\n{r.Name}/index.m3u8\n")),
            cancellationToken);
        files.Add("master.m3u8");
        progress.Report(1);
        return new HlsOutput(request.OutputDirectory, "master.m3u8", files);
    }
}
