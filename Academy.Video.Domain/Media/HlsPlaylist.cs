using System.Text.RegularExpressions;

namespace Academy.Video.Domain.Media;

/// <summary>
/// The URIs of an HLS playlist (RFC 8216 §4): every line that is neither blank nor starts with
/// <c>#</c> is a URI, and tags carry more in a quoted <c>URI="..."</c> attribute (EXT-X-MEDIA,
/// EXT-X-MAP, EXT-X-KEY, EXT-X-I-FRAME-STREAM-INF). Hand-written: rewriting URIs is a line scan, and the
/// playlists are the worker's own output.
/// </summary>
public static partial class HlsPlaylist
{
    /// <summary>The playlist with each URI replaced by <paramref name="rewrite"/>(uri); everything else is kept as it was.</summary>
    public static string RewriteUris(string playlist, Func<string, string> rewrite)
    {
        ArgumentNullException.ThrowIfNull(playlist);
        ArgumentNullException.ThrowIfNull(rewrite);
        var lines = playlist.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var text = lines[i].TrimEnd('\r');
            if (text.Length == 0)
            {
                continue;
            }

            var lineEnd = lines[i][text.Length..];
            if (text[0] != '#')
            {
                lines[i] = rewrite(text.Trim()) + lineEnd;
            }
            else if (text.StartsWith("#EXT", StringComparison.Ordinal))
            {
                lines[i] = UriAttribute().Replace(text, match => $"{match.Groups["name"].Value}=\"{rewrite(match.Groups["uri"].Value)}\"") + lineEnd;
            }
        }

        return string.Join('\n', lines);
    }

    /// <summary>
    /// Resolves a relative <paramref name="uri"/> found in the playlist at <paramref name="playlistPath"/>
    /// ('/'-separated, relative to a tree root) to a path under that root. Null for an absolute URI, one
    /// with a query or fragment, or one that climbs out of the root.
    /// </summary>
    public static string? ResolveRelative(string playlistPath, string uri)
    {
        ArgumentNullException.ThrowIfNull(playlistPath);
        ArgumentNullException.ThrowIfNull(uri);
        if (uri.Length == 0 || uri.Contains("://", StringComparison.Ordinal) || uri[0] == '/' || uri.IndexOfAny(['?', '#', '\\']) >= 0)
        {
            return null;
        }

        var segments = playlistPath.Split('/').SkipLast(1).ToList();
        foreach (var segment in uri.Split('/'))
        {
            switch (segment)
            {
                case "" or ".":
                    continue;
                case "..":
                    if (segments.Count == 0)
                    {
                        return null;
                    }

                    segments.RemoveAt(segments.Count - 1);
                    break;
                default:
                    segments.Add(segment);
                    break;
            }
        }

        return segments.Count == 0 ? null : string.Join('/', segments);
    }

    public static bool IsPlaylist(string path) => path.EndsWith(".m3u8", StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex("(?<name>\\bURI)=\"(?<uri>[^\"]*)\"")]
    private static partial Regex UriAttribute();
}
