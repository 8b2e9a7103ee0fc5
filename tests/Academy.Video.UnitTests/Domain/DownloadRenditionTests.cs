using Academy.Video.Domain.Media;
using Academy.Video.Domain.Videos;

namespace Academy.Video.UnitTests.Domain;

public sealed class DownloadRenditionTests
{
    [Theory]
    [InlineData(1920, 1080, "720p", 1280, 720)]
    [InlineData(1080, 1920, "720p", 720, 1280)]
    [InlineData(1280, 720, "720p", 1280, 720)]
    // A fitted 736p top is over 720: the next rung down.
    [InlineData(1308, 736, "480p", 854, 480)]
    [InlineData(854, 480, "480p", 854, 480)]
    [InlineData(320, 180, "180p", 320, 180)]
    public void The_MP4_for_download_is_made_from_the_largest_rung_of_at_most_720p(int width, int height, string name, int outWidth, int outHeight)
    {
        var rendition = HlsLadder.DownloadRendition(HlsLadder.Plan(width, height, HlsLadder.DefaultRungs));

        Assert.Equal((name, outWidth, outHeight), (rendition?.Name, rendition?.Width, rendition?.Height));
    }

    [Theory]
    [InlineData("Week 3: Fourier series / part 1", ".mp4", "Week 3 Fourier series part 1.mp4")]
    [InlineData("선형대수 2강 — 고윳값", ".m4a", "선형대수 2강 고윳값.m4a")]
    [InlineData("../../etc/passwd", ".mp4", "etc passwd.mp4")]
    [InlineData("\"quoted\"\r\nheader: injection", ".mp4", "quoted header injection.mp4")]
    [InlineData("   ", ".mp4", "lecture.mp4")]
    [InlineData("...", ".m4a", "lecture.m4a")]
    public void A_download_is_named_after_the_title_made_safe(string title, string extension, string expected)
    {
        Assert.Equal(expected, DownloadFileName.FromTitle(title, extension));
    }

    [Fact]
    public void A_long_title_is_cut_and_the_header_carries_an_ASCII_name_and_the_UTF8_one()
    {
        Assert.Equal(DownloadFileName.MaxLength + 4, DownloadFileName.FromTitle(new string('a', 300), ".mp4").Length);
        Assert.Equal(
            "attachment; filename=\"__ __ 2_.mp4\"; filename*=UTF-8''%EC%84%A0%ED%98%95%20%EB%8C%80%EC%88%98%202%EA%B0%95.mp4",
            DownloadFileName.ContentDisposition("선형 대수 2강.mp4"));
    }
}
