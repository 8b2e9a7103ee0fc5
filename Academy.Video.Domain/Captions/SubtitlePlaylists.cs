using System.Globalization;
using System.Text;

namespace Academy.Video.Domain.Captions;

/// <summary>A published track as the master playlist names it; <paramref name="PlaylistUri"/> is relative to the master.</summary>
public sealed record SubtitleRendition(string Language, CaptionKind Kind, string Label, string PlaylistUri);

/// <summary>
/// The HLS subtitles rendition of uploaded tracks (RFC 8216 §4.3.4.1): one WebVTT media playlist per track, whose one
/// segment is the whole .vtt, and the master's <c>EXT-X-MEDIA:TYPE=SUBTITLES</c> entries in group <see cref="GroupId"/>
/// named by every variant.
/// </summary>
public static class SubtitlePlaylists
{
    public const string GroupId = "subs";

    private const string MediaPrefix = "#EXT-X-MEDIA:TYPE=SUBTITLES,";

    private const string StreamInf = "#EXT-X-STREAM-INF:";

    /// <param name="videoSeconds">The video's duration: the one segment spans it, so a player shows the track to the end.</param>
    public static string MediaPlaylist(string vttUri, double videoSeconds)
    {
        var seconds = Math.Max(videoSeconds, 0.001);
        return string.Create(CultureInfo.InvariantCulture, $"""
            #EXTM3U
            #EXT-X-VERSION:3
            #EXT-X-TARGETDURATION:{(long)Math.Ceiling(seconds)}
            #EXT-X-MEDIA-SEQUENCE:0
            #EXT-X-PLAYLIST-TYPE:VOD
            #EXTINF:{seconds:0.000},
            {vttUri}
            #EXT-X-ENDLIST

            """).Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    /// <summary>
    /// The master with its subtitle renditions replaced by <paramref name="renditions"/>: earlier SUBTITLES entries and
    /// attributes are removed first, so the result depends only on the transcoded master and the tracks; every other
    /// line is kept as it was.
    /// </summary>
    public static string RewriteMaster(string master, IReadOnlyList<SubtitleRendition> renditions)
    {
        ArgumentNullException.ThrowIfNull(master);
        ArgumentNullException.ThrowIfNull(renditions);
        var output = new StringBuilder();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var inserted = false;
        foreach (var raw in master.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            if (raw.StartsWith(MediaPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var line = raw;
            if (line.StartsWith(StreamInf, StringComparison.Ordinal))
            {
                if (!inserted)
                {
                    foreach (var rendition in renditions)
                    {
                        output.Append(Media(rendition, names)).Append('\n');
                    }

                    inserted = true;
                }

                var attributes = SplitAttributes(line[StreamInf.Length..]).Where(a => !a.StartsWith("SUBTITLES=", StringComparison.Ordinal)).ToList();
                if (renditions.Count > 0)
                {
                    attributes.Add($"SUBTITLES=\"{GroupId}\"");
                }

                line = StreamInf + string.Join(',', attributes);
            }

            output.Append(line).Append('\n');
        }

        // Split leaves one empty entry after the final line end.
        return output.ToString(0, output.Length - 1);
    }

    /// <summary>
    /// The URI of the master's video variant with the lowest BANDWIDTH (the first of equals); null when it names none. The
    /// audio-only variant (CODECS naming audio only) is passed over: its segments carry no video timestamps.
    /// </summary>
    public static string? LowestBandwidthVariant(string master)
    {
        ArgumentNullException.ThrowIfNull(master);
        string? uri = null;
        var lowest = long.MaxValue;
        long? pending = null;
        foreach (var raw in master.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith(StreamInf, StringComparison.Ordinal))
            {
                var attributes = SplitAttributes(line[StreamInf.Length..]);
                var bandwidth = attributes.FirstOrDefault(a => a.StartsWith("BANDWIDTH=", StringComparison.Ordinal));
                pending = AudioOnly(attributes) ? null
                    : long.TryParse(bandwidth?["BANDWIDTH=".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var b) ? b : long.MaxValue - 1;
            }
            else if (pending is { } value && line.Length > 0 && line[0] != '#')
            {
                if (value < lowest)
                {
                    (lowest, uri) = (value, line);
                }

                pending = null;
            }
        }

        return uri;
    }

    /// <summary>Whether the variant's CODECS names audio codecs only (<c>mp4a.*</c>, <c>ac-3</c>, <c>ec-3</c>, <c>opus</c>, …).</summary>
    private static bool AudioOnly(List<string> attributes)
    {
        var codecs = attributes.FirstOrDefault(a => a.StartsWith("CODECS=", StringComparison.Ordinal));
        return codecs is not null
            && codecs["CODECS=".Length..].Trim('"').Split(',').All(c => c.Trim() is var codec && (codec.StartsWith("mp4a", StringComparison.Ordinal)
                || codec is "ac-3" or "ec-3" or "opus" or "flac" or "mp3"));
    }

    /// <summary>The URI of a media playlist's first segment; null when it has none.</summary>
    public static string? FirstSegment(string mediaPlaylist)
    {
        ArgumentNullException.ThrowIfNull(mediaPlaylist);
        return mediaPlaylist.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && l[0] != '#');
    }

    private static string Media(SubtitleRendition rendition, HashSet<string> names)
    {
        // NAME must be unique in the group: a captions track labelled like a subtitles track gets its kind added.
        var name = rendition.Label;
        if (!names.Add(name))
        {
            name = $"{rendition.Label} ({rendition.Kind.ToWire()})";
            names.Add(name);
        }

        var media = $"{MediaPrefix}GROUP-ID=\"{GroupId}\",NAME=\"{name}\",LANGUAGE=\"{rendition.Language}\",AUTOSELECT=YES,DEFAULT=NO,";
        if (rendition.Kind == CaptionKind.Captions)
        {
            media += "CHARACTERISTICS=\"public.accessibility.transcribes-spoken-dialog,public.accessibility.describes-music-and-sound\",";
        }

        return media + $"URI=\"{rendition.PlaylistUri}\"";
    }

    /// <summary>Attribute list split on commas outside quoted strings (CODECS="avc1…,mp4a…" holds one).</summary>
    private static List<string> SplitAttributes(string list)
    {
        var attributes = new List<string>();
        var quoted = false;
        var start = 0;
        for (var i = 0; i < list.Length; i++)
        {
            if (list[i] == '"')
            {
                quoted = !quoted;
            }
            else if (list[i] == ',' && !quoted)
            {
                attributes.Add(list[start..i]);
                start = i + 1;
            }
        }

        attributes.Add(list[start..]);
        return attributes.Where(a => a.Length > 0).ToList();
    }
}
