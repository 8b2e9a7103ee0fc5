using System.Globalization;
using System.Text;

namespace Academy.Video.Domain.Media;

/// <summary>
/// Finds the moments a lecture's picture changes to a new slide (docs/encoding.md, Chapters; decision 0020) from a small
/// gray copy of the video sampled at a fixed rate (<see cref="Width"/>x<see cref="Height"/>, <see cref="FramesPerSecond"/>).
/// <para>
/// The picture is cut into stable runs: stretches of at least <see cref="StableSeconds"/> in which no two neighbouring
/// frames differ in more than <see cref="StillFraction"/> of their pixels (a moving pointer changes a pixel or two). A run
/// starts a new chapter when its first frame differs from the last frame of the run before it in at least
/// <see cref="NewSlideFraction"/> of the pixels: a new slide repaints most of the picture, an animated build (a bullet
/// appearing) a line of it. The change between the two runs takes at most <see cref="MaxTransitionSeconds"/>: a camera
/// lecture changes gradually, when it is still at all. A chapter shorter than
/// <see cref="MinChapterSeconds"/> is merged into the next.
/// </para>
/// </summary>
public static class SlideChanges
{
    public const int Width = 64;
    public const int Height = 36;
    public const int FrameBytes = Width * Height;
    public const int FramesPerSecond = 4;

    /// <summary>A pixel differs when its gray levels are further apart than this (compression noise stays under it).</summary>
    public const int PixelThreshold = 20;

    /// <summary>At most this share of pixels differs between neighbouring frames of a still picture.</summary>
    public const double StillFraction = 0.01;

    /// <summary>At least this share of pixels differs between the slide before and the slide after a change.</summary>
    public const double NewSlideFraction = 0.06;

    public const double StableSeconds = 2;

    public const double MinChapterSeconds = 5;

    /// <summary>
    /// A slide change is a cut or a short fade: at most this long between one still run and the next. A lecturer who stops,
    /// walks and stops again changes the picture over seconds, frame by frame.
    /// </summary>
    public const double MaxTransitionSeconds = 1;

    /// <summary>The change times (seconds from the first frame) of <paramref name="frames"/>, each <see cref="FrameBytes"/> gray bytes.</summary>
    /// <returns>The starts of the chapters after the first: empty when the picture never changes to a new slide.</returns>
    public static IReadOnlyList<double> Detect(IReadOnlyList<byte[]> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        var stableFrames = (int)Math.Ceiling(StableSeconds * FramesPerSecond);
        var maxTransition = (int)Math.Floor(MaxTransitionSeconds * FramesPerSecond);
        var changes = new List<double>();
        var runStart = 0;
        int? previousRunEnd = null;
        for (var i = 1; i <= frames.Count; i++)
        {
            if (i < frames.Count && Difference(frames[i - 1], frames[i]) <= StillFraction)
            {
                continue;
            }

            // Frames runStart..i-1 are one still run.
            var end = i - 1;
            if (end - runStart + 1 >= stableFrames)
            {
                if (previousRunEnd is { } before
                    && runStart - before - 1 <= maxTransition
                    && Difference(frames[before], frames[runStart]) >= NewSlideFraction)
                {
                    // The change starts with the first frame after the slide before: a fade is cut at its beginning.
                    changes.Add((before + 1) / (double)FramesPerSecond);
                }

                previousRunEnd = end;
            }

            runStart = i;
        }

        return MergeShort(changes);
    }

    /// <summary>
    /// A chapter shorter than <see cref="MinChapterSeconds"/> gives way: its start is dropped, so it joins the chapter before
    /// and the slide shown last wins (a teacher paging through slides to reach one).
    /// </summary>
    private static List<double> MergeShort(List<double> changes)
    {
        var kept = new List<double>();
        for (var i = 0; i < changes.Count; i++)
        {
            var next = i + 1 < changes.Count ? changes[i + 1] : double.PositiveInfinity;
            var previous = kept.Count > 0 ? kept[^1] : 0;
            if (next - changes[i] >= MinChapterSeconds && changes[i] - previous >= MinChapterSeconds)
            {
                kept.Add(changes[i]);
            }
        }

        return kept;
    }

    /// <summary>The share of pixels whose gray levels differ by more than <see cref="PixelThreshold"/>.</summary>
    public static double Difference(byte[] a, byte[] b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var changed = 0;
        for (var p = 0; p < a.Length; p++)
        {
            if (Math.Abs(a[p] - b[p]) > PixelThreshold)
            {
                changed++;
            }
        }

        return changed / (double)a.Length;
    }

    /// <summary>Splits a raw gray stream (<see cref="FrameBytes"/> per frame) into frames; a trailing partial frame is dropped.</summary>
    public static IReadOnlyList<byte[]> Frames(ReadOnlySpan<byte> raw)
    {
        var frames = new List<byte[]>(raw.Length / FrameBytes);
        for (var offset = 0; offset + FrameBytes <= raw.Length; offset += FrameBytes)
        {
            frames.Add(raw.Slice(offset, FrameBytes).ToArray());
        }

        return frames;
    }
}

/// <summary>One chapter of a video: from <see cref="Start"/> to <see cref="End"/> seconds.</summary>
/// <param name="ThumbnailKey">Its small JPEG in storage; null for a chapter a person added where there was none.</param>
/// <param name="Named">Whether a person gave the title (else it is "Slide N").</param>
public sealed record VideoChapter(double Start, double End, string Title, string? ThumbnailKey, bool Named)
{
    public const int MaxTitleLength = 200;
    public const int MaxCount = 500;

