using Academy.Video.Domain.Jobs;

namespace Academy.Video.Domain.Media;

/// <summary>A rung of the ladder: its nominal size is the short side of the picture (1080 for 1920x1080 and for 1080x1920).</summary>
public sealed record LadderRung(string Name, int ShortSide, int VideoBitrateKbps, int AudioBitrateKbps);

/// <summary>A planned output stream: exact even dimensions in display orientation.</summary>
public sealed record Rendition(string Name, int Width, int Height, int VideoBitrateKbps, int AudioBitrateKbps)
{
    /// <summary>Peak rate for the encoder's VBV and the playlist's BANDWIDTH: 1.07x average, the common HLS headroom.</summary>
    public int MaxVideoBitrateKbps => VideoBitrateKbps * 107 / 100;

    public int BufferSizeKbps => VideoBitrateKbps * 3 / 2;
}

public static class HlsLadder
{
    /// <summary>No rendition side may exceed this: the largest frame H.264 levels allow (level 6.2: 8192 wide).</summary>
    public const int MaxRenditionSide = 8192;

    public static IReadOnlyList<LadderRung> DefaultRungs { get; } =
    [
        new("1080p", 1080, 5000, 128),
        new("720p", 720, 2800, 128),
        new("480p", 480, 1400, 96),
        new("360p", 360, 800, 96),
    ];

    /// <summary>
    /// The renditions for a source: every rung no larger than the source (never upscaled), the
    /// aspect ratio kept, both sides even, none longer than <see cref="MaxRenditionSide"/>. A source
    /// smaller than every rung gets one rendition at its own (even) size with the smallest rung's bitrates.
    /// </summary>
    /// <exception cref="UnsupportedSourceException">No ladder fits the source: a side under 2 pixels, or every rendition too long to encode.</exception>
    public static IReadOnlyList<Rendition> Plan(int displayWidth, int displayHeight, IReadOnlyList<LadderRung> rungs)
    {
        ArgumentNullException.ThrowIfNull(rungs);
        if (displayWidth < 2 || displayHeight < 2)
        {
            throw new UnsupportedSourceException(JobError.SourceDimensionsUnsupported(displayWidth, displayHeight, "each side needs at least 2 pixels (4:2:0 video)."));
        }

        if (rungs.Count == 0)
        {
            throw new ArgumentException("The ladder needs at least one rung.", nameof(rungs));
        }

        var portrait = displayHeight > displayWidth;
        var sourceShort = Math.Min(displayWidth, displayHeight);
        var sourceLong = Math.Max(displayWidth, displayHeight);

        var candidates = rungs
            .Where(r => r.ShortSide <= sourceShort)
            .OrderByDescending(r => r.ShortSide)
            .Select(r => Scale(r, r.ShortSide))
            .ToList();

        if (candidates.Count == 0)
        {
            var smallest = rungs.MinBy(r => r.ShortSide)!;
            candidates.Add(Scale(smallest with { Name = $"{Even(sourceShort)}p" }, sourceShort));
        }

        // A panorama keeps the rungs short enough to encode; one with none left cannot be played as HLS.
        var plan = candidates.Where(r => Math.Max(r.Width, r.Height) <= MaxRenditionSide).ToList();
        if (plan.Count == 0)
        {
            var smallest = candidates[^1];
            throw new UnsupportedSourceException(JobError.SourceDimensionsUnsupported(
                displayWidth, displayHeight, $"even its smallest rendition would be {smallest.Width}x{smallest.Height}, over the {MaxRenditionSide}-pixel limit of H.264."));
        }

        return plan;

        Rendition Scale(LadderRung rung, int shortSide)
        {
            var evenShort = Even(shortSide);
            var evenLong = NearestEven((double)sourceLong * evenShort / sourceShort);
            return portrait
                ? new Rendition(rung.Name, evenShort, evenLong, rung.VideoBitrateKbps, rung.AudioBitrateKbps)
                : new Rendition(rung.Name, evenLong, evenShort, rung.VideoBitrateKbps, rung.AudioBitrateKbps);
        }
    }

    private static int Even(int value) => Math.Max(2, value - (value % 2));

    /// <summary>854 for 853.3: the nearest even size keeps the aspect closest (x264 needs even sides for 4:2:0).</summary>
    private static int NearestEven(double value) => Math.Max(2, 2 * (int)Math.Round(value / 2, MidpointRounding.AwayFromZero));
}
