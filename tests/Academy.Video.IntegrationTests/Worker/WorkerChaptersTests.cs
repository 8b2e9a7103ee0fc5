using System.Globalization;
using Academy.Video.Domain.Videos;
using Academy.Video.IntegrationTests.Transcoding;
using Academy.Video.Testing;

namespace Academy.Video.IntegrationTests.Worker;

/// <summary>
/// Chapters from slide changes through the worker binary (docs/encoding.md, Chapters): real FFmpeg on generated lectures,
/// the chapters stored with the video, the WebVTT track and the thumbnails published with the tree.
/// </summary>
public sealed class WorkerChaptersTests(WorkerTestBed bed) : IClassFixture<WorkerTestBed>
{
    [Fact]
    public async Task A_slide_lecture_gets_a_chapter_per_slide_within_a_second_with_its_track_and_thumbnails_published()
    {
        var path = Path.Combine(bed.Root, "chapters-slides.mp4");
        var lecture = LectureSources.Slides(5, 60, 320, 180, path);
        Generate(lecture.Arguments);
        var (videoId, jobId) = await bed.QueueJobAsync(path);

        using var worker = await WorkerProcess.RunAsync([jobId.ToString()], bed.WorkerEnvironment());

        Assert.True(worker.ExitCode == 0, worker.Output);
        var video = await bed.Video(videoId);
        Assert.Equal(VideoStatus.Ready, video.Status);
        var expected = lecture.ChangeSeconds.Prepend(0).ToList();
        Assert.Equal(expected.Count, video.Chapters.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var chapter = video.Chapters[i];
            Assert.InRange(chapter.Start, expected[i] - 1, expected[i] + 1);
            Assert.Equal($"Slide {i + 1}", chapter.Title);
            Assert.False(chapter.Named);
            Assert.Equal(i + 1 < expected.Count ? video.Chapters[i + 1].Start : chapter.End, chapter.End);
            var thumbnail = await File.ReadAllBytesAsync(Path.Combine(bed.StorageRoot, chapter.ThumbnailKey!));
            Assert.True(thumbnail is [0xFF, 0xD8, ..], $"{chapter.ThumbnailKey} is not a JPEG");
            Assert.StartsWith(Path.GetDirectoryName(video.HlsPath!)!.Replace('\\', '/') + "/chapters/", chapter.ThumbnailKey, StringComparison.Ordinal);
        }

        Assert.InRange(video.Chapters[^1].End, 59, 61);
        var cues = ParseVtt(await File.ReadAllTextAsync(Path.Combine(bed.StorageRoot, video.ChaptersKey!)));
        Assert.Equal(video.Chapters.Select(c => (Math.Round(c.Start, 3), Math.Round(c.End, 3), c.Title)), cues);
    }

    [Fact]
    public async Task A_camera_lecture_without_slides_gets_at_most_one_chapter()
    {
        var path = Path.Combine(bed.Root, "chapters-camera.mp4");
        Generate(LectureSources.Camera(60, 320, 180, path));
        var (videoId, jobId) = await bed.QueueJobAsync(path);

        using var worker = await WorkerProcess.RunAsync([jobId.ToString()], bed.WorkerEnvironment());

        Assert.True(worker.ExitCode == 0, worker.Output);
        var video = await bed.Video(videoId);
        Assert.Equal(VideoStatus.Ready, video.Status);
        Assert.True(video.Chapters.Count <= 1, $"{video.Chapters.Count} chapters: {string.Join(", ", video.Chapters.Select(c => c.Start))}");
        Assert.Equal(video.Chapters.Count > 0, video.ChaptersKey is not null);
    }

    private void Generate(IReadOnlyList<string> arguments)
    {
        Directory.CreateDirectory(bed.Root);
        MediaTools.Run("ffmpeg", arguments);
    }

    /// <summary>A strict reading of the worker's WebVTT: the header, then blank-line separated cues of id, timing and one line of text.</summary>
    private static List<(double Start, double End, string Title)> ParseVtt(string vtt)
    {
        var blocks = vtt.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("WEBVTT", blocks[0].Trim());
        return blocks.Skip(1).Select(block =>
        {
            var lines = block.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(3, lines.Length);
            var timing = lines[1].Split(" --> ");
            return (Time(timing[0]), Time(timing[1]), lines[2]);
        }).ToList();

        static double Time(string text) => Math.Round(TimeSpan.ParseExact(text, @"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture).TotalSeconds, 3);
    }
}
