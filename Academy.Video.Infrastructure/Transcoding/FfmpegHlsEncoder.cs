using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;
using Academy.Video.Domain.Videos;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Academy.Video.Infrastructure.Transcoding;

/// <summary>
/// Runs the one ffmpeg process built by <see cref="FfmpegHlsArguments"/>: first decides whether the top rung is the
/// source's video copied (<see cref="SourceCopy"/>, from ffprobe's packet list), then encodes — telling the sink of each
/// segment as ffmpeg closes it — then writes every variant's final playlist (an earlier attempt's segments first, when
/// resumed), the master playlist with the rates measured on the segments (<see cref="HlsMasterPlaylist"/>) and the
/// storyboard's WebVTT index.
/// </summary>
public sealed partial class FfmpegHlsEncoder : IHlsEncoder
{
    /// <summary>ffmpeg's words for a source it cannot read: no other attempt can succeed.</summary>
    private static readonly string[] UndecodableSignatures =
    [
        "Invalid data found when processing input",
        "moov atom not found",
    ];

    /// <summary>How often the output is looked at for closed segments while ffmpeg runs.</summary>
    private static readonly TimeSpan WatchInterval = TimeSpan.FromMilliseconds(500);

    private readonly TranscodingOptions _options;
    private readonly FfprobeMediaProbe _probe;
    private readonly FfprobeKeyframeScanner _scanner;
    private readonly ILogger<FfmpegHlsEncoder> _logger;

    public FfmpegHlsEncoder(IOptions<TranscodingOptions> options, ILogger<FfmpegHlsEncoder> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _probe = new FfprobeMediaProbe(options);
        _scanner = new FfprobeKeyframeScanner(_options);
        _logger = logger;
    }

    public async Task<HlsEncodePlan> PlanAsync(HlsEncodeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        FfmpegHlsArguments.Validate(request);
        // The loudness pass decodes the audio, the profile analysis a small copy of the video, the key frame scan lists the
        // video's packets: all read the whole source (or samples of it) and are on the path to the first playable segment,
        // so they run at once.
        var loudness = PlanLoudnessAsync(request, cancellationToken);
        var scan = PlanTopRungAsync(request, cancellationToken);
        var profile = request.MayDeferProfile && _options.SourceCopy && SourceCopy.RefuseFromStream(request.Source, request.Renditions[0]) is null
            ? PlanProfileAfterAsync(request, loudness, scan, cancellationToken)
            : PlanProfileAsync(request, cancellationToken);
        try
        {
            await Task.WhenAll(loudness, scan).ConfigureAwait(false);
        }
        catch (Exception)
        {
            await Task.WhenAny(profile).ConfigureAwait(false);
            throw;
        }

        var (topRung, videoStart) = await scan.ConfigureAwait(false);
        request = request with { Loudness = await loudness.ConfigureAwait(false) };
        var plan = new HlsEncodePlan(
            request,
            topRung,
            "",
            request.Renditions.Select(r => r.Name).ToList(),
            request.Source.HasAudio ? FfmpegHlsArguments.AudioRenditionName : null)
        {
            VideoStartSeconds = videoStart,
            Resumable = FfmpegHlsArguments.Resumable(request),
        };
        if (request.MayDeferProfile && topRung.Copy && !profile.IsCompleted)
        {
            // The copied rung and the audio need neither the profile nor the fingerprint: they start while the analysis runs
            // (decision 0024), and CompleteAsync gives the rest.
            return plan with { PendingProfile = profile };
        }

        return await CompleteAsync(plan with { PendingProfile = profile }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<HlsEncodePlan> CompleteAsync(HlsEncodePlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.PendingProfile is not { } pending)
        {
            return plan;
        }

        var profile = await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
        var whole = plan with { Request = plan.Request with { Profile = profile }, PendingProfile = null };
        return whole with { Fingerprint = Fingerprint(whole.Request, Commands(whole, null)) };
    }

    /// <summary>
    /// The exact ffmpeg arguments of the plan, from the start or from a resume point. The benchmark runs these arguments alone
    /// to measure what the worker adds around them.
    /// </summary>
    public IReadOnlyList<string> Arguments(HlsEncodePlan plan, HlsResumePoint? resume) => Command(plan, resume, HlsRunPart.Whole);

    /// <summary>
    /// The ffmpeg processes the worker runs at once for the plan: the whole run in one, or on the fast path the copied top
    /// rung with the audio in one, which is done in seconds whatever the length, and the encoded ladder in the other
    /// (docs/encoding.md, "Playable early"). Together they write what <see cref="Arguments"/> writes.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> Commands(HlsEncodePlan plan, HlsResumePoint? resume)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return plan.TopRung.Copy
            ? [Command(plan, resume, HlsRunPart.CopyAndAudio), Command(plan, resume, HlsRunPart.Ladder)]
            : [Command(plan, resume, HlsRunPart.Whole)];
    }

