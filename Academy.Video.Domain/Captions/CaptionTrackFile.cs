using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace Academy.Video.Domain.Captions;

/// <summary>A caption file that does not parse: <see cref="Line"/> is the 1-based line of the upload it broke on.</summary>
public sealed class CaptionFormatException(int line, string reason) : Exception($"Line {line}: {reason}")
{
    public int Line { get; } = line;

    public string Reason { get; } = reason;
}

public sealed record CaptionCue(TimeSpan Start, TimeSpan End, string Settings, IReadOnlyList<string> Text);

/// <summary>
/// An uploaded caption track, WebVTT or SRT (told apart by content: a WebVTT file starts with <c>WEBVTT</c>),
/// parsed and normalised to WebVTT (docs/api.md, Captions). Hand-written: no caption library is available to the
/// build, and the two formats are line-based blocks of a timing line and text.
/// </summary>
public sealed class CaptionTrackFile
{
    private const string Arrow = "-->";

    private CaptionTrackFile(bool wasSrt, IReadOnlyList<string> headerBlocks, IReadOnlyList<CaptionCue> cues)
    {
        WasSrt = wasSrt;
        HeaderBlocks = headerBlocks;
        Cues = cues;
    }

    public bool WasSrt { get; }

    /// <summary>WebVTT STYLE and REGION blocks, kept as uploaded.</summary>
    public IReadOnlyList<string> HeaderBlocks { get; }

    public IReadOnlyList<CaptionCue> Cues { get; }

    /// <summary>The end of the last cue.</summary>
    public TimeSpan End => Cues.Count == 0 ? TimeSpan.Zero : Cues.Max(c => c.End);

    /// <exception cref="CaptionFormatException">The bytes are not UTF-8, or not a WebVTT or SRT file.</exception>
    public static CaptionTrackFile Parse(ReadOnlySpan<byte> bytes)
    {
        ReadOnlySpan<byte> bom = [0xEF, 0xBB, 0xBF];
        if (bytes.StartsWith(bom))
        {
            bytes = bytes[bom.Length..];
        }

        var text = Decode(bytes);
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var first = lines.FindIndex(l => l.Trim().Length > 0);
        if (first < 0)
        {
            throw new CaptionFormatException(1, "the file holds no cue.");
        }

        var vtt = lines[first].StartsWith("WEBVTT", StringComparison.Ordinal)
                  && (lines[first].Length == 6 || lines[first][6] is ' ' or '\t');
        return vtt ? ParseVtt(lines, first) : ParseSrt(lines, first);
    }

    /// <summary>The track as WebVTT: the header, the STYLE/REGION blocks, then each cue with hh:mm:ss.mmm timings, LF line ends, no NOTE blocks.</summary>
    /// <param name="mediaStartPts">
    /// The MPEG-TS presentation timestamp (90 kHz) at which the video's HLS timeline starts. When known the header carries
    /// <c>X-TIMESTAMP-MAP=MPEGTS:pts,LOCAL:00:00:00.000</c>, so cue time 0 is the media's start: without it a player maps
    /// cue time 0 to PTS 0 (RFC 8216 §3.5) and, the worker's segments starting near 1.4 s, shows every cue that much early
    /// (docs/api.md, Captions).
    /// </param>
    public string ToWebVtt(long? mediaStartPts = null)
    {
        var text = new StringBuilder("WEBVTT\n");
        if (mediaStartPts is { } pts)
        {
            text.Append(CultureInfo.InvariantCulture, $"X-TIMESTAMP-MAP=MPEGTS:{pts},LOCAL:00:00:00.000\n");
        }

        foreach (var block in HeaderBlocks)
        {
            text.Append('\n').Append(block).Append('\n');
        }

        foreach (var cue in Cues)
        {
            text.Append('\n').Append(FormatTime(cue.Start)).Append(" --> ").Append(FormatTime(cue.End));
            if (cue.Settings.Length > 0)
            {
                text.Append(' ').Append(cue.Settings);
            }

            text.Append('\n');
            foreach (var line in cue.Text)
            {
                text.Append(line).Append('\n');
            }
        }

        return text.ToString();
    }

    public static string FormatTime(TimeSpan time) =>
        string.Create(CultureInfo.InvariantCulture, $"{(int)time.TotalHours:00}:{time.Minutes:00}:{time.Seconds:00}.{time.Milliseconds:000}");

