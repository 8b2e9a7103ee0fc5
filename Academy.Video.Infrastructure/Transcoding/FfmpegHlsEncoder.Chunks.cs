using System.Diagnostics;
using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;
using Academy.Video.Domain.Videos;

namespace Academy.Video.Infrastructure.Transcoding;

/// <summary>What one chunk's run wrote (docs/decisions/0023-chunked-encoding.md): its variants' segments and the files to upload.</summary>
/// <param name="Files">Relative to the output directory, '/'-separated: segments, and for chunk 0 the poster, storyboard and chapters.</param>
public sealed record HlsChunkOutput(string OutputDirectory, IReadOnlyDictionary<string, ChunkVariantOutput> Variants, IReadOnlyList<string> Files)
{
    public string? Poster { get; init; }

    public string? Storyboard { get; init; }

    public IReadOnlyList<VideoChapter> Chapters { get; init; } = [];

    public string? ChaptersTrack { get; init; }
}

public sealed partial class FfmpegHlsEncoder
{
    /// <summary>
    /// Encodes one chunk of the plan (decision 0023): the encoded rungs over the chunk's segments, read from its start boundary as
    /// a resumed run reads (decision 0011) and stopped at its end boundary, named by the chunk attempt; chunk 0 also writes, in two
    /// more processes at once, what is made whole: the audio, and the poster, the storyboard and the chapters. The sink is told of
    /// each segment as ffmpeg closes it, as in a single run (decision 0026).
    /// </summary>
    /// <param name="last">Whether the chunk ends the video.</param>
    public async Task<HlsChunkOutput> EncodeChunkAsync(HlsEncodePlan plan, JobChunk chunk, bool last, IProgress<double> progress, IHlsSegmentSink segments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(chunk);
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(segments);
        var request = plan.Request;
        if (plan.TopRung.Copy || !plan.Resumable)
        {
            throw new ArgumentException("Only a plan whose rungs are all encoded, at boundaries listed in full, is chunked.", nameof(plan));
        }

        PrepareEmptyDirectory(request.OutputDirectory);
        foreach (var variant in FfmpegHlsArguments.Variants(request))
        {
            Directory.CreateDirectory(Path.Combine(request.OutputDirectory, variant));
        }

        var target = request.SegmentDuration.TotalSeconds;
        var range = chunk.Range;
        var start = range.FirstSegment == 0 ? null : new HlsResumeStart(range.FirstSegment, range.FirstSegment * target);
        var end = last ? null : new HlsResumeStart(range.EndSegment, range.EndSegment * target);
        var commands = new List<IReadOnlyList<string>>();
        var extras = range.FirstSegment == 0;
        if (extras)
        {
            // The audio apart, so its segments come at an audio encode's pace, and both it and the pictures' decode giving
            // way to the range on a shared core: chunk 0's run plays the video early (decision 0026). The audio of the whole
            // source at full speed took half the core from the range's first segments for as long as it ran (12 s of CPU
            // for 10 minutes); given way, it still runs several times faster than the range's ladder (docs/performance.md).
            if (request.Source.HasAudio)
            {
                commands.Add(FfmpegHlsArguments.Build(request, _options, new HlsCommand(Part: HlsRunPart.Audio)));
            }

            commands.Add(FfmpegHlsArguments.Build(request, _options, new HlsCommand(Part: HlsRunPart.Extras)));
        }

        var rangeCommand = commands.Count;

        commands.Add(FfmpegHlsArguments.Build(request, _options, new HlsCommand(null, start, Part: HlsRunPart.Range) { End = end, SegmentFileName = JobChunk.SegmentPattern(chunk.AttemptCount) }));
        foreach (var arguments in commands)
        {
            LogStarting(request.Renditions.Count, range.FirstSegment, ProcessCommandLine.Join(arguments));
        }

        var clock = Stopwatch.StartNew();
        var startSeconds = start?.Seconds ?? 0;
        var spanMicroseconds = ((end?.Seconds ?? request.Source.Duration.TotalSeconds) - startSeconds) * 1e6;
        var watcher = new HlsSegmentWatcher(
            request.OutputDirectory,
            plan.VideoVariants.Select(v => (v, range.FirstSegment)).Concat(extras && plan.AudioVariant is { } whole ? [(whole, 0)] : []),
            segments);
        ToolExit exit;
        using (var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var watching = watcher.WatchAsync(WatchInterval, stopWatching.Token);
            try
            {
                exit = await RunAsync(commands.Select(Task.FromResult).ToList(), line => ReportProgress(line, startSeconds, spanMicroseconds, progress), cancellationToken, i => i != rangeCommand).ConfigureAwait(false);
            }
            finally
            {
                await stopWatching.CancelAsync().ConfigureAwait(false);
                await watching.ConfigureAwait(false);
            }
        }

        LogFinished(exit.ExitCode, clock.ElapsedMilliseconds);
        if (exit.ExitCode != 0)
        {
            throw new TranscodeFailedException(await ClassifyAsync(request, exit, cancellationToken).ConfigureAwait(false));
        }

        watcher.Scan();

        var output = request.OutputDirectory;
        var variants = new Dictionary<string, ChunkVariantOutput>(StringComparer.Ordinal);
        var thinned = request.Profile is { IsSlides: true };
        foreach (var rendition in request.Renditions)
        {
            var entries = await FinishedEntriesAsync(output, rendition.Name, cancellationToken).ConfigureAwait(false);
            if (end is not null)
            {
                // Its last segment ends at the next chunk's start: measured between boundaries like every segment a single
                // run closes before another (a thinned rung's frames keep the source's durations, decision 0021).
                var before = entries.Take(entries.Count - 1).Sum(e => e.DurationSeconds);
                var toBoundary = end.Seconds - startSeconds - before;
                if (entries.Count != range.SegmentCount || Math.Abs(toBoundary - entries[^1].DurationSeconds) > 0.5)
                {
                    // A range read short (decision 0026) must not be stretched over its gap by the duration set here.
                    throw new TranscodeFailedException(JobError.Transient(JobErrorCodes.EncodeFailed,
                        $"Chunk {chunk.Index}'s {rendition.Name} has {entries.Count} segments ending {startSeconds + before + entries[^1].DurationSeconds:F3} s, not {range.SegmentCount} ending at {end.Seconds:F3} s."));
                }

                entries[^1] = entries[^1] with { DurationSeconds = Math.Round(toBoundary, 6) };
            }
            else if (thinned)
            {
                var before = startSeconds + entries.Take(entries.Count - 1).Sum(e => e.DurationSeconds);
                var toTheEnd = Math.Min(request.Source.Duration.TotalSeconds - before, target);
                if (toTheEnd > entries[^1].DurationSeconds)
                {
                    entries[^1] = entries[^1] with { DurationSeconds = Math.Round(toTheEnd, 6) };
                }
            }

            var codec = (await _probe.ProbeAsync(Path.Combine(output, rendition.Name, entries[0].Uri), cancellationToken).ConfigureAwait(false)).VideoCodecString;
            variants[rendition.Name] = new ChunkVariantOutput(codec, Records(output, rendition.Name, range.FirstSegment, entries));
        }

        if (extras && plan.AudioVariant is { } audio)
        {
            variants[audio] = new ChunkVariantOutput(HlsMasterPlaylist.AudioCodecString, Records(output, audio, 0, await FinishedEntriesAsync(output, audio, cancellationToken).ConfigureAwait(false)));
        }

        IReadOnlyList<VideoChapter> chapters = [];
        if (extras)
        {
            if (File.Exists(Path.Combine(output, FfmpegHlsArguments.StoryboardImageName)))
            {
                HlsMasterPlaylist.Write(
                    Path.Combine(output, FfmpegHlsArguments.StoryboardIndexName),
                    FfmpegHlsArguments.Storyboard(request).RenderVtt(FfmpegHlsArguments.StoryboardImageName, request.Source.Duration.TotalSeconds));
            }

            chapters = await WriteChaptersAsync(request, cancellationToken).ConfigureAwait(false);
        }

        // ffmpeg's own playlists are not published: the assembler writes every variant's from the recorded segments.
        foreach (var variant in FfmpegHlsArguments.Variants(request))
        {
            File.Delete(Path.Combine(output, variant, FfmpegHlsArguments.VariantPlaylistName));
        }

        progress.Report(1);
        return new HlsChunkOutput(output, variants, ListFiles(output))
        {
            Poster = File.Exists(Path.Combine(output, FfmpegHlsArguments.PosterName)) ? FfmpegHlsArguments.PosterName : null,
            Storyboard = File.Exists(Path.Combine(output, FfmpegHlsArguments.StoryboardIndexName)) ? FfmpegHlsArguments.StoryboardIndexName : null,
            Chapters = chapters,
            ChaptersTrack = chapters.Count > 0 ? StorageKeys.ChaptersName : null,
        };
    }

