using System.Text;
using Academy.Video.Application.Captions;
using Academy.Video.Application.Playback;
using Academy.Video.Domain.Captions;
using Academy.Video.Domain.Videos;
using Academy.Video.UnitTests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NSubstitute;

namespace Academy.Video.UnitTests.Application;

/// <summary>The track's .vtt carries the map when the first segment is read, and is written without it otherwise (docs/api.md, Captions).</summary>
public sealed class CaptionTimestampMapTests
{
    private const string Root = "videos/v/hls/a1/";

    private static readonly CaptionTrackFile Track = CaptionTrackFile.Parse(Encoding.UTF8.GetBytes("WEBVTT\n\n00:04.000 --> 00:07.000\n오늘은\n"));

    private static byte[] Segment(long pts)
    {
        var packet = new byte[188];
        packet[0] = 0x47;
        packet[1] = 0x41;
        packet[3] = 0x10;
        byte[] pes = [0, 0, 1, 0xE0, 0, 0, 0x80, 0x80, 5,
            (byte)(0x21 | ((pts >> 29) & 0x0E)), (byte)(pts >> 22), (byte)(0x01 | ((pts >> 14) & 0xFE)), (byte)(pts >> 7), (byte)(0x01 | ((pts << 1) & 0xFE))];
        pes.CopyTo(packet, 4);
        return packet;
    }

    private static async Task<string> PublishAsync(InMemoryObjectStorage storage)
    {
        var objects = Substitute.For<IPublishedTextObjects>();
        var urls = new PlaybackUrls(storage, Options.Create(new PlaybackOptions()));
        var publisher = new CaptionPublisher(Substitute.For<ICaptionTrackStore>(), storage, objects, urls, NullLogger<CaptionPublisher>.Instance);
        var video = LectureVideo.Create(Guid.NewGuid(), "t", "a.mp4", "video/mp4", DateTimeOffset.UnixEpoch) with { HlsPath = Root + "master.m3u8" };
        var written = await publisher.WriteTrackAsync(video, Root + "captions/ko-subtitles.vtt", Track, CancellationToken.None);
        await objects.Received(1).WriteTextAsync(Root + "captions/ko-subtitles.vtt", written, "text/vtt", Arg.Any<CancellationToken>());
        return written;
    }

    private static InMemoryObjectStorage Tree(byte[] lowSegment)
    {
        var storage = new InMemoryObjectStorage(TimeProvider.System);
        storage.Put(Root + "master.m3u8", Encoding.UTF8.GetBytes(
            "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=2000000\nv1/index.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=500000\nv0/index.m3u8\n"));
        storage.Put(Root + "v0/index.m3u8", Encoding.UTF8.GetBytes("#EXTM3U\n#EXTINF:6.0,\nseg_00000.ts\n#EXTINF:6.0,\nseg_00001.ts\n"));
        storage.Put(Root + "v1/index.m3u8", Encoding.UTF8.GetBytes("#EXTM3U\n#EXTINF:6.0,\nseg_00000.ts\n"));
        storage.Put(Root + "v0/seg_00000.ts", lowSegment);
        storage.Put(Root + "v0/seg_00001.ts", Segment(999_999));
        storage.Put(Root + "v1/seg_00000.ts", Segment(555_555));
        return storage;
    }

    [Fact]
    public async Task The_map_is_the_lowest_bandwidth_variants_first_segment_start()
    {
        Assert.Equal("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:126000,LOCAL:00:00:00.000\n\n00:00:04.000 --> 00:00:07.000\n오늘은\n",
            await PublishAsync(Tree([.. Segment(129_600), .. Segment(126_000)])));
    }

    [Fact]
    public async Task A_segment_that_is_not_MPEG_TS_or_missing_publishes_the_track_without_the_map()
    {
        Assert.Equal(Track.ToWebVtt(), await PublishAsync(Tree(Encoding.ASCII.GetBytes(new string('x', 400)))));
        var missing = Tree(Segment(1));
        missing.Put(Root + "v0/index.m3u8", Encoding.UTF8.GetBytes("#EXTM3U\n#EXTINF:6.0,\nseg_gone.ts\n"));
        Assert.Equal(Track.ToWebVtt(), await PublishAsync(missing));
    }
}
