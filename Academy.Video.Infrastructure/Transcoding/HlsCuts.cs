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

    /// <summary>
    /// Where a resumed run's (or a chunk's) ladder input is read from. A copied stream is cut exactly at the key frame: the
    /// seek asks for a hair after it, never the one before. An encoded boundary is cut where its key frame is forced, a
    /// millisecond early (<see cref="Cut"/>).
    /// </summary>
    public static string LadderSeek(HlsResumeStart resume, bool copyTop) => Seconds(copyTop ? resume.Seconds + 0.0005 : Cut(resume.Seconds));

    /// <summary>How far a resumed run reads the part before its start, for the poster and storyboard.</summary>
    public static string HeadDuration(HlsResumeStart resume) => Seconds(resume.Seconds + HeadMarginSeconds);

    /// <summary>
    /// Where a resumed run's ladder starts (or a chunk's ends) in the filter graph: a millisecond early, like the key frames,
    /// so the frame a clean run starts the segment with is the first one kept (<see cref="Cut"/>).
    /// </summary>
    public static string LadderTrimStart(HlsResumeStart resume) => Seconds(Cut(resume.Seconds));

    /// <summary>
    /// Where a boundary splits the source's frames: a frame at or after this time belongs to the segment the boundary starts.
    /// The forced key frames are asked for a millisecond early (<see cref="KeyframeList"/>), and the encoder's clock is fine
    /// enough (<see cref="EncoderTimeBase"/>) that the key frame lands on the first frame at or after that time as the source
    /// times it, so a run cut here (a resumed attempt, a chunk's start and end) splits the frames exactly as one clean run
    /// does, on sources whose frames sit off the frame-rate grid too (docs/decisions/0023-chunked-encoding.md).
    /// </summary>
    public static double Cut(double boundarySeconds) => Math.Max(0, boundarySeconds - 0.001);

    /// <summary>
    /// The encoded renditions' time base: MPEG-TS's 90 kHz clock rather than ffmpeg's default of one tick a frame, which
    /// rounds a frame off the grid (a source whose video starts 21 ms after its audio) onto the boundary and moves the key
    /// frame one frame earlier than the source's own timing puts it; a run cut at <see cref="Cut"/> would then disagree with
    /// a clean run about which segment that frame is in.
    /// </summary>
    public const string EncoderTimeBase = "1:90000";

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
            : $"expr:gte(t,n_forced*{Seconds(request.SegmentDuration.TotalSeconds)}-0.001)";
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
    /// One millisecond early (<see cref="Cut"/>). ffmpeg 6+ forces the first frame at or after each time; 5.1 rounds each
    /// time to the nearest tick of the encoder's clock. On the 90 kHz clock the two agree; on a copied rung's cuts, which are
    /// the source's own frames, a time a hair before the cut's frame selects that frame under both rules as well.
    /// </summary>
    private static string KeyframeList(IEnumerable<double> seconds) =>
        string.Join(',', seconds.Select(t => Seconds(Cut(t))));
}