    private static string Decode(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        var status = Utf8.ToUtf16(bytes, chars, out var read, out var written, replaceInvalidSequences: false);
        if (status != OperationStatus.Done)
        {
            var line = 1 + bytes[..read].Count((byte)'\n');
            throw new CaptionFormatException(line, $"the file is not UTF-8 (invalid byte at offset {read}).");
        }

        var text = new string(chars, 0, written);
        var nul = text.IndexOf('\0', StringComparison.Ordinal);
        if (nul >= 0)
        {
            throw new CaptionFormatException(1 + text.AsSpan(0, nul).Count('\n'), "the file holds a NUL character.");
        }

        return text;
    }

    private static CaptionTrackFile ParseVtt(List<string> lines, int header)
    {
        var blocks = new List<string>();
        var cues = new List<CaptionCue>();
        var i = header + 1;
        // The header's own lines (metadata after WEBVTT) run to the first blank line.
        while (i < lines.Count && lines[i].Trim().Length > 0)
        {
            i++;
        }

        foreach (var (start, block) in Blocks(lines, i))
        {
            if (block[0].StartsWith("NOTE", StringComparison.Ordinal) && (block[0].Length == 4 || block[0][4] is ' ' or '\t'))
            {
                continue;
            }

            if ((block[0] == "STYLE" || block[0] == "REGION") && !block.Any(l => l.Contains(Arrow, StringComparison.Ordinal)))
            {
                if (cues.Count > 0)
                {
                    throw new CaptionFormatException(start + 1, $"a {block[0]} block must come before the first cue.");
                }

                blocks.Add(string.Join('\n', block));
                continue;
            }

            // An optional cue identifier, then the timing line.
            var timing = block[0].Contains(Arrow, StringComparison.Ordinal) ? 0 : 1;
            if (timing >= block.Count || !block[timing].Contains(Arrow, StringComparison.Ordinal))
            {
                throw new CaptionFormatException(start + timing + 1, "expected a cue timing line 'start --> end'.");
            }

            cues.Add(Cue(block[timing], start + timing + 1, block.Skip(timing + 1).ToList(), srt: false));
        }

        return new CaptionTrackFile(false, blocks, cues);
    }

