using System.Globalization;
using System.Text.Json;
using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Media;

namespace Academy.Video.IntegrationTests.Transcoding;

/// <summary>Checks a published HLS tree the way a player would meet it, with ffprobe and the playlists' own text.</summary>
internal static class HlsOutputAssert
{
    public static void Playable(HlsOutput output, MediaInfo source, IReadOnlyList<Rendition> renditions)
    {
        Assert.Equal("master.m3u8", output.MasterPlaylist);
        Assert.Contains("master.m3u8", output.Files);
        Assert.All(output.Files, f =>
        {
            Assert.DoesNotContain('\\', f);
            Assert.False(Path.IsPathRooted(f), f);
            Assert.True(File.Exists(Path.Combine(output.OutputDirectory, f)), $"listed file {f} does not exist");
        });
        var onDisk = Directory.EnumerateFiles(output.OutputDirectory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(output.OutputDirectory, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal);
        Assert.Equal(onDisk, output.Files.Order(StringComparer.Ordinal));

        var variants = MasterVariants(Path.Combine(output.OutputDirectory, output.MasterPlaylist));
        Assert.Equal(renditions.Count, variants.Count);

        var segmentDurations = new List<IReadOnlyList<double>>();
        foreach (var (rendition, variant) in renditions.Zip(variants))
        {
            Assert.Equal($"{rendition.Name}/index.m3u8", variant.Uri);
            Assert.True(long.Parse(variant.Attributes["BANDWIDTH"], CultureInfo.InvariantCulture) > 0, $"{variant.Uri} BANDWIDTH");
            Assert.Equal($"{rendition.Width}x{rendition.Height}", variant.Attributes["RESOLUTION"]);
            var codecs = variant.Attributes["CODECS"].Trim('"').Split(',');
            Assert.Contains(codecs, c => c.StartsWith("avc1.", StringComparison.Ordinal));
            Assert.Equal(source.HasAudio, codecs.Contains("mp4a.40.2"));

            Assert.Contains(variant.Uri, output.Files);
            var playlist = Path.Combine(output.OutputDirectory, variant.Uri);
            var segments = File.ReadAllLines(playlist).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
            Assert.NotEmpty(segments);
            Assert.All(segments, s =>
            {
                Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(playlist)!, s)), $"{variant.Uri} references missing {s}");
                Assert.Contains($"{rendition.Name}/{s}", output.Files);
            });
            Assert.Contains("#EXT-X-ENDLIST", File.ReadAllLines(playlist));
            segmentDurations.Add(File.ReadAllLines(playlist)
                .Where(l => l.StartsWith("#EXTINF:", StringComparison.Ordinal))
                .Select(l => double.Parse(l["#EXTINF:".Length..].TrimEnd(','), CultureInfo.InvariantCulture))
                .ToList());

            using var probe = Ffprobe.Json(playlist);
            var streams = probe.RootElement.GetProperty("streams").EnumerateArray().ToList();
            var video = Assert.Single(streams, s => s.GetProperty("codec_type").GetString() == "video");
            Assert.Equal("h264", video.GetProperty("codec_name").GetString());
            Assert.Equal(rendition.Width, video.GetProperty("width").GetInt32());
            Assert.Equal(rendition.Height, video.GetProperty("height").GetInt32());
            Assert.False(video.TryGetProperty("side_data_list", out var sideData)
                && sideData.EnumerateArray().Any(d => d.TryGetProperty("rotation", out var r) && r.GetDouble() != 0), $"{variant.Uri} still carries a rotation");
            Assert.Equal(source.HasAudio, streams.Any(s => s.GetProperty("codec_type").GetString() == "audio"));

            var seconds = double.Parse(probe.RootElement.GetProperty("format").GetProperty("duration").GetString()!, CultureInfo.InvariantCulture);
            Assert.InRange(seconds, source.Duration.TotalSeconds - 0.5, source.Duration.TotalSeconds + 0.5);
        }

        // Key frames are forced on the same clock in every variant, so players can switch at any segment boundary.
        Assert.All(segmentDurations, d => Assert.Equal(segmentDurations[0], d));
    }

    private static List<(Dictionary<string, string> Attributes, string Uri)> MasterVariants(string masterPath)
    {
        var lines = File.ReadAllLines(masterPath);
        Assert.Equal("#EXTM3U", lines[0]);
        var variants = new List<(Dictionary<string, string>, string)>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal))
            {
                continue;
            }

            var uri = lines.Skip(i + 1).First(l => l.Length > 0 && !l.StartsWith('#'));
            variants.Add((Attributes(lines[i]["#EXT-X-STREAM-INF:".Length..]), uri));
        }

        return variants;
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
