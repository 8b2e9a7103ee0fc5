using System.Globalization;
using System.Text;

namespace Academy.Video.Domain.Media;

/// <summary>One entry of a media playlist: a segment's EXTINF duration and its URI.</summary>
public sealed record HlsPlaylistEntry(double DurationSeconds, string Uri);

/// <summary>A media playlist as read: its entries in order, and whether it is finished (<c>#EXT-X-ENDLIST</c>).</summary>
public sealed record HlsMediaPlaylistText(IReadOnlyList<HlsPlaylistEntry> Entries, bool Ended);

/// <summary>
/// Media playlists (RFC 8216 §4.3.3): the worker writes every variant's final playlist itself, from its segments, whether
/// ffmpeg wrote them all or an earlier attempt did part of them, so a resumed tree reads exactly like a clean one.
/// Hand-written: a VOD playlist is a header and one EXTINF line per segment.
/// </summary>
public static class HlsMediaPlaylist
{
    /// <summary>The entries of a playlist; an entry cut off at the end of the text (no URI yet) is left out.</summary>
    public static HlsMediaPlaylistText Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var entries = new List<HlsPlaylistEntry>();
        var ended = false;
        double? duration = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("#EXTINF:", StringComparison.Ordinal))
            {
                var value = line["#EXTINF:".Length..].Split(',')[0];
                duration = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) ? seconds : null;
            }
            else if (line == "#EXT-X-ENDLIST")
            {
                ended = true;
            }
            else if (line.Length > 0 && line[0] != '#' && duration is { } seconds)
            {
                entries.Add(new HlsPlaylistEntry(seconds, line));
                duration = null;
            }
        }

        return new HlsMediaPlaylistText(entries, ended);
    }

    /// <summary>A finished VOD playlist of <paramref name="entries"/>, in order, numbered from 0.</summary>
    public static string RenderVod(IReadOnlyList<HlsPlaylistEntry> entries) => Render(entries, "VOD", 0, ended: true);

    /// <summary>
    /// A growing playlist of the segments published so far (RFC 8216 §4.3.3.5, <c>EVENT</c>): segments are only ever
    /// appended, so a player that starts on it keeps its place when it is replaced by the VOD playlist of the same URI
    /// (<see cref="RenderVod"/>, the same entries and more, with <c>#EXT-X-ENDLIST</c>).
    /// </summary>
    /// <param name="targetDuration">The target the finished playlist will have, when known; at least the entries' own.</param>
    public static string RenderEvent(IReadOnlyList<HlsPlaylistEntry> entries, int targetDuration) => Render(entries, "EVENT", targetDuration, ended: false);

    private static string Render(IReadOnlyList<HlsPlaylistEntry> entries, string playlistType, int targetDuration, bool ended)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            throw new ArgumentException("A playlist needs at least one segment.", nameof(entries));
        }

        var text = new StringBuilder()
            .Append("#EXTM3U\n")
            .Append("#EXT-X-VERSION:6\n")
            .Append(CultureInfo.InvariantCulture, $"#EXT-X-TARGETDURATION:{Math.Max(targetDuration, TargetDuration(entries))}\n")
            .Append("#EXT-X-MEDIA-SEQUENCE:0\n")
            .Append(CultureInfo.InvariantCulture, $"#EXT-X-PLAYLIST-TYPE:{playlistType}\n")
            // Every segment starts with a key frame (video) or is made of key frames only (AAC).
            .Append("#EXT-X-INDEPENDENT-SEGMENTS\n");
        foreach (var entry in entries)
        {
            text.Append(CultureInfo.InvariantCulture, $"#EXTINF:{entry.DurationSeconds:0.000000},\n{entry.Uri}\n");
        }

        return ended ? text.Append("#EXT-X-ENDLIST\n").ToString() : text.ToString();
    }

    /// <summary>RFC 8216 §4.3.3.1: every EXTINF duration, rounded to the nearest integer, is at most the target duration.</summary>
    public static int TargetDuration(IEnumerable<HlsPlaylistEntry> entries) =>
        Math.Max(1, entries.Max(e => (int)Math.Round(e.DurationSeconds, MidpointRounding.AwayFromZero)));
}