    public static string DefaultTitle(int number) => string.Create(CultureInfo.InvariantCulture, $"Slide {number}");

    /// <summary>The chapters detected in a video of <paramref name="durationSeconds"/>: one from 0 and one from each change; none without a change.</summary>
    public static IReadOnlyList<VideoChapter> FromChanges(IReadOnlyList<double> changes, double durationSeconds, Func<int, string?> thumbnailKey)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(thumbnailKey);
        var starts = changes.Where(c => c > 0 && c < durationSeconds).Take(MaxCount - 1).Prepend(0).ToList();
        if (starts.Count < 2)
        {
            return [];
        }

        return starts.Select((s, i) => new VideoChapter(s, i + 1 < starts.Count ? starts[i + 1] : durationSeconds, DefaultTitle(i + 1), thumbnailKey(i), false)).ToList();
    }

    /// <summary>
    /// A person's list (<c>PUT …/chapters</c>) in place of <paramref name="existing"/>: each start keeps the thumbnail of the
    /// chapter that started there and is <see cref="Named"/> unless its title is the one it had; each ends where the next
    /// starts. Null and the broken rule's code when the list is refused.
    /// </summary>
    public static (IReadOnlyList<VideoChapter>? Chapters, string? Error, string? Message) Replace(
        IReadOnlyList<VideoChapter> existing, IReadOnlyList<(double Start, string? Title)> edits, double durationSeconds)
    {
        ArgumentNullException.ThrowIfNull(existing);
        ArgumentNullException.ThrowIfNull(edits);
        if (edits.Count > MaxCount)
        {
            return (null, ChapterErrors.TooMany, $"At most {MaxCount} chapters.");
        }

        var chapters = new List<VideoChapter>(edits.Count);
        for (var i = 0; i < edits.Count; i++)
        {
            var (start, title) = edits[i];
            if (!double.IsFinite(start) || start < 0 || start >= durationSeconds)
            {
                return (null, ChapterErrors.StartOutOfRange, $"Chapter {i + 1} starts at {start.ToString(CultureInfo.InvariantCulture)} s, outside the video's 0 to {durationSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s.");
            }

            if (i > 0 && start <= edits[i - 1].Start)
            {
                return (null, ChapterErrors.NotAscending, $"Chapter {i + 1} must start after chapter {i}.");
            }

            var trimmed = title?.Trim() ?? "";
            if (trimmed.Length == 0 || trimmed.Length > MaxTitleLength || trimmed.Any(char.IsControl))
            {
                return (null, ChapterErrors.TitleInvalid, $"Chapter {i + 1} needs a title of 1 to {MaxTitleLength} characters on one line.");
            }

            var before = existing.FirstOrDefault(c => Math.Abs(c.Start - start) < 0.0005);
            var end = i + 1 < edits.Count ? edits[i + 1].Start : durationSeconds;
            chapters.Add(new VideoChapter(start, end, trimmed, before?.ThumbnailKey, before is null || before.Title != trimmed || before.Named));
        }

        return (chapters, null, null);
    }

    /// <summary>The WebVTT chapters track (kind chapters): one cue per chapter, its title as text.</summary>
    public static string RenderVtt(IReadOnlyList<VideoChapter> chapters)
    {
        ArgumentNullException.ThrowIfNull(chapters);
        var vtt = new StringBuilder("WEBVTT\n");
        for (var i = 0; i < chapters.Count; i++)
        {
            var c = chapters[i];
            // A cue's text ends at a blank line and "-->" would be read as timing: titles are kept on one line without it.
            var title = c.Title.ReplaceLineEndings(" ").Replace("-->", "->", StringComparison.Ordinal);
            vtt.Append(CultureInfo.InvariantCulture, $"\n{i + 1}\n{Timestamp(c.Start)} --> {Timestamp(c.End)}\n{title}\n");
        }

        return vtt.ToString();
    }

    private static string Timestamp(double seconds)
    {
        var t = TimeSpan.FromMilliseconds(Math.Round(Math.Max(0, seconds) * 1000));
        return string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours:00}:{t.Minutes:00}:{t.Seconds:00}.{t.Milliseconds:000}");
    }
}

/// <summary>Why a person's chapter list is refused (HTTP 400): stable codes, documented in docs/api.md (Chapters).</summary>
public static class ChapterErrors
{
    public const string TooMany = "CHAPTERS_TOO_MANY";
    public const string StartOutOfRange = "CHAPTER_START_OUT_OF_RANGE";
    public const string NotAscending = "CHAPTER_STARTS_NOT_ASCENDING";
    public const string TitleInvalid = "CHAPTER_TITLE_INVALID";
}

/// <summary>A video's chapters with value equality, so a video read back equals the video written (records compare lists by reference).</summary>
public sealed class VideoChapterList(IEnumerable<VideoChapter> chapters) : IReadOnlyList<VideoChapter>, IEquatable<VideoChapterList>
{
    private readonly VideoChapter[] items = [.. chapters];

    public static VideoChapterList Empty { get; } = new([]);

    public int Count => items.Length;

    public VideoChapter this[int index] => items[index];

    public IEnumerator<VideoChapter> GetEnumerator() => ((IEnumerable<VideoChapter>)items).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => items.GetEnumerator();

    public bool Equals(VideoChapterList? other) => other is not null && items.SequenceEqual(other.items);

    public override bool Equals(object? obj) => Equals(obj as VideoChapterList);

    public override int GetHashCode() => items.Aggregate(items.Length, (hash, c) => HashCode.Combine(hash, c));

    public override string ToString() => $"[{string.Join(", ", items.Select(c => c.ToString()))}]";
}
