using Academy.Video.Domain.Captions;
using Academy.Video.Domain.Media;
using Academy.Video.Infrastructure.Transcoding;

namespace Academy.Video.UnitTests.Transcoding;

public sealed class HlsMasterPlaylistTests
{
    private static readonly IReadOnlyList<MasterVariant> Video =
    [
        new(new Rendition("720p", 1280, 720, 2800, 128), "720p/index.m3u8", "avc1.64001f", new MeasuredRate(2_000_000, 1_500_000)),
        new(new Rendition("360p", 640, 360, 800, 96), "360p/index.m3u8", "avc1.4d401e", new MeasuredRate(600_000, 400_000)),
    ];

    [Fact]
    public void With_audio_the_audio_only_variant_comes_last_at_the_audio_renditions_own_measured_rate()
    {
        var master = HlsMasterPlaylist.Render(Video, ("audio/index.m3u8", new MeasuredRate(140_000, 130_000)), 30);

        var lines = master.Split('\n');
        var variants = lines.Select((l, i) => (l, i)).Where(x => x.l.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal)).ToList();
        Assert.Equal(["720p/index.m3u8", "360p/index.m3u8", "audio/index.m3u8"], variants.Select(v => lines[v.i + 1]));
        Assert.Equal("#EXT-X-STREAM-INF:BANDWIDTH=140000,AVERAGE-BANDWIDTH=130000,CODECS=\"mp4a.40.2\"", variants[^1].l);
        // The video variants still carry the audio's rates on top of their own and name the audio group.
        Assert.StartsWith("#EXT-X-STREAM-INF:BANDWIDTH=740000,AVERAGE-BANDWIDTH=530000,RESOLUTION=640x360,", variants[1].l, StringComparison.Ordinal);
        Assert.EndsWith("CODECS=\"avc1.4d401e,mp4a.40.2\",AUDIO=\"audio\"", variants[1].l, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_audio_there_is_no_audio_only_variant()
    {
        var master = HlsMasterPlaylist.Render(Video, null, 30);

        Assert.Equal(2, master.Split('\n').Count(l => l.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal)));
        Assert.DoesNotContain("mp4a", master, StringComparison.Ordinal);
        Assert.DoesNotContain("audio/", master, StringComparison.Ordinal);
    }

    [Fact]
    public void A_caption_republish_keeps_the_audio_only_variant_and_times_captions_on_the_lowest_video_variant()
    {
        var master = HlsMasterPlaylist.Render(Video, ("audio/index.m3u8", new MeasuredRate(140_000, 130_000)), 30);

        var rewritten = SubtitlePlaylists.RewriteMaster(master, [new SubtitleRendition("en", CaptionKind.Subtitles, "English", "captions/en-subtitles.m3u8")]);

        Assert.Contains("#EXT-X-STREAM-INF:BANDWIDTH=140000,AVERAGE-BANDWIDTH=130000,CODECS=\"mp4a.40.2\",SUBTITLES=\"subs\"\naudio/index.m3u8\n", rewritten, StringComparison.Ordinal);
        Assert.Equal(master, SubtitlePlaylists.RewriteMaster(rewritten, []));
        Assert.Equal("360p/index.m3u8", SubtitlePlaylists.LowestBandwidthVariant(rewritten));
    }
}
