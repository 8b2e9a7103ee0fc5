using System.Globalization;
using System.Text;

namespace Academy.Video.Domain.Media;

/// <summary>
/// The scrub-preview thumbnails of a video: one sprite image of <see cref="Count"/> tiles, <see cref="Columns"/>
/// to a row, and a WebVTT index whose cue i covers [i × interval, (i+1) × interval) and points at tile i
/// (<c>storyboard.jpg#xywh=x,y,w,h</c>). Tile i is the first frame at or after i × interval.
/// </summary>
/// <param name="IntervalSeconds">A whole number of segments, so a resumed encode starts on a tile boundary or between two.</param>
public sealed record StoryboardPlan(double IntervalSeconds, int TileWidth, int TileHeight, int Columns, int Rows, int Count)
{
    /// <summary>A long lecture gets wider intervals, never more tiles: 100 tiles of 160 px make a sprite of about 1600x900.</summary>
    public const int MaxTiles = 100;

    public const int MaxColumns = 10;

    /// <summary>The tiles' longer side; the shorter one keeps the picture's aspect.</summary>
    public const int TileLongSide = 160;

    public int SpriteWidth => Columns * TileWidth;

    public int SpriteHeight => Rows * TileHeight;

    /// <param name="durationSeconds">The source's duration.</param>
    /// <param name="segmentSeconds">The HLS segment target: the interval is a whole multiple of it.</param>
    /// <param name="width">The picture's width as displayed (the top rendition's).</param>
    /// <param name="height">The picture's height as displayed.</param>
    /// <param name="framesPerSecond">The source's frame rate (0 when unknown): no tile is planned for a time after the last frame.</param>
    public static StoryboardPlan For(double durationSeconds, double segmentSeconds, int width, int height, double framesPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(segmentSeconds);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 2);
        var lastFrame = Math.Max(0, durationSeconds - (1 / (framesPerSecond > 0 ? framesPerSecond : 30)));
        // Tile i is taken at i × interval; one exists for every such time up to the last frame.
        var segments = (int)Math.Floor(lastFrame / (segmentSeconds * (MaxTiles - 1))) + 1;
        var interval = segments * segmentSeconds;
        var count = Math.Min(MaxTiles, (int)Math.Floor((lastFrame / interval) + 1e-9) + 1);

        var (tileWidth, tileHeight) = width >= height
            ? (TileLongSide, Even((double)TileLongSide * height / width))
            : (Even((double)TileLongSide * width / height), TileLongSide);
        var columns = Math.Min(MaxColumns, count);
        return new StoryboardPlan(interval, tileWidth, tileHeight, columns, (count + columns - 1) / columns, count);
    }

    /// <summary>
    /// Whether a tile's time falls on a stream that starts at <paramref name="startSeconds"/>: after the frame before it (a
    /// frame earlier) and at or before it, so its first frame is that tile. A resumed encode, whose video starts there,
    /// asks this to take or skip its first frame as a clean run would.
    /// </summary>
    public bool TileStartsAt(double startSeconds, double framesPerSecond)
    {
        var frame = 1 / (framesPerSecond > 0 ? framesPerSecond : 30);
        var tile = Math.Floor((startSeconds + 1e-6) / IntervalSeconds);
        return tile * IntervalSeconds > startSeconds - frame;
    }

    /// <summary>The WebVTT index: one cue per tile, the last ending at <paramref name="durationSeconds"/>.</summary>
    /// <param name="imageUri">The sprite, relative to the index (<c>storyboard.jpg</c>).</param>
    public string RenderVtt(string imageUri, double durationSeconds)
    {
        ArgumentException.ThrowIfNullOrEmpty(imageUri);
        var text = new StringBuilder("WEBVTT\n");
        for (var i = 0; i < Count; i++)
        {
            var start = i * IntervalSeconds;
            var end = i == Count - 1 ? Math.Max(durationSeconds, start + 0.001) : (i + 1) * IntervalSeconds;
            var (x, y) = ((i % Columns) * TileWidth, (i / Columns) * TileHeight);
            text.Append(CultureInfo.InvariantCulture, $"\n{Timestamp(start)} --> {Timestamp(end)}\n{imageUri}#xywh={x},{y},{TileWidth},{TileHeight}\n");
        }

        return text.ToString();
    }

    private static string Timestamp(double seconds)
    {
        var time = TimeSpan.FromMilliseconds(Math.Round(seconds * 1000));
        return string.Create(CultureInfo.InvariantCulture, $"{(int)time.TotalHours:00}:{time.Minutes:00}:{time.Seconds:00}.{time.Milliseconds:000}");
    }

    private static int Even(double value) => Math.Max(2, 2 * (int)Math.Round(value / 2, MidpointRounding.AwayFromZero));
}

/// <summary>The storyboard's WebVTT index as the signed playback route serves it.</summary>
public static class StoryboardIndex
{
    /// <summary>
    /// The index with each cue's image URI replaced by <paramref name="rewrite"/>(path), its media fragment (<c>#xywh=…</c>)
    /// kept: a signed URL of the sprite must still say which tile to show. Hand-written: the index is the worker's own output,
    /// where every line after a cue's timing line is an image URI.
    /// </summary>
    public static string RewriteImageUris(string vtt, Func<string, string> rewrite)
    {
        ArgumentNullException.ThrowIfNull(vtt);
        ArgumentNullException.ThrowIfNull(rewrite);
        var lines = vtt.Split('\n');
        var inCue = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var text = lines[i].TrimEnd('\r');
            if (text.Contains("-->", StringComparison.Ordinal))
            {
                inCue = true;
            }
            else if (text.Length == 0)
            {
                inCue = false;
            }
            else if (inCue)
            {
                var fragment = text.IndexOf('#', StringComparison.Ordinal);
                var (path, rest) = fragment < 0 ? (text, "") : (text[..fragment], text[fragment..]);
                lines[i] = rewrite(path) + rest + lines[i][text.Length..];
            }
        }

        return string.Join('\n', lines);
    }

    /// <summary>True for the storyboard index's extension.</summary>
    public static bool IsIndex(string path) => path.EndsWith(".vtt", StringComparison.OrdinalIgnoreCase);
}

/// <summary>The poster: a full-size JPEG of the first frame at or after its time.</summary>
public static class Poster
{
    /// <summary>Where the poster is taken when the client asked for no time: a tenth in, past titles and black frames.</summary>
    public const double DefaultFraction = 0.1;

    /// <summary>No later than this before the end, so a frame is always there to take.</summary>
    public const double EndMarginSeconds = 0.5;

    public static double TimeFor(double durationSeconds, double? requestedSeconds)
    {
        var latest = Math.Max(0, durationSeconds - EndMarginSeconds);
        return Math.Clamp(requestedSeconds ?? durationSeconds * DefaultFraction, 0, latest);
    }
}
