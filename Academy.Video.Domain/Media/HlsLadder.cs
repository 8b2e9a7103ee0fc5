using Academy.Video.Domain.Jobs;

namespace Academy.Video.Domain.Media;

/// <summary>A rung of the ladder: its nominal size is the short side of the picture (1080 for 1920x1080 and for 1080x1920).</summary>
public sealed record LadderRung(string Name, int ShortSide, int VideoBitrateKbps, int AudioBitrateKbps);

/// <summary>A planned output stream: exact even dimensions in display orientation.</summary>
/// <param name="VideoBitrateKbps">
/// The rung's bitrate cap: the encoder runs at constant quality and its VBV never lets the rate exceed this
/// over <see cref="BufferSizeKbps"/>, so a still slide costs almost nothing and motion gets at most today's
/// average. A copied source must average no more than this.
/// </param>
/// <param name="AudioBitrateKbps">The audio rate the rung asks for; the one shared audio encode takes the highest.</param>
public sealed record Rendition(string Name, int Width, int Height, int VideoBitrateKbps, int AudioBitrateKbps)
{
    /// <summary>1.5 s of the cap: the VBV window over which the cap holds.</summary>
    public int BufferSizeKbps => VideoBitrateKbps * 3 / 2;

    public int ShortSide => Math.Min(Width, Height);
}

public static class HlsLadder
{
    /// <summary>No rendition side may exceed this: the largest frame H.264 levels allow (level 6.2: 8192 wide).</summary>
    public const int MaxRenditionSide = 8192;

    /// <summary>
    /// A rung at least this close under a fitted top rendition is left out: a 736-line source gets 736p, 480p and 360p,
    /// not a 720p that looks the same as its 736p and costs a quarter of the encode.
    /// </summary>
    private const double DistinctRungRatio = 0.9;

    /// <summary>The largest short side of the MP4 made for download: a file for a phone, not an archive of the top rung.</summary>
    public const int DownloadMaxShortSide = 720;

    /// <summary>The rung the MP4 for download is made from: the largest of the plan at most <see cref="DownloadMaxShortSide"/>.</summary>
    public static Rendition? DownloadRendition(IReadOnlyList<Rendition> plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return plan.Where(r => r.ShortSide <= DownloadMaxShortSide).MaxBy(r => r.ShortSide);
    }

    public static IReadOnlyList<LadderRung> DefaultRungs { get; } =
    [
        new("1080p", 1080, 5000, 128),
        new("720p", 720, 2800, 128),
        new("480p", 480, 1400, 96),
        new("360p", 360, 800, 96),
    ];

    /// <summary>
    /// The renditions for a source, largest first, aspect ratio kept, both sides even, never upscaled.
    /// A source at least as large as the top rung gets every rung. A smaller source gets a top rendition at its
    /// own (even) size — a 718-line source gets 718p, not 480p — with bitrates interpolated by picture area between
    /// the rungs around it, then the rungs clearly below it. A source smaller than every rung gets one rendition at
    /// its own size with the smallest rung's bitrates. No side is longer than <see cref="MaxRenditionSide"/>.
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
        var evenShort = Even(sourceShort);
        var ordered = rungs.OrderByDescending(r => r.ShortSide).ToList();

        var candidates = Candidates();

        // A panorama keeps the rungs short enough to encode; one with none left cannot be played as HLS.
        var plan = candidates.Where(r => Math.Max(r.Width, r.Height) <= MaxRenditionSide).ToList();
        if (plan.Count == 0)
        {
            var smallest = candidates[^1];
            throw new UnsupportedSourceException(JobError.SourceDimensionsUnsupported(
                displayWidth, displayHeight, $"even its smallest rendition would be {smallest.Width}x{smallest.Height}, over the {MaxRenditionSide}-pixel limit of H.264."));
        }

        return plan;

        List<Rendition> Candidates()
        {
            if (sourceShort >= ordered[0].ShortSide || ordered.Any(r => r.ShortSide == evenShort))
            {
                return ordered.Where(r => r.ShortSide <= sourceShort).Select(r => Scale(r, r.ShortSide)).ToList();
            }

            var upper = ordered.Last(r => r.ShortSide > evenShort);
            var below = ordered.Where(r => r.ShortSide < evenShort).ToList();
            var fitted = below.Count == 0
                ? upper with { Name = $"{evenShort}p", ShortSide = evenShort, VideoBitrateKbps = ordered[^1].VideoBitrateKbps, AudioBitrateKbps = ordered[^1].AudioBitrateKbps }
                : Interpolate(below[0], upper, evenShort);

            return [Scale(fitted, evenShort), .. below.Where(r => r.ShortSide <= evenShort * DistinctRungRatio).Select(r => Scale(r, r.ShortSide))];
        }

        Rendition Scale(LadderRung rung, int shortSide)
        {
            var side = Even(shortSide);
            var longSide = NearestEven((double)sourceLong * side / sourceShort);
            return portrait
                ? new Rendition(rung.Name, side, longSide, rung.VideoBitrateKbps, rung.AudioBitrateKbps)
                : new Rendition(rung.Name, longSide, side, rung.VideoBitrateKbps, rung.AudioBitrateKbps);
        }
    }

    /// <summary>Bitrates grow with the picture's area: 718p sits just under 720p's, 600p about halfway between 480p's and 720p's.</summary>
    private static LadderRung Interpolate(LadderRung lower, LadderRung upper, int shortSide)
    {
        var position = ((double)shortSide * shortSide - (double)lower.ShortSide * lower.ShortSide)
            / (((double)upper.ShortSide * upper.ShortSide) - ((double)lower.ShortSide * lower.ShortSide));
        return new LadderRung(
            $"{shortSide}p",
            shortSide,
            (int)Math.Round(lower.VideoBitrateKbps + (position * (upper.VideoBitrateKbps - lower.VideoBitrateKbps)), MidpointRounding.AwayFromZero),
            Math.Max(lower.AudioBitrateKbps, upper.AudioBitrateKbps));
    }

    private static int Even(int value) => Math.Max(2, value - (value % 2));

    /// <summary>854 for 853.3: the nearest even size keeps the aspect closest (x264 needs even sides for 4:2:0).</summary>
    private static int NearestEven(double value) => Math.Max(2, 2 * (int)Math.Round(value / 2, MidpointRounding.AwayFromZero));
}
