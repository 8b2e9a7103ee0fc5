using System.Diagnostics;
using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Jobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xabe.FFmpeg;
using Xabe.FFmpeg.Exceptions;

namespace Academy.Video.Infrastructure.Transcoding;

/// <summary>Runs the one ffmpeg process built by <see cref="FfmpegHlsArguments"/> through Xabe.FFmpeg.</summary>
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
    private readonly ILogger<FfmpegHlsEncoder> _logger;

    public FfmpegHlsEncoder(IOptions<TranscodingOptions> options, ILogger<FfmpegHlsEncoder> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _probe = new FfprobeMediaProbe(options);
        _logger = logger;
    }

    public async Task<HlsOutput> EncodeAsync(HlsEncodeRequest request, IProgress<double> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(progress);
        var arguments = FfmpegHlsArguments.Build(request, _options);
        cancellationToken.ThrowIfCancellationRequested();
        PrepareEmptyDirectory(request.OutputDirectory);

        var stderr = new StderrTail();
        var conversion = FFmpeg.Conversions.New();
        conversion.OnDataReceived += (_, e) => stderr.Add(e.Data);
        var sourceSeconds = request.Source.Duration.TotalSeconds;
        long ffmpegProcessId = 0;
        conversion.OnProgress += (_, e) =>
        {
            Interlocked.Exchange(ref ffmpegProcessId, e.ProcessId);
            if (sourceSeconds > 0)
            {
                progress.Report(Math.Clamp(e.Duration.TotalSeconds / sourceSeconds, 0, 1));
            }
        };

        var commandLine = ProcessCommandLine.Join(arguments);
        LogStarting(request.Renditions.Count, commandLine);

        // Xabe's own cancellation callback blocks for seconds (it asks ffmpeg to quit, then waits before
        // killing); running it through a private source cancelled asynchronously keeps the caller's
        // Cancel() from blocking, while Xabe still kills the process at once.
        using var ffmpegCancellation = new CancellationTokenSource();
        using (cancellationToken.Register(static s => _ = ((CancellationTokenSource)s!).CancelAsync(), ffmpegCancellation))
        {
            try
            {
                await conversion.Start(commandLine, ffmpegCancellation.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (cancellationToken.IsCancellationRequested)
            {
                await WaitForExitAsync(Interlocked.Read(ref ffmpegProcessId)).ConfigureAwait(false);
                throw new OperationCanceledException("The encode was cancelled and ffmpeg was stopped.", e, cancellationToken);
            }
            catch (ConversionException e)
            {
                // Xabe raises ConversionException on a non-zero exit (and on a few log phrases of its own).
                throw new TranscodeFailedException(await ClassifyAsync(request, stderr, e.Message, cancellationToken).ConfigureAwait(false), e);
            }
        }

        // Xabe judges the exit from stderr lines that may not have been read yet when ffmpeg exits, so a failed
        // ffmpeg can come back as a success: the output itself is the verdict.
        var incomplete = IncompleteOutput(request);
        if (incomplete is not null)
        {
            throw new TranscodeFailedException(await ClassifyAsync(request, stderr, incomplete, cancellationToken).ConfigureAwait(false));
        }

        progress.Report(1);
        return new HlsOutput(request.OutputDirectory, FfmpegHlsArguments.MasterPlaylistName, ListFiles(request.OutputDirectory));
    }

    private async Task<JobError> ClassifyAsync(HlsEncodeRequest request, StderrTail stderr, string failure, CancellationToken cancellationToken)
    {
        await stderr.WaitForQuietAsync(cancellationToken).ConfigureAwait(false);
        var tail = string.Join('\n', stderr.Lines());
        var undecodable = UndecodableSignatures.FirstOrDefault(s =>
            tail.Contains(s, StringComparison.OrdinalIgnoreCase) || failure.Contains(s, StringComparison.OrdinalIgnoreCase));
        if (undecodable is not null)
        {
            return JobError.SourceUndecodable($"ffmpeg: {undecodable}.");
        }

        // ffprobe's verdict on the source does not depend on catching ffmpeg's stderr in time.
        try
        {
            await _probe.ProbeAsync(request.SourcePath, cancellationToken).ConfigureAwait(false);
        }
        catch (TranscodeFailedException e) when (e.Error.IsPermanent)
        {
            return e.Error;
        }

        return JobError.Transient(
            JobErrorCodes.EncodeFailed,
            tail.Length > 0 ? $"ffmpeg failed: {FirstLine(failure)}\n{tail}" : $"ffmpeg failed and its stderr was not captured: {failure}");
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0];

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

    /// <summary>
    /// What is missing from the HLS tree, or null when it is complete: every variant in the master playlist
    /// (ffmpeg exits 0 yet leaves out a variant whose bandwidth it does not know) and every variant playlist
    /// finished. ffmpeg 5.1 writes BANDWIDTH, RESOLUTION and CODECS itself, so the master is not rewritten.
    /// </summary>
    private static string? IncompleteOutput(HlsEncodeRequest request)
    {
        var master = Path.Combine(request.OutputDirectory, FfmpegHlsArguments.MasterPlaylistName);
        var variants = File.Exists(master)
            ? File.ReadLines(master).Count(l => l.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal))
            : 0;
        if (variants != request.Renditions.Count)
        {
            return $"{FfmpegHlsArguments.MasterPlaylistName} lists {variants} of {request.Renditions.Count} variants.";
        }

        var unfinished = request.Renditions
            .Select(r => Path.Combine(request.OutputDirectory, r.Name, FfmpegHlsArguments.VariantPlaylistName))
            .FirstOrDefault(p => !File.Exists(p) || !File.ReadLines(p).Contains("#EXT-X-ENDLIST"));
        return unfinished is null ? null : $"{unfinished} is missing or unfinished.";
    }

    /// <summary>
    /// Xabe sends the kill and returns; wait until the process is gone so no ffmpeg outlives the attempt.
    /// Xabe 6.1 exposes the process id only through progress events, so before the first one there is none to wait on.
    /// </summary>
    private static async Task WaitForExitAsync(long processId)
    {
        if (processId <= 0)
        {
            return;
        }

        try
        {
            using var process = Process.GetProcessById((int)processId);
            if (process.ProcessName != "ffmpeg")
            {
                // The id was already freed and reused.
                return;
            }

            if (!process.HasExited)
            {
                process.Kill();
            }

            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // Already exited and reaped.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Encoding {RenditionCount} renditions: ffmpeg {Arguments}")]
    private partial void LogStarting(int renditionCount, string arguments);

    /// <summary>The last lines ffmpeg wrote to stderr, without the progress lines that would crowd out the error.</summary>
    private sealed class StderrTail
    {
        private const int Capacity = 30;
        private readonly Queue<string> _lines = new();
        private readonly Lock _gate = new();

        public void Add(string? line)
        {
            if (string.IsNullOrWhiteSpace(line) || line.StartsWith("frame=", StringComparison.Ordinal) || line.StartsWith("size=", StringComparison.Ordinal))
            {
                return;
            }

            Interlocked.Increment(ref _lastAdded);
            lock (_gate)
            {
                if (_lines.Count == Capacity)
                {
                    _lines.Dequeue();
                }

                _lines.Enqueue(line);
            }
        }

        private long _lastAdded;

        /// <summary>Lets lines still in the pipe arrive after ffmpeg exited: returns after 200 ms without a new line (1 s at most).</summary>
        public async Task WaitForQuietAsync(CancellationToken cancellationToken)
        {
            for (var waited = 0; waited < 1000; waited += 200)
            {
                var before = Interlocked.Read(ref _lastAdded);
                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
                if (Interlocked.Read(ref _lastAdded) == before)
                {
                    return;
                }
            }
        }

        public IReadOnlyList<string> Lines()
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }
}
