namespace Academy.Video.Domain.Media;

/// <summary>
/// One chunk of a chunked encode (docs/decisions/0023-chunked-encoding.md): the video segments <c>[FirstSegment, EndSegment)</c>
/// of every video variant, read from <see cref="StartSeconds"/> (a segment boundary) to <see cref="EndSeconds"/> (the next
/// chunk's start, or the end of the video), on the output's clock.
/// </summary>
public sealed record ChunkRange(int Index, int FirstSegment, int EndSegment, double StartSeconds, double EndSeconds)
{
    public int SegmentCount => EndSegment - FirstSegment;

    public bool IsLast(int chunkCount) => Index == chunkCount - 1;
}

/// <summary>
/// Where a long encode is split (decision 0023). A chunk starts only on a segment boundary, where ffmpeg started there cuts
/// the rest as a single run does (decision 0011), so the chunks' segments are a single run's, number for number.
/// </summary>
public static class ChunkPlan
{
    /// <summary>Whether a source of <paramref name="durationSeconds"/> is chunked: longer than the threshold, which 0 turns off.</summary>
    public static bool Applies(double durationSeconds, TimeSpan threshold) =>
        threshold > TimeSpan.Zero && durationSeconds > threshold.TotalSeconds;

    /// <param name="cutSeconds">The video variants' boundaries after 0, ascending: segment i runs from cut i-1 (or 0) to cut i (or the end).</param>
    /// <param name="durationSeconds">The video's length on the output's clock.</param>
    /// <param name="chunkSeconds">The length a chunk aims at: the count is <c>ceil(duration / chunkSeconds)</c>.</param>
    /// <param name="maxChunks">At most this many chunks (and never more than there are segments).</param>
    /// <param name="firstChunkExtras">
    /// What chunk 0's run does beside its range (the whole audio, poster, storyboard and chapters' gray copy), as a share of
    /// encoding the whole video: chunk 0's range is that much shorter than the others', so every chunk ends at about the same time.
    /// </param>
    /// <returns>The chunks in order, together covering every segment once; one chunk when the video is not split.</returns>
    public static IReadOnlyList<ChunkRange> Split(IReadOnlyList<double> cutSeconds, double durationSeconds, TimeSpan chunkSeconds, int maxChunks, double firstChunkExtras = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstChunkExtras);
        ArgumentNullException.ThrowIfNull(cutSeconds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(durationSeconds);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(chunkSeconds, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxChunks);
        var bounds = cutSeconds.Where(c => c > 0 && c < durationSeconds).Order().Distinct().Prepend(0).Append(durationSeconds).ToList();
        var segments = bounds.Count - 1;
        var count = (int)Math.Min(Math.Min(Math.Ceiling(durationSeconds / chunkSeconds.TotalSeconds), maxChunks), segments);
        count = Math.Max(1, count);

        // Each chunk gets the same work, chunk 0's extras counted: W = duration × (1 + extras) / N, so chunk 0's range is
        // W − extras × duration and the others share the rest evenly (with many chunks the extras may outweigh a chunk's
        // share: chunk 0 then keeps one segment). Each start is the boundary nearest its ideal, leaving every chunk before and
        // after it at least one segment.
        var starts = new List<int> { 0 };
        var firstRange = Math.Max((durationSeconds * (1 + firstChunkExtras) / count) - (firstChunkExtras * durationSeconds), bounds[1]);
        for (var k = 1; k < count; k++)
        {
            var ideal = firstRange + ((k - 1) * (durationSeconds - firstRange) / (count - 1));
            var lowest = starts[^1] + 1;
            var highest = segments - (count - k);
            var best = lowest;
            for (var i = lowest; i <= highest; i++)
            {
                if (Math.Abs(bounds[i] - ideal) < Math.Abs(bounds[best] - ideal))
                {
                    best = i;
                }
            }

            starts.Add(best);
        }

        starts.Add(segments);
        return Enumerable.Range(0, count)
            .Select(k => new ChunkRange(k, starts[k], starts[k + 1], bounds[starts[k]], bounds[starts[k + 1]]))
            .ToList();
    }
}
