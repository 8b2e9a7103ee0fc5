namespace Academy.Video.Domain.Media;

/// <summary>A segment an attempt has stored under its prefix: its place in the variant, its name, its EXTINF duration and its size.</summary>
/// <param name="Index">Its position in the variant's playlist, from 0.</param>
/// <param name="Uri">Its name relative to the variant playlist (<c>seg_00012.ts</c>).</param>
public sealed record HlsSegmentRecord(int Index, string Uri, double DurationSeconds, long Bytes);

/// <summary>What one variant of an attempt has stored so far.</summary>
/// <param name="Segments">The stored segments, in playlist order; not necessarily contiguous (uploads finish in any order).</param>
/// <param name="SegmentCount">How many segments the variant has in all, once the encoder has closed its last one; null before.</param>
public sealed record VariantProgress(IReadOnlyList<HlsSegmentRecord> Segments, int? SegmentCount = null);

/// <summary>
/// An attempt's record of what it has stored (decision 0011): written beside its tree while it publishes, only ever listing
/// objects whose upload has finished. A later attempt of the same job trusts a segment only if it is listed here and
/// storage still holds it at the listed size, and only if <see cref="Plan"/> is its own plan.
/// </summary>
/// <param name="Plan">What the encode was (the ffmpeg command with its paths left out, hashed): segments of another plan are never reused.</param>
/// <param name="Variants">By variant name (the rendition's name, or the audio rendition's).</param>
public sealed record HlsProgress(string Plan, int Attempt, IReadOnlyDictionary<string, VariantProgress> Variants)
{
    public const int CurrentVersion = 1;

    /// <summary>The segments 0..n-1 of the variant that are listed here and stored at their listed size under the attempt's prefix.</summary>
    /// <param name="stored">The objects under the attempt's prefix: path relative to the prefix → size.</param>
    public IReadOnlyList<HlsSegmentRecord> StoredRun(string variant, IReadOnlyDictionary<string, long> stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var run = new List<HlsSegmentRecord>();
        if (!Variants.TryGetValue(variant, out var progress))
        {
            return run;
        }

        foreach (var segment in progress.Segments.OrderBy(s => s.Index))
        {
            if (segment.Index != run.Count
                || !stored.TryGetValue($"{variant}/{segment.Uri}", out var bytes)
                || bytes != segment.Bytes)
            {
                break;
            }

            run.Add(segment);
        }

        return run;
    }
}

/// <summary>Where a new attempt picks up: the first <see cref="SegmentCount"/> segments of every video variant are an earlier attempt's.</summary>
/// <param name="Attempt">The earlier attempt whose stored segments are reused (copied into the new attempt's prefix).</param>
/// <param name="Segments">Per video variant, the reused segments 0..SegmentCount-1. Audio is never reused (see <see cref="HlsResume"/>).</param>
public sealed record HlsResumePoint(int Attempt, int SegmentCount, IReadOnlyDictionary<string, IReadOnlyList<HlsSegmentRecord>> Segments);

/// <summary>An earlier attempt's progress record and what storage holds under its prefix.</summary>
public sealed record ResumeCandidate(HlsProgress Progress, IReadOnlyDictionary<string, long> Stored);

/// <summary>
/// How far a new attempt can reuse an earlier attempt's segments (decision 0011). Video segment boundaries are the same
/// in every attempt: an encoded rung is cut at the first frame at or after each multiple of the target, a copied rung at
/// the source key frames <see cref="HlsSegmentation"/> computes. So the first k segments of every video variant can be
/// taken from an earlier attempt, and ffmpeg started at the k-th boundary writes the rest exactly as a clean run would.
/// The audio rendition is always encoded whole: an AAC encoder started mid-stream would add its priming samples at the
/// seam (a gap or an overlap of about 21 ms), and encoding audio costs a few percent of the video ladder.
/// </summary>
public static class HlsResume
{
    private const double TimeTolerance = 1e-3;

    /// <param name="plan">This attempt's plan: only records of the same plan are considered.</param>
    /// <param name="videoVariants">Every video variant of the ladder, by name.</param>
    /// <param name="topRung">The top rung decision: when copied, a resume point must be one where ffmpeg cuts the copy as a clean run does.</param>
    /// <returns>The candidate reusing the most segments (the latest attempt among equals), or null when none can be reused.</returns>
    public static HlsResumePoint? Choose(
        string plan,
        IReadOnlyList<string> videoVariants,
        SourceCopyDecision topRung,
        double targetSeconds,
        IEnumerable<ResumeCandidate> candidates)
    {
        ArgumentNullException.ThrowIfNull(videoVariants);
        ArgumentNullException.ThrowIfNull(topRung);
        ArgumentNullException.ThrowIfNull(candidates);
        if (videoVariants.Count == 0)
        {
            return null;
        }

        HlsResumePoint? best = null;
        foreach (var candidate in candidates.Where(c => c.Progress.Plan == plan).OrderByDescending(c => c.Progress.Attempt))
        {
            var runs = videoVariants.ToDictionary(v => v, v => candidate.Progress.StoredRun(v, candidate.Stored));
            var count = videoVariants.Min(v => Reusable(candidate.Progress, v, runs[v]));
            while (count > 0 && !CutsAgainAt(topRung, targetSeconds, count))
            {
                count--;
            }

            if (count > 0 && count > (best?.SegmentCount ?? 0))
            {
                best = new HlsResumePoint(
                    candidate.Progress.Attempt,
                    count,
                    runs.ToDictionary(r => r.Key, r => (IReadOnlyList<HlsSegmentRecord>)r.Value.Take(count).ToList()));
            }
        }

        return best;
    }

    /// <summary>At least one segment is left to encode, so the resumed ffmpeg always has video to write.</summary>
    private static int Reusable(HlsProgress progress, string variant, IReadOnlyList<HlsSegmentRecord> run) =>
        progress.Variants.TryGetValue(variant, out var stored) && stored.SegmentCount is { } total && run.Count >= total ? total - 1 : run.Count;

    /// <summary>
    /// Whether ffmpeg, given the copied stream from the key frame at cut <paramref name="segment"/>, cuts it where the clean
    /// run did: its HLS muxer measures the target from the first packet it sees, so from a later start the same rule can pick
    /// other key frames. Encoded rungs are cut at their forced key frames, which a resumed run places where a clean one did.
    /// </summary>
    private static bool CutsAgainAt(SourceCopyDecision topRung, double targetSeconds, int segment)
    {
        if (!topRung.Copy)
        {
            return true;
        }

        if (topRung.Packets is not { } packets || segment > topRung.CutSeconds.Count)
        {
            return false;
        }

        var start = topRung.CutSeconds[segment - 1];
        var keyframes = packets.KeyframeSeconds.Where(t => t >= start - TimeTolerance).Select(t => Math.Max(0, t - start)).ToList();
        var again = HlsSegmentation.Cuts(keyframes, packets.DurationSeconds - start, targetSeconds).Select(c => c + start).ToList();
        var clean = topRung.CutSeconds.Skip(segment).ToList();
        return again.Count == clean.Count && again.Zip(clean).All(p => Math.Abs(p.First - p.Second) < TimeTolerance);
    }
}
