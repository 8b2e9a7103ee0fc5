using System.Buffers.Binary;
using System.Globalization;

namespace Academy.Video.IntegrationTests.Transcoding;

/// <summary>The files made for download as a player or a phone meets them: ffprobe's streams, the box order, a full decode.</summary>
internal static class DownloadAssert
{
    /// <summary>H.264 of the given size (and AAC when <paramref name="withAudio"/>), as long as the source, with the index first.</summary>
    public static void Mp4(string path, int width, int height, double sourceSeconds, bool withAudio)
    {
        using var probe = Ffprobe.Json(path);
        var streams = probe.RootElement.GetProperty("streams").EnumerateArray().ToList();
        Assert.Equal(withAudio ? 2 : 1, streams.Count);
        var video = Assert.Single(streams, s => s.GetProperty("codec_type").GetString() == "video");
        Assert.Equal(("h264", width, height), (video.GetProperty("codec_name").GetString(), video.GetProperty("width").GetInt32(), video.GetProperty("height").GetInt32()));
        if (withAudio)
        {
            var audio = Assert.Single(streams, s => s.GetProperty("codec_type").GetString() == "audio");
            Assert.Equal("aac", audio.GetProperty("codec_name").GetString());
        }

        Assert.Contains("mp4", probe.RootElement.GetProperty("format").GetProperty("format_name").GetString(), StringComparison.Ordinal);
        Assert.InRange(Seconds(probe), sourceSeconds - 0.5, sourceSeconds + 0.5);
        AssertFaststart(path);
        AssertDecodes(path);
    }

    /// <summary>AAC alone, as long as the source, with the index first.</summary>
    public static void M4a(string path, double sourceSeconds)
    {
        using var probe = Ffprobe.Json(path);
        var stream = Assert.Single(probe.RootElement.GetProperty("streams").EnumerateArray());
        Assert.Equal(("audio", "aac"), (stream.GetProperty("codec_type").GetString(), stream.GetProperty("codec_name").GetString()));
        Assert.InRange(Seconds(probe), sourceSeconds - 0.5, sourceSeconds + 0.5);
        AssertFaststart(path);
        AssertDecodes(path);
    }

    /// <summary>The file's top-level ISO BMFF boxes, in order.</summary>
    public static List<string> TopLevelBoxes(string path)
    {
        var boxes = new List<string>();
        using var file = File.OpenRead(path);
        var header = new byte[16];
        while (file.Position < file.Length)
        {
            var start = file.Position;
            file.ReadExactly(header, 0, 8);
            long size = BinaryPrimitives.ReadUInt32BigEndian(header);
            boxes.Add(System.Text.Encoding.ASCII.GetString(header, 4, 4));
            if (size == 1)
            {
                file.ReadExactly(header, 8, 8);
                size = (long)BinaryPrimitives.ReadUInt64BigEndian(header.AsSpan(8));
            }
            else if (size == 0)
            {
                break;
            }

            Assert.True(size >= 8, $"{path}: a box of {size} bytes at {start}");
            file.Position = start + size;
        }

        return boxes;
    }

    private static void AssertFaststart(string path)
    {
        var boxes = TopLevelBoxes(path);
        Assert.Equal("ftyp", boxes[0]);
        Assert.True(boxes.IndexOf("moov") >= 0 && boxes.IndexOf("moov") < boxes.IndexOf("mdat"), $"{path}: moov is not before mdat ({string.Join(',', boxes)})");
    }

    private static void AssertDecodes(string path)
    {
        var stderr = MediaTools.Run("ffmpeg", ["-hide_banner", "-nostdin", "-v", "error", "-i", path, "-map", "0", "-f", "null", "-"], stderr: true);
        Assert.True(stderr.Trim().Length == 0, $"decoding {path}: {stderr}");
    }

    private static double Seconds(System.Text.Json.JsonDocument probe) =>
        double.Parse(probe.RootElement.GetProperty("format").GetProperty("duration").GetString()!, CultureInfo.InvariantCulture);
}