    /// <summary>
    /// The whole tree's playlists from every chunk's recorded segments (decision 0023), written into <paramref name="directory"/>:
    /// each variant's VOD playlist, then the master with the rates measured on the recorded sizes. Returns them relative to the
    /// directory in upload order, the master last.
    /// </summary>
    public static IReadOnlyList<string> WriteChunkedTree(HlsEncodePlan plan, IReadOnlyList<JobChunk> chunks, string directory)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(chunks);
        var request = plan.Request;
        var target = request.SegmentDuration.TotalSeconds;
        var written = new List<string>();
        if (chunks.Any(c => c.Output is null))
        {
            throw new InvalidOperationException("Every chunk must be done before the tree is assembled.");
        }

        List<(double Seconds, long Bytes)> WritePlaylist(string variant)
        {
            var segments = chunks.OrderBy(c => c.Index)
                .SelectMany(c => c.Output!.Variants.TryGetValue(variant, out var stored) ? stored.Segments : [])
                .OrderBy(s => s.Index)
                .ToList();
            if (segments.Count == 0 || segments.Select((s, i) => s.Index != i).Any(gap => gap))
            {
                throw new TranscodeFailedException(JobError.Transient(JobErrorCodes.EncodeFailed, $"The chunks' segments of {variant} are not one unbroken run from 0."));
            }

            Directory.CreateDirectory(Path.Combine(directory, variant));
            var relative = $"{variant}/{FfmpegHlsArguments.VariantPlaylistName}";
            HlsMasterPlaylist.Write(Path.Combine(directory, relative), HlsMediaPlaylist.RenderVod(segments.Select(s => new HlsPlaylistEntry(s.DurationSeconds, s.Uri)).ToList()));
            written.Add(relative);
            return segments.Select(s => (s.DurationSeconds, s.Bytes)).ToList();
        }

