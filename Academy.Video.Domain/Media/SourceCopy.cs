namespace Academy.Video.Domain.Media;

/// <summary>
/// The source's video packets as a demuxer lists them, without decoding: key frame times from the first packet,
/// the stream's length and its size. Enough to know where a copied stream can be cut and what it averages.
/// </summary>
/// <param name="KeyframeSeconds">Key frame times, ascending, measured from the first packet (0 when it is one).</param>
/// <param name="DurationSeconds">From the first packet to the end of the last.</param>
/// <param name="VideoBytes">The video packets' total size.</param>
public sealed record KeyframeIndex(IReadOnlyList<double> KeyframeSeconds, double DurationSeconds, long VideoBytes)
{
    public int AverageKbps => DurationSeconds > 0 ? (int)Math.Round(VideoBytes * 8 / DurationSeconds / 1000) : 0;
}

/// <summary>
/// Whether the top rung is the source's own video stream, copied and segmented (the fast path), and why.
/// <see cref="Code"/> is stable for logs and the job row; <see cref="Reason"/> is for people.
/// </summary>
/// <param name="CutSeconds">When copied: where every rung is cut, from the first frame (see <see cref="HlsSegmentation"/>).</param>
public sealed record SourceCopyDecision(bool Copy, string Code, string Reason, IReadOnlyList<double> CutSeconds)
{
    /// <summary>When copied: the packets the cuts were made from, so a resumed attempt can tell where ffmpeg would cut again.</summary>
    public KeyframeIndex? Packets { get; init; }

    public static SourceCopyDecision Encode(string code, string reason) => new(false, code, reason, []);
}

public static class SourceCopyCodes
{
    public const string Copied = "SOURCE_COPY";
    public const string Disabled = "COPY_DISABLED";
    public const string NotH264 = "NOT_H264";
    public const string Not8Bit420 = "NOT_8BIT_420";
    public const string NotProgressive = "NOT_PROGRESSIVE";
    public const string Rotated = "ROTATED";
    public const string SizeMismatch = "NOT_TOP_RUNG_SIZE";
    public const string OverBitrateCap = "OVER_BITRATE_CAP";
    public const string SparseKeyframes = "SPARSE_KEYFRAMES";
    public const string TooManySegments = "TOO_MANY_SEGMENTS";
    public const string PacketsUnreadable = "PACKETS_UNREADABLE";
}

/// <summary>
/// The fast path's rule: the top rung is the source's video copied when that stream already is what the
/// rung would carry — H.264, 8-bit 4:2:0, progressive, upright, exactly the top rendition's size (so never taller),
/// averaging within the rung's cap, with key frames close enough that no segment exceeds 1.5× the target.
/// </summary>
public static class SourceCopy
{
    public const double MaxSegmentOverTarget = 1.5;

    /// <summary>
    /// The encoded rungs get a key frame at every cut, passed to ffmpeg as one list; 10,000 cuts (16 h of 6 s
    /// segments, four times the Batch job timeout) keeps that argument far below Linux's 128 KiB limit.
    /// </summary>
    public const int MaxCuts = 10_000;

    private static readonly string[] EightBit420 = ["yuv420p", "yuvj420p"];

    /// <summary>What the stream's description alone refuses, before its packets are read; null when it may qualify.</summary>
    public static SourceCopyDecision? RefuseFromStream(MediaInfo source, Rendition top)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(top);
        if (!string.Equals(source.VideoCodec, "h264", StringComparison.OrdinalIgnoreCase))
        {
            return SourceCopyDecision.Encode(SourceCopyCodes.NotH264, $"the source video is {source.VideoCodec}, not H.264");
        }

        if (!EightBit420.Contains(source.PixelFormat, StringComparer.OrdinalIgnoreCase))
        {
            return SourceCopyDecision.Encode(SourceCopyCodes.Not8Bit420, $"the source pixel format is {source.PixelFormat}, not 8-bit 4:2:0");
        }

        if (!string.Equals(source.FieldOrder, "progressive", StringComparison.OrdinalIgnoreCase))
        {
            return SourceCopyDecision.Encode(SourceCopyCodes.NotProgressive, $"the source field order is {source.FieldOrder}, not progressive");
        }

        if (source.RotationDegrees % 360 != 0)
        {
            // An MPEG-TS segment cannot carry the display matrix: a copied phone video would play sideways.
            return SourceCopyDecision.Encode(SourceCopyCodes.Rotated, $"the source is displayed rotated by {source.RotationDegrees}°");
        }

        if (source.Width != top.Width || source.Height != top.Height)
        {
            return SourceCopyDecision.Encode(SourceCopyCodes.SizeMismatch, $"the source is {source.Width}x{source.Height}, the top rung {top.Name} is {top.Width}x{top.Height}");
        }

        if (source.VideoBitrateKbps is { } declared && declared > top.VideoBitrateKbps)
        {
            return OverCap(declared, top);
        }

        return null;
    }

    public static SourceCopyDecision Decide(MediaInfo source, Rendition top, TimeSpan segmentTarget, KeyframeIndex packets)
    {
        ArgumentNullException.ThrowIfNull(packets);
        if (RefuseFromStream(source, top) is { } refused)
        {
            return refused;
        }

        if (packets.AverageKbps > top.VideoBitrateKbps)
        {
            return OverCap(packets.AverageKbps, top);
        }

        var target = segmentTarget.TotalSeconds;
        if (packets.KeyframeSeconds.Count == 0 || packets.KeyframeSeconds[0] > 0)
        {
            return SourceCopyDecision.Encode(SourceCopyCodes.SparseKeyframes, "the source video does not start on a key frame");
        }

        var cuts = HlsSegmentation.Cuts(packets.KeyframeSeconds, packets.DurationSeconds, target);
        var longest = HlsSegmentation.LongestSegment(cuts, packets.DurationSeconds);
        if (longest > (target * MaxSegmentOverTarget) + 1e-3)
        {
            return SourceCopyDecision.Encode(
                SourceCopyCodes.SparseKeyframes,
                $"the source's key frames make a {longest:0.###} s segment, over {MaxSegmentOverTarget}× the {target:0.###} s target");
        }

        if (cuts.Count > MaxCuts)
        {
            return SourceCopyDecision.Encode(SourceCopyCodes.TooManySegments, $"{cuts.Count} segments, over the {MaxCuts} the encoded rungs can be aligned to");
        }

        return new SourceCopyDecision(
            true,
            SourceCopyCodes.Copied,
            $"H.264 {source.Width}x{source.Height} at {packets.AverageKbps} kbps (cap {top.VideoBitrateKbps}), longest segment {longest:0.###} s: copied as {top.Name}",
            cuts)
        {
            Packets = packets,
        };
    }

    private static SourceCopyDecision OverCap(int kbps, Rendition top) =>
        SourceCopyDecision.Encode(SourceCopyCodes.OverBitrateCap, $"the source video averages {kbps} kbps, over the {top.Name} cap of {top.VideoBitrateKbps} kbps");
}
