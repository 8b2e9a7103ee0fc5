using System.Globalization;

namespace Academy.Video.IntegrationTests.Transcoding;

/// <summary>The test's own reading of HLS playlists (RFC 8216), independent of the adapter that wrote them.</summary>
internal static class Playlist
{
    public sealed record Variant(Dictionary<string, string> Attributes, string Uri);

    public sealed record Rendition(Dictionary<string, string> Attributes, string Uri);

    public sealed record Master(IReadOnlyList<Variant> Variants, IReadOnlyList<Rendition> Audio);

    public sealed record Segment(double Seconds, string Uri, long Bytes);

    public sealed record Media(IReadOnlyList<Segment> Segments, bool Finished)
    {
        /// <summary>Peak and average bits per second; the final segment, if shorter than the target, over the target.</summary>
        public (long Peak, long Average) Rates(double targetSeconds)
        {
            var peak = Segments.Select((s, i) => s.Bytes * 8 / (i == Segments.Count - 1 && Segments.Count > 1 ? Math.Max(s.Seconds, targetSeconds) : s.Seconds)).Max();
            var average = Segments.Sum(s => s.Bytes) * 8 / Segments.Sum(s => s.Seconds);
            return ((long)Math.Ceiling(peak), (long)Math.Ceiling(average));
        }
    }

    public static Master ReadMaster(string path)
    {
        var lines = File.ReadAllLines(path);
        Assert.Equal("#EXTM3U", lines[0]);
        var variants = new List<Variant>();
        var audio = new List<Rendition>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal))
            {
                var uri = lines.Skip(i + 1).First(l => l.Length > 0 && !l.StartsWith('#'));
                variants.Add(new Variant(Attributes(lines[i]["#EXT-X-STREAM-INF:".Length..]), uri));
            }
            else if (lines[i].StartsWith("#EXT-X-MEDIA:", StringComparison.Ordinal))
            {
                var attributes = Attributes(lines[i]["#EXT-X-MEDIA:".Length..]);
                Assert.Equal("AUDIO", attributes["TYPE"]);
                audio.Add(new Rendition(attributes, attributes["URI"].Trim('"')));
            }
        }

        return new Master(variants, audio);
    }

    public static Media ReadMedia(string path)
    {
        var directory = Path.GetDirectoryName(path)!;
        var lines = File.ReadAllLines(path);
        var segments = new List<Segment>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith("#EXTINF:", StringComparison.Ordinal))
            {
                var seconds = double.Parse(lines[i]["#EXTINF:".Length..].TrimEnd(','), CultureInfo.InvariantCulture);
                var uri = lines[i + 1];
                var file = Path.Combine(directory, uri);
                Assert.True(File.Exists(file), $"{path} references missing {uri}");
                segments.Add(new Segment(seconds, uri, new FileInfo(file).Length));
            }
        }

        return new Media(segments, lines.Contains("#EXT-X-ENDLIST"));
    }

    /// <summary>KEY=VALUE pairs split on commas outside quotes (CODECS="avc1...,mp4a..." holds a comma).</summary>
    private static Dictionary<string, string> Attributes(string list)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        var start = 0;
        var quoted = false;
        for (var i = 0; i <= list.Length; i++)
        {
            if (i < list.Length && list[i] == '"')
            {
                quoted = !quoted;
            }
            else if (i == list.Length || (list[i] == ',' && !quoted))
            {
                var pair = list[start..i];
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                attributes[pair[..equals]] = pair[(equals + 1)..];
                start = i + 1;
            }
        }

        return attributes;
    }
}