        var variants = request.Renditions
            .Select(r => new MasterVariant(
                r,
                $"{r.Name}/{FfmpegHlsArguments.VariantPlaylistName}",
                chunks.Select(c => c.Output!.Variants.GetValueOrDefault(r.Name)?.Codec).FirstOrDefault(c => c is not null),
                HlsMasterPlaylist.Measure(WritePlaylist(r.Name), target)))
            .ToList();
        (string, MeasuredRate)? audio = plan.AudioVariant is { } a
            ? ($"{a}/{FfmpegHlsArguments.VariantPlaylistName}", HlsMasterPlaylist.Measure(WritePlaylist(a), target))
            : null;
        HlsMasterPlaylist.Write(Path.Combine(directory, FfmpegHlsArguments.MasterPlaylistName), HlsMasterPlaylist.Render(variants, audio, request.Source.FramesPerSecond));
        written.Add(FfmpegHlsArguments.MasterPlaylistName);
        return written;
    }

    private static async Task<List<HlsPlaylistEntry>> FinishedEntriesAsync(string output, string variant, CancellationToken cancellationToken)
    {
        var path = Path.Combine(output, variant, FfmpegHlsArguments.VariantPlaylistName);
        var playlist = File.Exists(path) ? HlsMediaPlaylist.Parse(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)) : null;
        if (playlist is not { Ended: true, Entries.Count: > 0 })
        {
            throw new TranscodeFailedException(JobError.Transient(JobErrorCodes.EncodeFailed, $"ffmpeg exited 0 but {variant}'s playlist is missing, empty or unfinished."));
        }

        return playlist.Entries.ToList();
    }

    private static List<HlsSegmentRecord> Records(string output, string variant, int first, IReadOnlyList<HlsPlaylistEntry> entries) =>
        entries.Select((e, i) => new HlsSegmentRecord(first + i, e.Uri, e.DurationSeconds, new FileInfo(Path.Combine(output, variant, e.Uri)).Length)).ToList();

    /// <summary>ffmpeg's <c>out_time_us</c> is on the output's clock: a chunk's progress is measured from its start.</summary>
    private static void ReportProgress(string line, double startSeconds, double spanMicroseconds, IProgress<double> progress)
    {
        const string prefix = "out_time_us=";
        if (spanMicroseconds > 0
            && line.StartsWith(prefix, StringComparison.Ordinal)
            && long.TryParse(line.AsSpan(prefix.Length), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var microseconds))
        {
            progress.Report(Math.Clamp((microseconds - (startSeconds * 1e6)) / spanMicroseconds, 0, 0.999));
        }
    }
}
