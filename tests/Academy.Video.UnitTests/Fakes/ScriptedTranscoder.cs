using System.Collections.Concurrent;
using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;

namespace Academy.Video.UnitTests.Fakes;

/// <summary>
/// Probe and encoder for the application core's tests: writes a small but well-formed HLS tree segment by segment,
/// reporting each to the sink as the real encoder does (a resumed encode writes only the segments after the resume
/// point), or fails the way it is told to. The real FFmpeg adapters are tested in the integration tests.
/// </summary>
public sealed class ScriptedTranscoder : IMediaProbe, IHlsEncoder
{
    public const double SegmentSeconds = 6;

    private int encodeCount;

    public MediaInfo Source { get; set; } = new(TimeSpan.FromSeconds(12), 1920, 1080, 0, 30, HasAudio: true, "h264") { AudioCodec = "aac", BitrateKbps = 4200 };

    public JobError? ProbeFailure { get; set; }

    public Exception? EncodeFailure { get; set; }

    /// <summary>The plan's top rung decision.</summary>
    public SourceCopyDecision TopRung { get; set; } = SourceCopyDecision.Encode(SourceCopyCodes.OverBitrateCap, "the source video averages 9000 kbps, over the 1080p cap of 5000 kbps");

    /// <summary>The plan's fingerprint: a later attempt reuses segments only of the same one.</summary>
    public string Fingerprint { get; set; } = "plan-1";

    public int SegmentsPerVariant { get; set; } = 3;

    /// <summary>When set, the encode waits here (after reporting half its progress) until released or cancelled.</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Called after each segment is reported; a test stops the encode here (throw, or wait to be cancelled).</summary>
    public Func<HlsSegmentFile, CancellationToken, Task>? AfterSegment { get; set; }

    public TaskCompletionSource EncodeStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int EncodeCount => Volatile.Read(ref encodeCount);

    /// <summary>The resume point each encode was given, in order.</summary>
    public ConcurrentQueue<HlsResumePoint?> Resumes { get; } = new();

    public Task<MediaInfo> ProbeAsync(string filePath, CancellationToken cancellationToken) =>
        ProbeFailure is { } error ? throw new TranscodeFailedException(error) : Task.FromResult(Source);

    public Task<HlsEncodePlan> PlanAsync(HlsEncodeRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new HlsEncodePlan(request, TopRung, Fingerprint, request.Renditions.Select(r => r.Name).ToList(), request.Source.HasAudio ? "audio" : null));

    public Task<HlsEncodePlan> CompleteAsync(HlsEncodePlan plan, CancellationToken cancellationToken) => Task.FromResult(plan);

    /// <summary>The fake makes no downloads: the real remux is tested on real segments (tests/Academy.Video.IntegrationTests).</summary>
    public Task<HlsOutput> AddDownloadsAsync(HlsEncodePlan plan, HlsOutput output, Func<IReadOnlyList<string>, CancellationToken, Task> fetchMissing, CancellationToken cancellationToken) =>
        Task.FromResult(output);

    public async Task<HlsOutput> EncodeAsync(HlsEncodePlan plan, HlsResumePoint? resume, IProgress<double> progress, IHlsSegmentSink segments, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref encodeCount);
        Resumes.Enqueue(resume);
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

        var output = plan.Request.OutputDirectory;
        Directory.CreateDirectory(output);
        var files = new List<string>();
        var playlists = new List<string>();
        var variants = plan.VideoVariants.Select(v => (Name: v, From: resume?.SegmentCount ?? 0)).ToList();
        if (plan.AudioVariant is { } audio)
        {
            variants.Add((audio, 0));
        }

        // Segment by segment across the variants, as one ffmpeg process closes them.
        var entries = variants.ToDictionary(
            v => v.Name,
            v => (resume?.Segments.GetValueOrDefault(v.Name) ?? []).Select(s => new HlsPlaylistEntry(s.DurationSeconds, s.Uri)).ToList());
        for (var i = 0; i < SegmentsPerVariant; i++)
        {
            foreach (var (variant, from) in variants.Where(v => i >= v.From))
            {
                cancellationToken.ThrowIfCancellationRequested();
                Directory.CreateDirectory(Path.Combine(output, variant));
                var uri = $"seg_{i:00000}.ts";
                var path = Path.Combine(output, variant, uri);
                await File.WriteAllTextAsync(path, $"{variant} {i}", cancellationToken);
                files.Add($"{variant}/{uri}");
                entries[variant].Add(new HlsPlaylistEntry(SegmentSeconds, uri));
                var closed = new HlsSegmentFile(variant, new HlsSegmentRecord(i, uri, SegmentSeconds, new FileInfo(path).Length), $"{variant}/{uri}", i == SegmentsPerVariant - 1);
                segments.SegmentClosed(closed);
                if (AfterSegment is { } after)
                {
                    await after(closed, cancellationToken);
                }
            }
        }

        foreach (var (variant, _) in variants)
        {
            await File.WriteAllTextAsync(Path.Combine(output, variant, "index.m3u8"), HlsMediaPlaylist.RenderVod(entries[variant]), cancellationToken);
            playlists.Add($"{variant}/index.m3u8");
        }

        await File.WriteAllTextAsync(Path.Combine(output, "poster.jpg"), "poster", cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(output, "storyboard.jpg"), "sprite", cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(output, "storyboard.vtt"), "WEBVTT\n\n00:00:00.000 --> 00:00:06.000\nstoryboard.jpg#xywh=0,0,160,90\n", cancellationToken);
        await File.WriteAllTextAsync(
            Path.Combine(output, "master.m3u8"),
            "#EXTM3U\n" + string.Concat(plan.Request.Renditions.Select(r => $"#EXT-X-STREAM-INF:BANDWIDTH={r.VideoBitrateKbps * 1000},RESOLUTION={r.Width}x{r.Height}\n{r.Name}/index.m3u8\n")),
            cancellationToken);
        files.AddRange([.. playlists, "poster.jpg", "storyboard.jpg", "storyboard.vtt", "master.m3u8"]);
        progress.Report(1);
        return new HlsOutput(output, "master.m3u8", files)
        {
            TopRung = plan.TopRung,
            VariantPlaylists = playlists,
            Poster = "poster.jpg",
            Storyboard = "storyboard.vtt",
        };
    }
}
