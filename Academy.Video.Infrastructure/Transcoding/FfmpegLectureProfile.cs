using System.Globalization;
using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;

namespace Academy.Video.Infrastructure.Transcoding;

/// <summary>
/// Decides whether a lecture is slides or camera (docs/encoding.md, Slides profile) from a cheap analysis: the source's
/// video decoded, thinned to 2 frames a second, scaled to 64 pixels wide in grey, and each frame's mean luma difference
/// from the one before (signalstats' YDIF, 0–255) read. A short source is analysed whole; a long one in
/// <see cref="Windows"/> windows of <see cref="WindowSeconds"/> spread over it.
/// </summary>
public static class FfmpegLectureProfile
{
    /// <summary>Analysed frames a second: consecutive analysed frames are half a second apart.</summary>
    public const int AnalysisFramesPerSecond = 2;

    /// <summary>Width of the analysed grey copy: a slide's pointer or compression noise hardly moves its mean.</summary>
    public const int AnalysisWidth = 64;

    /// <summary>
    /// Two analysed frames whose mean luma difference is below this are near-identical. Measured on the generated corpus
    /// (docs/encoding.md): a slide lecture with a moving pointer has a median of 0.08, a camera lecture 3.7.
    /// </summary>
    public const double NearIdenticalDifference = 0.5;

    /// <summary>A source is slides when at least this share of its analysed frame pairs are near-identical.</summary>
    public const double SlidesStillShare = 0.8;

    /// <summary>Fewer analysed pairs than this is too little to tell: the source is encoded as camera.</summary>
    public const int MinimumPairs = 10;

    /// <summary>A source up to this long is analysed whole: at most a minute of video is decoded whatever the length (decision 0024).</summary>
    public const double WholeSourceSeconds = 60;

    public const int Windows = 6;

    public const double WindowSeconds = 10;

    private const string DifferenceKey = "lavfi.signalstats.YDIF=";

    /// <summary>The parts of a source analysed, as (start, length) in seconds: the whole, or windows spread evenly over it.</summary>
    public static IReadOnlyList<(double Start, double? Length)> Plan(double durationSeconds)
    {
        if (durationSeconds <= WholeSourceSeconds)
        {
            return [(0, null)];
        }

        var stride = durationSeconds / Windows;
        return Enumerable.Range(0, Windows).Select(i => (Math.Max(0, ((i + 0.5) * stride) - (WindowSeconds / 2)), (double?)WindowSeconds)).ToList();
    }

    /// <summary>One analysis run: the window of the source's first video stream, its frame differences printed on stdout.</summary>
    public static IReadOnlyList<string> AnalysisArguments(string sourcePath, double start, double? length, TranscodingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var args = new List<string> { "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error", "-an", "-sn", "-dn" };
        if (start > 0)
        {
            // A window begins at the key frame the seek lands on, not at the planned start: the frames between them would
            // be decoded only to be thrown away (half a key frame interval a window on average: a third of the decode for
            // key frames 10 s apart; docs/encoding.md, Slides profile). Its 10 s count from there.
            args.AddRange(["-ss", HlsCuts.Seconds(start), "-noaccurate_seek"]);
        }

        if (length is { } l)
        {
            args.AddRange(["-t", HlsCuts.Seconds(l)]);
        }

        args.AddRange(
        [
            "-i", Path.GetFullPath(sourcePath),
            "-map", "0:v:0",
            "-vf", $"fps={AnalysisFramesPerSecond},scale={AnalysisWidth}:-2,format=gray,signalstats,metadata=print:key=lavfi.signalstats.YDIF:file=-",
            "-f", "null", "-",
        ]);
        return args;
    }

    /// <summary>The frame differences in one run's stdout, the first frame's (which has nothing before it) left out.</summary>
    public static IReadOnlyList<double> ParseDifferences(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var values = lines
            .Select(l => l.Trim())
            .Where(l => l.StartsWith(DifferenceKey, StringComparison.Ordinal))
            .Select(l => double.Parse(l.AsSpan(DifferenceKey.Length), NumberStyles.Float, CultureInfo.InvariantCulture))
            .ToList();
        return values.Count == 0 ? values : values.Skip(1).ToList();
    }

    /// <summary>The decision from every analysed pair's difference.</summary>
    public static LectureProfile Decide(IReadOnlyCollection<double> differences, double analyzedSeconds)
    {
        ArgumentNullException.ThrowIfNull(differences);
        if (differences.Count == 0)
        {
            return new LectureProfile(LectureProfileKind.Camera, null, null, Round(analyzedSeconds));
        }

        var still = (double)differences.Count(d => d < NearIdenticalDifference) / differences.Count;
        var motion = differences.Average();
        var slides = differences.Count >= MinimumPairs && still >= SlidesStillShare;
        return new LectureProfile(slides ? LectureProfileKind.Slides : LectureProfileKind.Camera, Round(still), Round(motion), Round(analyzedSeconds));
    }

    /// <summary>Runs the analysis over the planned parts of the source and decides.</summary>
    public static async Task<LectureProfile> AnalyzeAsync(string sourcePath, double durationSeconds, TranscodingOptions options, CancellationToken cancellationToken)
    {
        var differences = new List<double>();
        double analyzed = 0;
        foreach (var (start, length) in Plan(durationSeconds))
        {
            var lines = new List<string>();
            var exit = await ToolProcess.RunAsync(
                ToolProcess.Executable(options, "ffmpeg"),
                AnalysisArguments(sourcePath, start, length, options),
                line =>
                {
                    lock (lines)
                    {
                        lines.Add(line);
                    }
                },
                cancellationToken).ConfigureAwait(false);
            if (exit.ExitCode != 0)
            {
                throw new TranscodeFailedException(JobError.Transient(JobErrorCodes.EncodeFailed, $"ffmpeg failed with exit code {exit.ExitCode} analysing the picture\n{exit.Tail}"));
            }

            IReadOnlyList<double> window;
            try
            {
                lock (lines)
                {
                    window = ParseDifferences(lines);
                }
            }
            catch (FormatException e)
            {
                throw new TranscodeFailedException(JobError.Transient(JobErrorCodes.EncodeFailed, $"picture analysis unreadable: {e.Message}\n{exit.Tail}"), e);
            }

            differences.AddRange(window);
            analyzed += window.Count == 0 ? 0 : (window.Count + 1.0) / AnalysisFramesPerSecond;
        }

        return Decide(differences, Math.Min(analyzed, durationSeconds));
    }

    private static double Round(double value) => Math.Round(value, 4, MidpointRounding.AwayFromZero);
}