    private IReadOnlyList<string> Command(HlsEncodePlan plan, HlsResumePoint? resume, HlsRunPart part)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var copyCuts = plan.TopRung.Copy ? plan.TopRung.CutSeconds.Select(c => c + plan.VideoStartSeconds).ToList() : null;
        HlsResumeStart? start = null;
        if (resume is not null)
        {
            var seconds = copyCuts is null ? resume.SegmentCount * plan.Request.SegmentDuration.TotalSeconds : copyCuts[resume.SegmentCount - 1];
            start = new HlsResumeStart(resume.SegmentCount, seconds);
        }

        return FfmpegHlsArguments.Build(plan.Request, _options, new HlsCommand(copyCuts, start, Part: part));
    }

    public async Task<HlsOutput> EncodeAsync(HlsEncodePlan plan, HlsResumePoint? resume, IProgress<double> progress, IHlsSegmentSink segments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(segments);
        var request = plan.Request;
        FfmpegHlsArguments.Validate(request);
        if (resume is not null && (!plan.Resumable || resume.SegmentCount < 1 || plan.VideoVariants.Any(v => !resume.Segments.ContainsKey(v))))
        {
            throw new ArgumentException("The resume point does not fit the plan: every video variant needs its reused segments.", nameof(resume));
        }

        cancellationToken.ThrowIfCancellationRequested();
        PrepareEmptyDirectory(request.OutputDirectory);
        foreach (var variant in FfmpegHlsArguments.Variants(request))
        {
            Directory.CreateDirectory(Path.Combine(request.OutputDirectory, variant));
        }

        if (plan.PendingProfile is not null && resume is not null)
        {
            throw new ArgumentException("A plan whose profile is still pending has no earlier attempt to resume from.", nameof(resume));
        }

        IReadOnlyList<Task<IReadOnlyList<string>>> commands = plan.PendingProfile is null
            ? Commands(plan, resume).Select(Task.FromResult).ToList()
            : [Task.FromResult(Command(plan, null, HlsRunPart.CopyAndAudio)), LadderOnceDecidedAsync()];
        foreach (var arguments in commands.Where(c => c.IsCompleted))
        {
            LogStarting(request.Renditions.Count, resume?.SegmentCount ?? 0, ProcessCommandLine.Join(arguments.Result));
        }

        // The encoded ladder of a plan whose profile was pending: built once the analysis has decided.
        async Task<IReadOnlyList<string>> LadderOnceDecidedAsync()
        {
            var whole = await CompleteAsync(plan, cancellationToken).ConfigureAwait(false);
            var ladder = Command(whole, null, HlsRunPart.Ladder);
            LogStarting(request.Renditions.Count, 0, ProcessCommandLine.Join(ladder));
            return ladder;
        }

        var firstVideoSegment = resume?.SegmentCount ?? 0;
        var watcher = new HlsSegmentWatcher(
            request.OutputDirectory,
            plan.VideoVariants.Select(v => (v, firstVideoSegment)).Concat(plan.AudioVariant is { } audio ? [(audio, 0)] : []),
            segments);
        var sourceMicroseconds = request.Source.Duration.TotalMicroseconds;
        var clock = Stopwatch.StartNew();
        ToolExit exit;
        using (var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var watching = watcher.WatchAsync(WatchInterval, stopWatching.Token);
            try
            {
                exit = await RunAsync(commands, line => ReportProgress(line, sourceMicroseconds, progress), cancellationToken).ConfigureAwait(false);
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

        var incomplete = IncompleteOutput(request);
        if (incomplete is not null)
        {
            throw new TranscodeFailedException(JobError.Transient(JobErrorCodes.EncodeFailed, $"ffmpeg exited 0 but {incomplete}\n{exit.Tail}"));
        }

        watcher.Scan();
        plan = await CompleteAsync(plan, cancellationToken).ConfigureAwait(false);
        request = plan.Request;
        var playlists = await WriteTreeAsync(plan, resume, watcher, cancellationToken).ConfigureAwait(false);
        var chapters = await WriteChaptersAsync(request, cancellationToken).ConfigureAwait(false);
        progress.Report(1);
        var output = request.OutputDirectory;
        return new HlsOutput(output, FfmpegHlsArguments.MasterPlaylistName, ListFiles(output))
        {
            TopRung = plan.TopRung,
            VariantPlaylists = playlists,
            Poster = File.Exists(Path.Combine(output, FfmpegHlsArguments.PosterName)) ? FfmpegHlsArguments.PosterName : null,
            Storyboard = File.Exists(Path.Combine(output, FfmpegHlsArguments.StoryboardIndexName)) ? FfmpegHlsArguments.StoryboardIndexName : null,
            Chapters = chapters,
            ChaptersTrack = chapters.Count > 0 ? StorageKeys.ChaptersName : null,
        };
    }

    public async Task<HlsOutput> AddDownloadsAsync(HlsEncodePlan plan, HlsOutput output, Func<IReadOnlyList<string>, CancellationToken, Task> fetchMissing, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(fetchMissing);
        if (!_options.Downloads || HlsLadder.DownloadRendition(plan.Request.Renditions) is not { } rendition)
        {
            return output;
        }

        var clock = Stopwatch.StartNew();
        var root = output.OutputDirectory;
        var videoPlaylist = Path.Combine(root, rendition.Name, FfmpegHlsArguments.VariantPlaylistName);
        var audio = plan.AudioVariant is { } a ? Path.Combine(root, a, FfmpegHlsArguments.VariantPlaylistName) : null;
        // A resumed encode wrote only the segments after its start, and a chunked job's assembler none but its chunk's: the
        // others are brought down first (decisions 0011 and 0023).
        var missing = new List<string>();
        foreach (var variant in new[] { rendition.Name, plan.AudioVariant }.OfType<string>())
        {
            var playlist = Path.Combine(root, variant, FfmpegHlsArguments.VariantPlaylistName);
            missing.AddRange(HlsMediaPlaylist.Parse(await File.ReadAllTextAsync(playlist, cancellationToken).ConfigureAwait(false)).Entries
                .Select(e => $"{variant}/{e.Uri}")
                .Where(relative => !File.Exists(Path.Combine(root, relative))));
        }

        if (missing.Count > 0)
        {
            await fetchMissing(missing, cancellationToken).ConfigureAwait(false);
        }

        Directory.CreateDirectory(Path.Combine(root, StorageKeys.DownloadsFolder));
        var arguments = DownloadArguments(videoPlaylist, audio, Path.Combine(root, StorageKeys.DownloadVideoName), Path.Combine(root, StorageKeys.DownloadAudioName));
        var exit = await ToolProcess.RunAsync(ToolProcess.Executable(_options, "ffmpeg"), arguments, null, cancellationToken).ConfigureAwait(false);
        if (exit.ExitCode != 0)
        {
            throw new TranscodeFailedException(JobError.Transient(JobErrorCodes.EncodeFailed, $"the remux of the downloads failed with exit code {exit.ExitCode}\n{exit.Tail}"));
        }

        var downloads = new HlsDownloads(
            StorageKeys.DownloadVideoName,
            rendition.Name,
            new FileInfo(Path.Combine(root, StorageKeys.DownloadVideoName)).Length,
            audio is null ? null : StorageKeys.DownloadAudioName,
            audio is null ? 0 : new FileInfo(Path.Combine(root, StorageKeys.DownloadAudioName)).Length,
            clock.Elapsed);
        string[] made = audio is null ? [downloads.Video] : [downloads.Video, downloads.Audio!];
        return output with { Files = [.. output.Files.Concat(made).Order(StringComparer.Ordinal)], Downloads = downloads };
    }

    /// <summary>
    /// One ffmpeg run that reads the rung's and the audio's finished playlists (the HLS demuxer follows the segments in
    /// order, on the clock they share) and writes, stream copied, the MP4 and the M4A: ADTS audio becomes MP4's, and the
    /// index goes before the media (faststart) so a browser plays the file while it downloads.
    /// </summary>
    public static IReadOnlyList<string> DownloadArguments(string videoPlaylist, string? audioPlaylist, string videoFile, string audioFile)
    {
        List<string> args = ["-hide_banner", "-nostdin", "-y", "-loglevel", "warning", "-i", videoPlaylist];
        if (audioPlaylist is not null)
        {
            args.AddRange(["-i", audioPlaylist]);
        }

        args.AddRange(["-map", "0:v:0"]);
        if (audioPlaylist is not null)
        {
            args.AddRange(["-map", "1:a:0", "-bsf:a", "aac_adtstoasc"]);
        }

        args.AddRange(["-c", "copy", "-map_metadata", "-1", "-movflags", "+faststart", "-f", "mp4", videoFile]);
        if (audioPlaylist is not null)
        {
            args.AddRange(["-map", "1:a:0", "-c", "copy", "-bsf:a", "aac_adtstoasc", "-map_metadata", "-1", "-movflags", "+faststart", "-f", "ipod", audioFile]);
        }

        return args;
    }

    /// <summary>
    /// The chapters from the slide changes in the encode's gray copy (docs/encoding.md, Chapters): their WebVTT track and a
    /// thumbnail each, written into the output so they go up with it. The gray copy is removed.
    /// </summary>
    private async Task<IReadOnlyList<VideoChapter>> WriteChaptersAsync(HlsEncodeRequest request, CancellationToken cancellationToken)
    {
        var analysis = FfmpegSlideChanges.AnalysisPath(request.OutputDirectory);
        var clock = Stopwatch.StartNew();
        IReadOnlyList<double> changes;
        try
        {
            changes = await FfmpegSlideChanges.DetectAsync(analysis, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(analysis);
        }

        var duration = request.Source.Duration.TotalSeconds;
        var chapters = VideoChapter.FromChanges(changes, duration, i => $"{StorageKeys.ChapterThumbnailsFolder}{i + 1:D4}.jpg");
        if (chapters.Count > 0)
        {
            var output = request.OutputDirectory;
            Directory.CreateDirectory(Path.Combine(output, StorageKeys.ChapterThumbnailsFolder));
            // The slide as it ends (every build shown), a moment before the next one.
            var times = chapters.Select(c => (Math.Max(c.Start + 0.5, c.End - 1.5), Path.Combine(output, c.ThumbnailKey!))).ToList();
            foreach (var batch in times.Chunk(16))
            {
                var exit = await ToolProcess.RunAsync(ToolProcess.Executable(_options, "ffmpeg"), FfmpegSlideChanges.ThumbnailArguments(request.SourcePath, batch), null, cancellationToken).ConfigureAwait(false);
                if (exit.ExitCode != 0)
                {
                    throw new TranscodeFailedException(JobError.Transient(JobErrorCodes.EncodeFailed, $"ffmpeg could not cut the chapter thumbnails\n{exit.Tail}"));
                }
            }

            // A seek past the last frame writes nothing: that chapter goes without a thumbnail rather than name a missing object.
            chapters = chapters.Select(c => File.Exists(Path.Combine(output, c.ThumbnailKey!)) ? c : c with { ThumbnailKey = null }).ToList();
            await File.WriteAllTextAsync(Path.Combine(output, StorageKeys.ChaptersName), VideoChapter.RenderVtt(chapters), cancellationToken).ConfigureAwait(false);
        }

        LogChapters(chapters.Count, clock.ElapsedMilliseconds);
        return chapters;
    }

    /// <summary>
    /// Runs the processes at once; the last (the encode, the longest) reports the progress. One that fails stops the others,
    /// and its exit is the run's; otherwise the last one's. A command still being decided starts once it is.
    /// </summary>
    /// <param name="yieldsCpu">Which of the commands (by index) give way to the others on a shared core (<see cref="ToolProcess"/>).</param>
    private async Task<ToolExit> RunAsync(IReadOnlyList<Task<IReadOnlyList<string>>> commands, Action<string> onProgressLine, CancellationToken cancellationToken, Func<int, bool>? yieldsCpu = null)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        async Task<ToolExit?> RunOneAsync(Task<IReadOnlyList<string>> command, Action<string>? onOutputLine, bool yields)
        {
            try
            {
                IReadOnlyList<string> arguments;
                try
                {
                    arguments = await command.WaitAsync(stop.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    await stop.CancelAsync().ConfigureAwait(false);
                    throw;
                }

                var exit = await ToolProcess.RunAsync(ToolProcess.Executable(_options, "ffmpeg"), arguments, onOutputLine, stop.Token, yieldsCpu: yields).ConfigureAwait(false);
                if (exit.ExitCode != 0)
                {
                    await stop.CancelAsync().ConfigureAwait(false);
                }

                return exit;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Stopped because another part failed: that part's exit says why.
                return null;
            }
        }

        var exits = await Task.WhenAll(commands.Select((arguments, i) => RunOneAsync(arguments, i == commands.Count - 1 ? onProgressLine : null, yieldsCpu?.Invoke(i) == true))).ConfigureAwait(false);
        return exits.FirstOrDefault(e => e is { ExitCode: not 0 }) ?? exits[^1]!;
    }

    /// <summary>
    /// The first pass of the loudness normalisation, unless there is nothing to measure, it is off, or an earlier attempt
    /// of the job measured already (its figures are reused, so a resumed encode's fingerprint matches).
    /// </summary>
    private async Task<LoudnessMeasurement> PlanLoudnessAsync(HlsEncodeRequest request, CancellationToken cancellationToken)
    {
        if (!request.Source.HasAudio)
        {
            return LoudnessMeasurement.NoAudio;
        }

        if (!_options.NormalizeLoudness)
        {
            return LoudnessMeasurement.Disabled;
        }

        if (request.Loudness is { Status: LoudnessStatus.Normalized or LoudnessStatus.Silent } stored)
        {
            return stored;
        }

        var clock = Stopwatch.StartNew();
        var measured = await FfmpegLoudness.MeasureAsync(request.SourcePath, request.Source.Duration.TotalSeconds, _options, cancellationToken).ConfigureAwait(false);
        LogLoudnessMeasured(measured.Status, measured.InputIntegrated, measured.InputTruePeak, clock.ElapsedMilliseconds);
        return measured;
    }

    /// <summary>
    /// Slides or camera (docs/encoding.md, Slides profile), unless it is off or an earlier attempt of the job decided
    /// already (its decision is reused: it is part of the plan's fingerprint, so a resumed encode must use the same).
    /// </summary>
    private async Task<LectureProfile> PlanProfileAsync(HlsEncodeRequest request, CancellationToken cancellationToken)
    {
        if (!_options.SlidesProfile)
        {
            return LectureProfile.Disabled;
        }

        if (request.Profile is { Kind: LectureProfileKind.Slides or LectureProfileKind.Camera } stored)
        {
            return stored;
        }

        var clock = Stopwatch.StartNew();
        LectureProfile decided;
        try
        {
            decided = await FfmpegLectureProfile.AnalyzeAsync(request.SourcePath, request.Source.Duration.TotalSeconds, _options, cancellationToken).ConfigureAwait(false);
        }
        catch (TranscodeFailedException failure)
        {
            // The profile only tunes the encode: a source the analysis cannot read is encoded as camera (today's settings),
            // and the encode itself says what is wrong with it (SOURCE_UNDECODABLE, or a transient failure retried).
            LogProfileAnalysisFailed(failure.Error.Code, failure.Error.Message);
            decided = new LectureProfile(LectureProfileKind.Camera);
        }

        LogProfileAnalyzed(decided.Kind, decided.StillShare, decided.Motion, decided.AnalyzedSeconds, clock.ElapsedMilliseconds);
        return decided;
    }

    /// <summary>
    /// The profile analysis of a plan that may be deferred and whose top rung may be copied: started once the key frame scan
    /// has decided, and on the fast path once the loudness is measured too, so that it takes no core from the two steps the
    /// first playable segment waits for (decision 0024). The ladder, which needs it, starts later anyway.
    /// </summary>
    private async Task<LectureProfile> PlanProfileAfterAsync(HlsEncodeRequest request, Task<LoudnessMeasurement> loudness, Task<(SourceCopyDecision Decision, double VideoStartSeconds)> scan, CancellationToken cancellationToken)
    {
        await Task.WhenAny(scan).ConfigureAwait(false);
        if (scan.IsCompletedSuccessfully && scan.Result.Decision.Copy)
        {
            await Task.WhenAny(loudness).ConfigureAwait(false);
        }

        return await PlanProfileAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async Task<(SourceCopyDecision Decision, double VideoStartSeconds)> PlanTopRungAsync(HlsEncodeRequest request, CancellationToken cancellationToken)
    {
        if (!_options.SourceCopy)
        {
            return (SourceCopyDecision.Encode(SourceCopyCodes.Disabled, "Transcoding:SourceCopy is off"), 0);
        }

        var top = request.Renditions[0];
        if (SourceCopy.RefuseFromStream(request.Source, top) is { } refused)
        {
            return (refused, 0);
        }

        PacketScan scan;
        var clock = Stopwatch.StartNew();
        try
        {
            scan = await _scanner.ScanAsync(request.SourcePath, cancellationToken).ConfigureAwait(false);
            LogKeyframesScanned(scan.Index.KeyframeSeconds.Count, clock.ElapsedMilliseconds);
        }
        catch (InvalidOperationException e)
        {
            // The fast path is an optimisation: a source whose packets cannot be listed is encoded, and ffmpeg judges it.
            return (SourceCopyDecision.Encode(SourceCopyCodes.PacketsUnreadable, e.Message), 0);
        }

        return (SourceCopy.Decide(request.Source, top, request.SegmentDuration, scan.Index), scan.FirstPacketSeconds);
    }

    /// <summary>The plan's identity: its clean-run commands with the two paths that differ between attempts left out.</summary>
    private static string Fingerprint(HlsEncodeRequest request, IReadOnlyList<IReadOnlyList<string>> commands)
    {
        var source = Path.GetFullPath(request.SourcePath);
        var output = Path.GetFullPath(request.OutputDirectory);
        var text = "academy-video-hls-v1\n" + string.Join("\n&\n", commands.Select(arguments =>
            string.Join('\n', arguments.Select(a => a.Replace(source, "{source}", StringComparison.Ordinal).Replace(output, "{output}", StringComparison.Ordinal)))));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>ffmpeg's <c>-progress</c> lines: <c>out_time_us=12345678</c> among others, every half second.</summary>
    private static void ReportProgress(string line, double sourceMicroseconds, IProgress<double> progress)
    {
        const string prefix = "out_time_us=";
        if (sourceMicroseconds > 0
            && line.StartsWith(prefix, StringComparison.Ordinal)
            && long.TryParse(line.AsSpan(prefix.Length), NumberStyles.Integer, CultureInfo.InvariantCulture, out var microseconds))
        {
            // Capped below 1: done is reported once the output is checked and the master written.
            progress.Report(Math.Clamp(microseconds / sourceMicroseconds, 0, 0.999));
        }
    }

    /// <summary>
    /// Every variant's final playlist — the reused segments, then this run's — the master from what was measured, and the
    /// storyboard's index. Returns the variant playlists written.
    /// </summary>
    private async Task<IReadOnlyList<string>> WriteTreeAsync(HlsEncodePlan plan, HlsResumePoint? resume, HlsSegmentWatcher watcher, CancellationToken cancellationToken)
    {
        var request = plan.Request;
        var output = request.OutputDirectory;
        var target = request.SegmentDuration.TotalSeconds;
        var written = new List<string>();
        var thinned = request.Profile is { IsSlides: true } && !plan.TopRung.Copy;

        List<(double Seconds, long Bytes)> WritePlaylist(string variant, IReadOnlyList<HlsSegmentRecord> reused)
        {
            var mine = watcher.Entries(variant);
            if (mine.Count == 0)
            {
                throw new TranscodeFailedException(JobError.Transient(JobErrorCodes.EncodeFailed, $"ffmpeg wrote no segment of {variant}."));
            }

            var sizes = mine.Select(e => new FileInfo(Path.Combine(output, variant, e.Uri)).Length);
            var entries = reused.Select(s => new HlsPlaylistEntry(s.DurationSeconds, s.Uri)).Concat(mine).ToList();
            if (thinned)
            {
                entries = WithLastSegmentToTheEnd(entries, request.Source.Duration.TotalSeconds, target);
                mine = entries.Skip(reused.Count).ToList();
            }

            var relative = $"{variant}/{FfmpegHlsArguments.VariantPlaylistName}";
            HlsMasterPlaylist.Write(Path.Combine(output, variant, FfmpegHlsArguments.VariantPlaylistName), HlsMediaPlaylist.RenderVod(entries));
            written.Add(relative);
            return reused.Select(s => (s.DurationSeconds, s.Bytes)).Concat(mine.Zip(sizes, (e, bytes) => (e.DurationSeconds, bytes))).ToList();
        }

        var measured = request.Renditions.ToDictionary(r => r.Name, r => WritePlaylist(r.Name, resume?.Segments[r.Name] ?? []));
        // Read from each variant's own bytes (a segment this run wrote): exact for an encoded and for a copied stream alike.
        // One ffprobe per variant, at once: this is on the path from ffmpeg's exit to READY.
        var codecs = await Task.WhenAll(request.Renditions.Select(r =>
            _probe.ProbeAsync(Path.Combine(output, r.Name, watcher.Entries(r.Name)[0].Uri), cancellationToken))).ConfigureAwait(false);
        var variants = request.Renditions
            .Select((rendition, i) => new MasterVariant(rendition, $"{rendition.Name}/{FfmpegHlsArguments.VariantPlaylistName}", codecs[i].VideoCodecString, HlsMasterPlaylist.Measure(measured[rendition.Name], target)))
            .ToList();

        (string, MeasuredRate)? audio = null;
        if (plan.AudioVariant is { } audioVariant)
        {
            audio = ($"{audioVariant}/{FfmpegHlsArguments.VariantPlaylistName}", HlsMasterPlaylist.Measure(WritePlaylist(audioVariant, []), target));
        }

        HlsMasterPlaylist.Write(
            Path.Combine(output, FfmpegHlsArguments.MasterPlaylistName),
            HlsMasterPlaylist.Render(variants, audio, request.Source.FramesPerSecond));

        if (File.Exists(Path.Combine(output, FfmpegHlsArguments.StoryboardImageName)))
        {
            HlsMasterPlaylist.Write(
                Path.Combine(output, FfmpegHlsArguments.StoryboardIndexName),
                FfmpegHlsArguments.Storyboard(request).RenderVtt(FfmpegHlsArguments.StoryboardImageName, request.Source.Duration.TotalSeconds));
        }

        return written;
    }

    /// <summary>
    /// A thinned rung's last segment (docs/encoding.md, Slides profile): ffmpeg gives it the sum of its frames' durations,
    /// and thinned frames keep the source's (1/30 s each where they now stand 1/10 s apart); its picture lasts to the end of
    /// the video. The earlier segments' durations are measured between boundaries and stay.
    /// </summary>
    internal static List<HlsPlaylistEntry> WithLastSegmentToTheEnd(List<HlsPlaylistEntry> entries, double sourceSeconds, double targetSeconds)
    {
        var before = entries.Take(entries.Count - 1).Sum(e => e.DurationSeconds);
        var last = entries[^1];
        var toTheEnd = Math.Min(sourceSeconds - before, targetSeconds);
        return toTheEnd > last.DurationSeconds
            ? [.. entries.Take(entries.Count - 1), last with { DurationSeconds = Math.Round(toTheEnd, 6) }]
            : entries;
    }

    private async Task<JobError> ClassifyAsync(HlsEncodeRequest request, ToolExit exit, CancellationToken cancellationToken)
    {
        var tail = exit.Tail;
        var undecodable = UndecodableSignatures.FirstOrDefault(s => tail.Contains(s, StringComparison.OrdinalIgnoreCase));
        if (undecodable is not null)
        {
            return JobError.SourceUndecodable($"ffmpeg: {undecodable}.");
        }

        // ffprobe's verdict on the source is independent of which words ffmpeg chose.
        try
        {
            await _probe.ProbeAsync(request.SourcePath, cancellationToken).ConfigureAwait(false);
        }
        catch (TranscodeFailedException e) when (e.Error.IsPermanent)
        {
            return e.Error;
        }

        return JobError.Transient(JobErrorCodes.EncodeFailed, $"ffmpeg failed with exit code {exit.ExitCode}\n{tail}");
    }

    private static void PrepareEmptyDirectory(string directory)
    {
        // Every file in the directory is reported as output, so a leftover from an earlier attempt would be published.
        if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
        {
            throw new InvalidOperationException($"The output directory '{directory}' is not empty.");
        }

        Directory.CreateDirectory(directory);
    }

    private static List<string> ListFiles(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(directory, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>What is missing from the HLS tree, or null when every variant playlist (audio included) is finished.</summary>
    private static string? IncompleteOutput(HlsEncodeRequest request)
    {
        var unfinished = FfmpegHlsArguments.VariantPlaylists(request)
            .Select(p => Path.Combine(request.OutputDirectory, p))
            .FirstOrDefault(p => !File.Exists(p) || !File.ReadLines(p).Contains("#EXT-X-ENDLIST"));
        return unfinished is null ? null : $"{unfinished} is missing or unfinished.";
    }

    // No "event" field here: every worker line with one carries the job id, which the adapter does not know.
    /// <summary>What follows until the job completes is the master playlist and the upload.</summary>
    [LoggerMessage(Level = LogLevel.Information, Message = "ffmpeg exited with code {ffmpeg_exit_code} after {ffmpeg_duration_ms} ms")]
    private partial void LogFinished(int ffmpeg_exit_code, long ffmpeg_duration_ms);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loudness {loudness_status}: input_i {loudness_input_i} LUFS, input_tp {loudness_input_tp} dBTP, measured in {loudness_duration_ms} ms")]
    private partial void LogLoudnessMeasured(string loudness_status, double? loudness_input_i, double? loudness_input_tp, long loudness_duration_ms);

    [LoggerMessage(Level = LogLevel.Information, Message = "Chapters: {chapters_count} from the slide changes, found and cut in {chapters_duration_ms} ms")]
    private partial void LogChapters(int chapters_count, long chapters_duration_ms);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Profile analysis failed ({error_code}), encoded as camera: {error_message}")]
    private partial void LogProfileAnalysisFailed(string error_code, string error_message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Profile {profile}: still_share {still_share}, motion {motion}, {analyzed_seconds} s analysed in {profile_duration_ms} ms")]
    private partial void LogProfileAnalyzed(string profile, double? still_share, double? motion, double? analyzed_seconds, long profile_duration_ms);

    [LoggerMessage(Level = LogLevel.Information, Message = "Key frames: {keyframes_count} listed in {keyframes_duration_ms} ms")]
    private partial void LogKeyframesScanned(int keyframes_count, long keyframes_duration_ms);

    [LoggerMessage(Level = LogLevel.Information, Message = "Encoding {RenditionCount} renditions from segment {FirstSegment}: ffmpeg {Arguments}")]
    private partial void LogStarting(int renditionCount, int firstSegment, string arguments);
}
