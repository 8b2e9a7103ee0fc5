using System.Globalization;
using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Media;

namespace Academy.Video.Infrastructure.Transcoding;

/// <summary>
/// Where one ffmpeg run cuts, in seconds on the output's clock: the encoded renditions' key frames, where a resumed run
/// reads from, and how those times are written as ffmpeg arguments.
/// </summary>
internal static class HlsCuts
{
    /// <summary>GOP length when the probe found no frame rate; the forced key frames keep segments aligned anyway.</summary>
    private const double FallbackFramesPerSecond = 30;

    /// <summary>How much past a resumed run's start its storyboard's first part reads, so frames reordered around the start are in.</summary>
    private const double HeadMarginSeconds = 2;

    public static double FramesPerSecond(HlsEncodeRequest request) =>
        request.Source.FramesPerSecond > 0 ? request.Source.FramesPerSecond : FallbackFramesPerSecond;

    /// <summary>
    /// Key frames only at the boundaries: a GOP too long for the encoder to add one of its own in between (boundaries are
    /// at most 1.5x the target apart).
    /// </summary>
    public static string Gop(HlsEncodeRequest request) =>
        Math.Max(1, (int)Math.Round(FramesPerSecond(request) * request.SegmentDuration.TotalSeconds * 2, MidpointRounding.AwayFromZero)).ToString(CultureInfo.InvariantCulture);

    /// <summary>Where a resumed run's ladder input is read from. A copied stream is cut exactly at the key frame: the seek asks for a hair after it, never the one before.</summary>
    public static string LadderSeek(HlsResumeStart resume, bool copyTop) => Seconds(resume.Seconds + (copyTop ? 0.0005 : 0));

    /// <summary>How far a resumed run reads the part before its start, for the poster and storyboard.</summary>
    public static string HeadDuration(HlsResumeStart resume) => Seconds(resume.Seconds + HeadMarginSeconds);

    /// <summary>Where a resumed run's ladder starts in the filter graph: a copied top rung's cut is a millisecond early, like its key frames.</summary>
    public static string LadderTrimStart(HlsResumeStart resume, bool copyTop) => Seconds(resume.Seconds - (copyTop ? 0.001 : 0));

    /// <summary>The encoded renditions' forced key frames still ahead of the run's start, or an expression when the list would be too long.</summary>
    public static string Keyframes(HlsEncodeRequest request, HlsCommand command)
    {
        var after = command.Resume?.Segment ?? 0;
        if (command.CopyCutSeconds is { } cuts)
        {
            return KeyframeList(cuts.Skip(after));
        }

        var boundaries = EncodedBoundaries(request);
        return boundaries.Count <= SourceCopy.MaxCuts
            ? KeyframeList(boundaries.Skip(after))
            : $"expr:gte(t,n_forced*{Seconds(request.SegmentDuration.TotalSeconds)})";
    }

    /// <summary>Each multiple of the target before the end: an encoded rendition's boundaries on the output's clock.</summary>
    public static List<double> EncodedBoundaries(HlsEncodeRequest request)
    {
        var target = request.SegmentDuration.TotalSeconds;
        var end = request.Source.Duration.TotalSeconds;
        var boundaries = new List<double>();
        for (var n = 1; n * target < end && boundaries.Count <= SourceCopy.MaxCuts; n++)
        {
            boundaries.Add(n * target);
        }

        return boundaries;
    }

    public static string Seconds(double seconds) => seconds.ToString("0.######", CultureInfo.InvariantCulture);

    /// <summary>
    /// One millisecond early. ffmpeg 6+ forces the first frame at or after each time; 5.1 rounds each time to the
    /// nearest frame of the encoder's clock. A time a hair before the cut's frame (less than half a frame up to
    /// 500 fps) selects that frame under both rules, even after six-decimal text rounding; a time between two frames
    /// would select the later frame under one and the earlier under the other.
    /// </summary>
    private static string KeyframeList(IEnumerable<double> seconds) =>
        string.Join(',', seconds.Select(t => Seconds(Math.Max(0, t - 0.001))));
}
