using Academy.Video.Domain.Media;

namespace Academy.Video.UnitTests.Domain;

/// <summary>The slide change detector on hand-made 64x36 gray frames (docs/encoding.md, Chapters; decision 0020).</summary>
public sealed class SlideChangeTests
{
    private const int Fps = SlideChanges.FramesPerSecond;

    [Fact]
    public void A_new_slide_starts_a_chapter_at_its_first_frame_and_a_pointer_and_a_build_do_not()
    {
        var frames = new List<byte[]>();
        // Slide 1 for 20 s with a pointer (one pixel) moving every frame; a build (a line, 2 % of the picture) at 10 s.
        for (var i = 0; i < 20 * Fps; i++)
        {
            var frame = Slide(seed: 1, lines: i < 10 * Fps ? 3 : 4);
            frame[(i * 7) % SlideChanges.FrameBytes] = 0;
            frames.Add(frame);
        }

        // Slide 2 from 20 s, a cut.
        frames.AddRange(Enumerable.Range(0, 15 * Fps).Select(_ => Slide(seed: 2, lines: 5)));

        Assert.Equal([20.0], SlideChanges.Detect(frames));
    }

    [Fact]
    public void A_picture_that_changes_over_seconds_between_still_stretches_is_not_a_slide_change()
    {
        var frames = new List<byte[]>();
        frames.AddRange(Enumerable.Range(0, 10 * Fps).Select(_ => Person(10)));
        // The lecturer walks for 3 s, then stands again far away.
        frames.AddRange(Enumerable.Range(0, 3 * Fps).Select(i => Person(10 + (i * 3))));
        frames.AddRange(Enumerable.Range(0, 10 * Fps).Select(_ => Person(10 + (3 * Fps * 3))));

        Assert.Empty(SlideChanges.Detect(frames));
    }

    [Fact]
    public void A_slide_shown_under_five_seconds_gives_way_to_the_next()
    {
        var frames = new List<byte[]>();
        frames.AddRange(Enumerable.Range(0, 10 * Fps).Select(_ => Slide(1, 3)));
        frames.AddRange(Enumerable.Range(0, 3 * Fps).Select(_ => Slide(2, 5)));
        frames.AddRange(Enumerable.Range(0, 10 * Fps).Select(_ => Slide(3, 2)));

        Assert.Equal([13.0], SlideChanges.Detect(frames));
    }

    [Fact]
    public void Chapters_run_from_zero_to_the_end_titled_by_number_and_render_as_a_webvtt_chapters_track()
    {
        var chapters = VideoChapter.FromChanges([20, 61.5], 90.25, i => $"chapters/{i + 1:D4}.jpg");

        Assert.Equal(
            [new VideoChapter(0, 20, "Slide 1", "chapters/0001.jpg", false), new VideoChapter(20, 61.5, "Slide 2", "chapters/0002.jpg", false), new VideoChapter(61.5, 90.25, "Slide 3", "chapters/0003.jpg", false)],
            chapters);
        Assert.Equal(
            "WEBVTT\n\n1\n00:00:00.000 --> 00:00:20.000\nSlide 1\n\n2\n00:00:20.000 --> 00:01:01.500\nSlide 2\n\n3\n00:01:01.500 --> 00:01:30.250\nSlide 3\n",
            VideoChapter.RenderVtt(chapters));
        Assert.Empty(VideoChapter.FromChanges([], 90, _ => null));
    }

    [Fact]
    public void A_persons_list_keeps_thumbnails_by_start_marks_new_titles_named_and_is_refused_with_a_code_per_rule()
    {
        var existing = VideoChapter.FromChanges([20, 60], 90, i => $"t{i}");

        var (chapters, error, _) = VideoChapter.Replace(existing, [(0, "Intro"), (20, "Slide 2"), (40, " Added ")], 90);

        Assert.Null(error);
        Assert.Equal(
            [new VideoChapter(0, 20, "Intro", "t0", true), new VideoChapter(20, 40, "Slide 2", "t1", false), new VideoChapter(40, 90, "Added", null, true)],
            chapters);
        Assert.Equal(ChapterErrors.NotAscending, VideoChapter.Replace(existing, [(10, "a"), (10, "b")], 90).Error);
        Assert.Equal(ChapterErrors.StartOutOfRange, VideoChapter.Replace(existing, [(90, "a")], 90).Error);
        Assert.Equal(ChapterErrors.StartOutOfRange, VideoChapter.Replace(existing, [(double.NaN, "a")], 90).Error);
        Assert.Equal(ChapterErrors.TitleInvalid, VideoChapter.Replace(existing, [(0, "two\nlines")], 90).Error);
        Assert.Equal(ChapterErrors.TitleInvalid, VideoChapter.Replace(existing, [(0, null)], 90).Error);
        Assert.Equal(ChapterErrors.TooMany, VideoChapter.Replace(existing, Enumerable.Range(0, 501).Select(i => (i * 0.1, (string?)"c")).ToList(), 90).Error);
    }

    /// <summary>A white slide with a dark title band that depends on <paramref name="seed"/> and <paramref name="lines"/> text lines.</summary>
    private static byte[] Slide(int seed, int lines)
    {
        var frame = Enumerable.Repeat((byte)250, SlideChanges.FrameBytes).ToArray();
        var titleWidth = 20 + (seed * 9 % 40);
        Fill(frame, 0, 6, 0, SlideChanges.Width, 40);
        Fill(frame, 2, 4, 4, 4 + titleWidth, 230);
        for (var line = 0; line < lines; line++)
        {
            var length = 20 + ((seed * 13) + (line * 17)) % 36;
            Fill(frame, 9 + (line * 5), 11 + (line * 5), 4, 4 + length, 120);
        }

        return frame;
    }

    /// <summary>A gray room with a dark 10x20 figure at <paramref name="x"/>.</summary>
    private static byte[] Person(int x)
    {
        var frame = Enumerable.Repeat((byte)120, SlideChanges.FrameBytes).ToArray();
        Fill(frame, 10, 30, x, x + 10, 20);
        return frame;
    }

    private static void Fill(byte[] frame, int top, int bottom, int left, int right, byte value)
    {
        for (var y = top; y < Math.Min(bottom, SlideChanges.Height); y++)
        {
            for (var x = left; x < Math.Min(right, SlideChanges.Width); x++)
            {
                frame[(y * SlideChanges.Width) + x] = value;
            }
        }
    }
}
