namespace Academy.Video.Domain.Media;

/// <summary>
/// Where an HLS muxer cuts a stream it may only cut at key frames (a copied stream): the k-th cut is the first
/// key frame at or after k × the target duration, counted from the first frame. This is ffmpeg's rule
/// (libavformat/hlsenc.c: a key frame whose time since the start reaches <c>hls_time × segment number</c>), so
/// the cuts computed here are the ones ffmpeg makes, and the encoded rungs can be given key frames at the same times.
/// </summary>
public static class HlsSegmentation
{
    /// <summary>Timestamps are read as text with microsecond precision; a key frame a hair before a boundary is on it.</summary>
    private const double TimeTolerance = 1e-4;

    /// <param name="keyframeSeconds">Key frame times from the first frame, ascending.</param>
    /// <param name="durationSeconds">The stream's length from the first frame.</param>
    /// <param name="targetSeconds">The segment target duration.</param>
    /// <returns>The cut times, excluding 0: segment i runs from cut i-1 (or 0) to cut i (or the end).</returns>
    public static IReadOnlyList<double> Cuts(IReadOnlyList<double> keyframeSeconds, double durationSeconds, double targetSeconds)
    {
        ArgumentNullException.ThrowIfNull(keyframeSeconds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetSeconds);
        var cuts = new List<double>();
        var last = 0.0;
        foreach (var time in keyframeSeconds)
        {
            if (time > last && time < durationSeconds && time >= ((cuts.Count + 1) * targetSeconds) - TimeTolerance)
            {
                cuts.Add(time);
                last = time;
            }
        }

        return cuts;
    }

    /// <summary>The longest segment the cuts make, the last one (up to the end) included.</summary>
    public static double LongestSegment(IReadOnlyList<double> cuts, double durationSeconds)
    {
        ArgumentNullException.ThrowIfNull(cuts);
        var longest = 0.0;
        var start = 0.0;
        foreach (var cut in cuts.Append(durationSeconds))
        {
            longest = Math.Max(longest, cut - start);
            start = cut;
        }

        return longest;
    }
}