    private static CaptionTrackFile ParseSrt(List<string> lines, int first)
    {
        var cues = new List<CaptionCue>();
        foreach (var (start, block) in Blocks(lines, first))
        {
            // A cue number, then the timing line (some writers leave the number out).
            var timing = block[0].Contains(Arrow, StringComparison.Ordinal) ? 0 : 1;
            if (timing == 1 && !int.TryParse(block[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                throw new CaptionFormatException(start + 1, "expected a cue number or a timing line 'hh:mm:ss,mmm --> hh:mm:ss,mmm' (or a WEBVTT header).");
            }

            if (timing >= block.Count || !block[timing].Contains(Arrow, StringComparison.Ordinal))
            {
                throw new CaptionFormatException(start + timing + 1, "expected a timing line 'hh:mm:ss,mmm --> hh:mm:ss,mmm'.");
            }

            cues.Add(Cue(block[timing], start + timing + 1, block.Skip(timing + 1).ToList(), srt: true));
        }

        return new CaptionTrackFile(true, [], cues);
    }

    /// <summary>The blank-line separated blocks from line <paramref name="from"/> on, each with the index of its first line.</summary>
    private static IEnumerable<(int Start, List<string> Block)> Blocks(List<string> lines, int from)
    {
        var i = from;
        while (i < lines.Count)
        {
            if (lines[i].Trim().Length == 0)
            {
                i++;
                continue;
            }

            var start = i;
            var block = new List<string>();
            while (i < lines.Count && lines[i].Trim().Length > 0)
            {
                block.Add(lines[i]);
                i++;
            }

            yield return (start, block);
        }
    }

    private static CaptionCue Cue(string timingLine, int lineNumber, List<string> text, bool srt)
    {
        var arrow = timingLine.IndexOf(Arrow, StringComparison.Ordinal);
        var left = timingLine[..arrow].Trim();
        var right = timingLine[(arrow + Arrow.Length)..].Trim();
        var space = right.IndexOfAny([' ', '\t']);
        var endText = space < 0 ? right : right[..space];
        // SRT has no cue settings; its X1: Y1: coordinates (rare) are dropped.
        var settings = space < 0 || srt ? "" : right[(space + 1)..].Trim();
        var start = ParseTime(left, lineNumber, srt);
        var end = ParseTime(endText, lineNumber, srt);
        if (end <= start)
        {
            throw new CaptionFormatException(lineNumber, $"the cue ends ({endText}) at or before it starts ({left}).");
        }

        if (text.FirstOrDefault(l => l.Contains(Arrow, StringComparison.Ordinal)) is { } stray)
        {
            throw new CaptionFormatException(lineNumber + 1 + text.IndexOf(stray), "cue text may not contain '-->' (a missing blank line between cues?).");
        }

        return new CaptionCue(start, end, settings, text);
    }

    /// <summary>WebVTT: [hh:]mm:ss.mmm; SRT: hh:mm:ss,mmm (a dot accepted too, as many writers emit it).</summary>
    private static TimeSpan ParseTime(string value, int lineNumber, bool srt)
    {
        var separator = value.LastIndexOfAny(srt ? [',', '.'] : ['.']);
        var parts = separator < 0 ? [] : value[..separator].Split(':');
        var fraction = separator < 0 ? "" : value[(separator + 1)..];
        var ok = parts.Length is 2 or 3 && fraction.Length == 3 && fraction.All(char.IsAsciiDigit)
                 && (!srt || parts.Length == 3)
                 && parts.Select((p, n) => p.Length is >= 2 and <= 4 && p.All(char.IsAsciiDigit) && (n == 0 && parts.Length == 3 || p.Length == 2)).All(x => x);
        if (!ok)
        {
            throw new CaptionFormatException(lineNumber, srt
                ? $"'{value}' is not a timestamp hh:mm:ss,mmm."
                : $"'{value}' is not a timestamp [hh:]mm:ss.mmm.");
        }

        var numbers = parts.Select(p => int.Parse(p, NumberStyles.None, CultureInfo.InvariantCulture)).ToList();
        var (hours, minutes, seconds) = numbers.Count == 3 ? (numbers[0], numbers[1], numbers[2]) : (0, numbers[0], numbers[1]);
        if (minutes > 59 || seconds > 59)
        {
            throw new CaptionFormatException(lineNumber, $"'{value}' has minutes or seconds over 59.");
        }

        return new TimeSpan(0, hours, minutes, seconds, int.Parse(fraction, NumberStyles.None, CultureInfo.InvariantCulture));
    }
}

/// <summary>A cue as transcripts and search show it: its times in milliseconds and its text without markup (docs/api.md, Transcripts and search).</summary>
public sealed record TranscriptCue(int StartMs, int EndMs, string Text)
{
    /// <summary>
    /// The cue's lines joined by a space, with WebVTT tags (<c>&lt;i&gt;</c>, <c>&lt;v Name&gt;</c>, timestamps) removed and
    /// the character references WebVTT defines decoded, so <c>&lt;i&gt;미분&lt;/i&gt;을</c> is found as <c>미분을</c>.
    /// </summary>
    public static TranscriptCue From(CaptionCue cue)
    {
        ArgumentNullException.ThrowIfNull(cue);
        var text = new StringBuilder();
        foreach (var line in cue.Text)
        {
            if (text.Length > 0)
            {
                text.Append(' ');
            }

            // A tag runs from '<' to the next '>'; a '<' with none after it (SRT text "x < 3") is text.
            for (var i = 0; i < line.Length; i++)
            {
                var close = line[i] == '<' ? line.IndexOf('>', i + 1) : -1;
                if (close > 0)
                {
                    i = close;
                }
                else
                {
                    text.Append(line[i]);
                }
            }
        }

        var plain = text.Replace("&lt;", "<").Replace("&gt;", ">").Replace("&nbsp;", "\u00A0").Replace("&lrm;", "\u200E").Replace("&rlm;", "\u200F")
            .Replace("&amp;", "&").ToString().Trim();
        return new TranscriptCue(ToMs(cue.Start), ToMs(cue.End), plain);
    }

    private static int ToMs(TimeSpan time) => (int)Math.Min(int.MaxValue, (long)time.TotalMilliseconds);
}
