using System.Globalization;
using Academy.Video.Domain.Media;
using Academy.Video.IntegrationTests.Transcoding;

namespace Academy.Video.IntegrationTests.Media;

/// <summary>The hand-written PTS reader on ffmpeg's own MPEG-TS output, checked against ffprobe (docs/api.md, Captions).</summary>
public sealed class MpegTsTimestampFfmpegTests
{
    [Theory]
    [InlineData("0", 0)] // B-frames: the first PES in decode order is not the earliest shown.
    [InlineData("0", 2)]
    [InlineData("10.5", 2)] // A source whose timeline starts later, as the fast path's copied video does.
    public void The_lowest_PTS_of_an_ffmpeg_segment_is_ffprobes_start_pts(string offsetSeconds, int bFrames)
    {
        var folder = Directory.CreateTempSubdirectory("academy-video-ts").FullName;
        try
        {
            var segment = Path.Combine(folder, "seg_00000.ts");
            MediaTools.Run("ffmpeg", ["-hide_banner", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-t", "2",
                "-c:v", "libx264", "-bf", bFrames.ToString(CultureInfo.InvariantCulture), "-g", "25", "-output_ts_offset", offsetSeconds, "-f", "mpegts", segment]);
            // ffprobe prints the stream again under its program: the first line is the stream's.
            var expected = long.Parse(MediaTools.Run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=start_pts", "-of", "csv=p=0", segment]).Split('\n', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);

            var pts = MpegTsTimestamps.LowestPts(File.ReadAllBytes(segment));

            Assert.Equal(expected, pts);
            Assert.True(pts > 90_000 * double.Parse(offsetSeconds, CultureInfo.InvariantCulture), $"ffmpeg's muxer delay is on top of the offset: {pts}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
