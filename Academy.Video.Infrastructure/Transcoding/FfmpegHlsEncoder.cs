using System.Diagnostics;
using System.Globalization;
using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Academy.Video.Infrastructure.Transcoding;

/// <summary>
/// Runs the one ffmpeg process built by <see cref="FfmpegHlsArguments"/>: first decides whether the top rung is the
/// source's video copied (<see cref="SourceCopy"/>, from ffprobe's packet list), then encodes, then writes the master
/// playlist with the rates measured on the segments (<see cref="HlsMasterPlaylist"/>).
/// </summary>
public sealed partial class FfmpegHlsEncoder : IHlsEncoder
{
    /// <summary>ffmpeg's words for a source it cannot read: no other attempt can succeed.</summary>
    private static readonly string[] UndecodableSignatures =
    [
        "Invalid data found when processing input",
        "moov atom not found",
    ];

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

    public async Task<HlsOutput> EncodeAsync(HlsEncodeRequest request, IProgress<double> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(progress);
        FfmpegHlsArguments.Validate(request);
        cancellationToken.ThrowIfCancellationRequested();
        PrepareEmptyDirectory(request.OutputDirectory);

        var (topRung, arguments) = await PlanAsync(request, cancellationToken).ConfigureAwait(false);
        LogPlan(topRung.Copy ? "copy" : "encode", topRung.Code, string.Join(',', request.Renditions.Select(r => r.Name)), topRung.Reason);
        LogStarting(request.Renditions.Count, ProcessCommandLine.Join(arguments));

        var sourceMicroseconds = request.Source.Duration.TotalMicroseconds;
        var clock = Stopwatch.StartNew();
        var exit = await ToolProcess.RunAsync(
            ToolProcess.Executable(_options, "ffmpeg"),
            arguments,
            line => ReportProgress(line, sourceMicroseconds, progress),
            cancellationToken).ConfigureAwait(false);
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

        await WriteMasterAsync(request, cancellationToken).ConfigureAwait(false);
        progress.Report(1);
        return new HlsOutput(request.OutputDirectory, FfmpegHlsArguments.MasterPlaylistName, ListFiles(request.OutputDirectory)) { TopRung = topRung };
    }

    /// <summary>
    /// How the request will be encoded: whether the top rung is copied, and the exact ffmpeg arguments. The benchmark
    /// runs these arguments alone to measure what the worker adds around them.
    /// </summary>
    public async Task<(SourceCopyDecision TopRung, IReadOnlyList<string> Arguments)> PlanAsync(HlsEncodeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (topRung, copyKeyframes) = await PlanTopRungAsync(request, cancellationToken).ConfigureAwait(false);
        return (topRung, FfmpegHlsArguments.Build(request, _options, copyKeyframes));
    }

    private async Task<(SourceCopyDecision Decision, IReadOnlyList<double>? CopyKeyframes)> PlanTopRungAsync(HlsEncodeRequest request, CancellationToken cancellationToken)
    {
        if (!_options.SourceCopy)
        {
            return (SourceCopyDecision.Encode(SourceCopyCodes.Disabled, "Transcoding:SourceCopy is off"), null);
        }

        var top = request.Renditions[0];
        if (SourceCopy.RefuseFromStream(request.Source, top) is { } refused)
        {
            return (refused, null);
        }

        PacketScan scan;
        try
        {
            scan = await _scanner.ScanAsync(request.SourcePath, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            // The fast path is an optimisation: a source whose packets cannot be listed is encoded, and ffmpeg judges it.
            return (SourceCopyDecision.Encode(SourceCopyCodes.PacketsUnreadable, e.Message), null);
        }

        var decision = SourceCopy.Decide(request.Source, top, request.SegmentDuration, scan.Index);
        return decision.Copy
            ? (decision, decision.CutSeconds.Select(c => c + scan.FirstPacketSeconds).ToList())
            : (decision, null);
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

    private async Task WriteMasterAsync(HlsEncodeRequest request, CancellationToken cancellationToken)
    {
        var target = request.SegmentDuration.TotalSeconds;
        var variants = new List<MasterVariant>();
        foreach (var rendition in request.Renditions)
        {
            var playlistUri = $"{rendition.Name}/{FfmpegHlsArguments.VariantPlaylistName}";
            var playlist = Path.Combine(request.OutputDirectory, rendition.Name, FfmpegHlsArguments.VariantPlaylistName);
            var firstSegment = File.ReadLines(playlist).First(l => l.Length > 0 && !l.StartsWith('#'));
            // Read from the variant's own bytes: exact for an encoded and for a copied stream alike.
            var written = await _probe.ProbeAsync(Path.Combine(request.OutputDirectory, rendition.Name, firstSegment), cancellationToken).ConfigureAwait(false);
            variants.Add(new MasterVariant(rendition, playlistUri, written.VideoCodecString, HlsMasterPlaylist.Measure(playlist, target)));
        }

        (string, MeasuredRate)? audio = null;
        if (request.Source.HasAudio)
        {
            var audioUri = $"{FfmpegHlsArguments.AudioRenditionName}/{FfmpegHlsArguments.VariantPlaylistName}";
            audio = (audioUri, HlsMasterPlaylist.Measure(Path.Combine(request.OutputDirectory, FfmpegHlsArguments.AudioRenditionName, FfmpegHlsArguments.VariantPlaylistName), target));
        }

        HlsMasterPlaylist.Write(
            Path.Combine(request.OutputDirectory, FfmpegHlsArguments.MasterPlaylistName),
            HlsMasterPlaylist.Render(variants, audio, request.Source.FramesPerSecond));
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
    // The job's own handler can state the decision (HlsOutput.TopRung) as an event with it.
    [LoggerMessage(Level = LogLevel.Information, Message = "Top rung {top_rung} ({top_rung_code}) for {renditions}: {reason}")]
    private partial void LogPlan(string top_rung, string top_rung_code, string renditions, string reason);

    /// <summary>What follows until the job completes is the master playlist and the upload.</summary>
    [LoggerMessage(Level = LogLevel.Information, Message = "ffmpeg exited with code {ffmpeg_exit_code} after {ffmpeg_duration_ms} ms")]
    private partial void LogFinished(int ffmpeg_exit_code, long ffmpeg_duration_ms);

    [LoggerMessage(Level = LogLevel.Information, Message = "Encoding {RenditionCount} renditions: ffmpeg {Arguments}")]
    private partial void LogStarting(int renditionCount, string arguments);
}
