using System.Globalization;
using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Media;
using Academy.Video.Infrastructure.Transcoding;

namespace Academy.Video.IntegrationTests.Transcoding;

/// <summary>The slides profile's windows on a long source, through real FFmpeg (docs/encoding.md, Slides profile).</summary>
public sealed class FfmpegLectureProfileTests
{
    private const int Seconds = 70;

    [Fact]
    public async Task A_window_begins_at_the_key_frame_its_seek_lands_on_and_still_analyses_ten_seconds()
    {
        // Key frames 10 s apart: each planned start (0.8, 12.5, 24.2, 35.8, 47.5, 59.2 s) lies after one.
        var source = SourceClips.Make("profile-windows-70s", 320, 180, Seconds, keyframeSeconds: [0, 10, 20, 30, 40, 50, 60], withAudio: false);
        var options = new TranscodingOptions();

        foreach (var (start, length) in FfmpegLectureProfile.Plan(Seconds))
        {
            var output = MediaTools.Run("ffmpeg", FfmpegLectureProfile.AnalysisArguments(source, start, length, options));
            // metadata=print writes "frame:N pts:P pts_time:T" before each analysed frame's YDIF.
            var times = output.Split('\n')
                .Select(l => l.Trim())
                .Where(l => l.StartsWith("frame:", StringComparison.Ordinal))
                .Select(l => double.Parse(l[(l.IndexOf("pts_time:", StringComparison.Ordinal) + 9)..], CultureInfo.InvariantCulture))
                .ToList();
            var keyFrame = Math.Floor(start / 10) * 10;

            // Times count from the planned start: the first analysed frame is the key frame's, nothing before it thrown away
            // (fps=2 puts it on the half-second grid).
            Assert.InRange(times[0], keyFrame - start - 0.5, keyFrame - start + 0.5);
            Assert.Equal(20, times.Count);
            Assert.Equal(20, FfmpegLectureProfile.ParseDifferences(output.Split('\n')).Count + 1);
        }

        var profile = await FfmpegLectureProfile.AnalyzeAsync(source, Seconds, options, CancellationToken.None);

        Assert.Equal(LectureProfileKind.Camera, profile.Kind);
        Assert.Equal(60, profile.AnalyzedSeconds);
    }
}
