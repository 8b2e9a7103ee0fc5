using Academy.Video.Domain.Media;
using Academy.Video.Domain.Videos;
using static Academy.Video.UnitTests.Domain.Jobs;

namespace Academy.Video.UnitTests.Domain;

public sealed class UploadPlanTests
{
    private const long MiB = 1024 * 1024;
    private const long Threshold = 64 * MiB;

    [Theory]
    [InlineData(1, false)]
    [InlineData(64 * MiB - 1, false)]
    [InlineData(64 * MiB, true)]
    public void Sources_at_or_above_the_threshold_go_up_in_parts(long size, bool multipart) =>
        Assert.Equal(multipart, UploadPlan.For(size, Threshold).IsMultipart);

    [Fact]
    public void A_200_MB_source_is_12_parts_of_16_MiB_the_last_one_smaller()
    {
        var plan = UploadPlan.For(200_000_000, Threshold);

        Assert.Equal((16 * MiB, 12), (plan.PartSizeBytes, plan.PartCount));
        Assert.Equal(200_000_000 - (11 * 16 * MiB), plan.SizeOfPart(12));
        Assert.Equal(200_000_000, plan.Parts().Sum(part => part.SizeBytes));
    }

    [Theory]
    [InlineData(64L * 1024 * 1024)]
    [InlineData(20L * 1024 * 1024 * 1024)]
    [InlineData(200L * 1024 * 1024 * 1024)]
    [InlineData(5L * 1024 * 1024 * 1024 * 1024)]
    public void Every_plan_keeps_to_S3s_limits(long size)
    {
        var plan = UploadPlan.For(size, Threshold);

        Assert.InRange(plan.PartCount, 1, UploadPlan.MaxParts);
        Assert.InRange(plan.PartSizeBytes!.Value, UploadPlan.MinPartSizeBytes, UploadPlan.MaxPartSizeBytes);
        Assert.Equal(0, plan.PartSizeBytes.Value % MiB);
        Assert.Equal(size, plan.Parts().Sum(part => part.SizeBytes));
    }

    [Fact]
    public void The_check_names_missing_wrong_sized_and_unexpected_parts()
    {
        var plan = UploadPlan.Multipart(40 * MiB, 16 * MiB);

        var check = plan.Check([(1, 16 * MiB), (3, 7 * MiB), (4, 1)]);
        var complete = plan.Check([(1, 16 * MiB), (2, 16 * MiB), (3, 8 * MiB)]);

        Assert.Equal([2], check.Missing);
        Assert.Equal([3], check.WrongSize);
        Assert.Equal([4], check.Unexpected);
        Assert.False(check.IsComplete);
        Assert.True(complete.IsComplete);
    }
}

public sealed class UploadExpiryTests
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(24);

    private static LectureVideo Fresh() => LectureVideo.Create(Guid.NewGuid(), "Lecture", "week1.mp4", "video/mp4", T0);

    [Fact]
    public void An_upload_expires_when_its_window_closes_and_not_a_tick_before()
    {
        var video = Fresh();

        Assert.Null(video.ExpireUpload(Window, T0 + Window - TimeSpan.FromTicks(1)));
        Assert.Equal(new VideoChange(video.Id, VideoStatus.PendingUpload, VideoStatus.Expired, T0 + Window), video.ExpireUpload(Window, T0 + Window));
        Assert.Equal(T0 + Window, video.UploadExpiresAt(Window));
    }

    [Theory]
    [InlineData(VideoStatus.Uploaded)]
    [InlineData(VideoStatus.Ready)]
    [InlineData(VideoStatus.Deleting)]
    [InlineData(VideoStatus.Expired)]
    public void Only_a_video_still_uploading_expires(VideoStatus status) =>
        Assert.Null((Fresh() with { Status = status }).ExpireUpload(Window, T0 + (2 * Window)));

    [Fact]
    public void An_EXPIRED_video_cannot_be_retried_but_can_be_deleted()
    {
        var expired = Fresh() with { Status = VideoStatus.Expired };

        Assert.Throws<InvalidVideoTransitionException>(() => expired.Retry(Guid.NewGuid(), T0));
        Assert.Equal(VideoStatus.Deleting, expired.Delete(T0)!.ToStatus);
        Assert.Equal("EXPIRED", VideoStatus.Expired.ToWire());
    }
}

public sealed class HlsPlaylistTests
{
    private const string Master = """
        #EXTM3U
        #EXT-X-VERSION:3
        #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="en",URI="audio/index.m3u8"
        #EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360
        360p/index.m3u8

        #EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=426x240
        240p/index.m3u8
        """;

    [Fact]
    public void Every_uri_line_and_URI_attribute_is_rewritten_and_nothing_else()
    {
        var rewritten = HlsPlaylist.RewriteUris(Master, uri => $"https://cdn.test/{uri}?t=1");

        Assert.Equal(Master
            .Replace("URI=\"audio/index.m3u8\"", "URI=\"https://cdn.test/audio/index.m3u8?t=1\"", StringComparison.Ordinal)
            .Replace("\n360p/index.m3u8", "\nhttps://cdn.test/360p/index.m3u8?t=1", StringComparison.Ordinal)
            .Replace("\n240p/index.m3u8", "\nhttps://cdn.test/240p/index.m3u8?t=1", StringComparison.Ordinal), rewritten);
    }

    [Fact]
    public void A_media_playlist_keeps_its_tags_and_crlf_line_ends()
    {
        const string media = "#EXTM3U\r\n#EXT-X-MAP:URI=\"init.mp4\"\r\n#EXTINF:6.0,\r\nseg_000.ts\r\n#EXT-X-ENDLIST\r\n";

        var rewritten = HlsPlaylist.RewriteUris(media, uri => uri.ToUpperInvariant());

        Assert.Equal("#EXTM3U\r\n#EXT-X-MAP:URI=\"INIT.MP4\"\r\n#EXTINF:6.0,\r\nSEG_000.TS\r\n#EXT-X-ENDLIST\r\n", rewritten);
    }

    [Theory]
    [InlineData("master.m3u8", "360p/index.m3u8", "360p/index.m3u8")]
    [InlineData("360p/index.m3u8", "seg_000.ts", "360p/seg_000.ts")]
    [InlineData("360p/index.m3u8", "../240p/seg_000.ts", "240p/seg_000.ts")]
    [InlineData("360p/index.m3u8", "../../secret.mp4", null)]
    [InlineData("master.m3u8", "https://elsewhere.test/a.ts", null)]
    [InlineData("master.m3u8", "/media/a.ts", null)]
    [InlineData("master.m3u8", "a.ts?x=1", null)]
    public void Relative_uris_resolve_inside_the_tree_only(string playlist, string uri, string? expected) =>
        Assert.Equal(expected, HlsPlaylist.ResolveRelative(playlist, uri));
}
