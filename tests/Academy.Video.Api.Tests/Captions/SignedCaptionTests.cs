using System.Net;
using System.Text;
using Academy.Video.Api.Tests.Uploads;
using Academy.Video.IntegrationTests.Media;

namespace Academy.Video.Api.Tests.Captions;

/// <summary>In Signed mode the subtitle playlists and WebVTT files are reached only through signed, expiring URLs, like the rungs.</summary>
public sealed class SignedCaptionTests(SignedPlaybackApiFactory api) : IClassFixture<SignedPlaybackApiFactory>
{
    [Fact]
    public async Task The_signed_master_leads_to_a_signed_subtitle_playlist_and_a_signed_vtt_and_the_video_lists_a_signed_url()
    {
        var client = api.ClientWithKey();
        var flow = new VideoFlow(client);
        var videoId = await flow.CreateAndUploadAsync(TestClips.Generate(320, 240, 2));
        await flow.CompleteUploadAsync(videoId);
        await flow.WaitForStatusAsync(videoId, "READY", TimeSpan.FromMinutes(3));
        Assert.Equal(HttpStatusCode.Created, (await CaptionTests.PostAsync(client, videoId, CaptionTests.KoreanSrt, "ko", "한국어", "subtitles", "ko.srt")).StatusCode);

        var playback = await (await client.GetAsync($"/api/v1/videos/{videoId}/playback")).ReadJsonAsync();
        var master = new Uri(playback.GetProperty("url").GetString()!);
        using var http = new HttpClient();
        var masterText = await http.GetStringAsync(master);
        var mediaLine = masterText.Split('\n').Single(l => l.StartsWith("#EXT-X-MEDIA:TYPE=SUBTITLES", StringComparison.Ordinal));
        var playlistUri = mediaLine[(mediaLine.IndexOf("URI=\"", StringComparison.Ordinal) + 5)..^1];
        Assert.StartsWith("captions/ko-subtitles.m3u8?expires=", playlistUri, StringComparison.Ordinal);

        var playlist = new Uri(master, playlistUri);
        var playlistText = await http.GetStringAsync(playlist);
        var vttLine = playlistText.Split('\n').Single(l => l.Contains("ko-subtitles.vtt", StringComparison.Ordinal));
        Assert.StartsWith("http", vttLine, StringComparison.Ordinal);
        Assert.Equal(CaptionTests.KoreanVtt, CaptionTests.WithoutMap(Encoding.UTF8.GetString(await http.GetByteArrayAsync(vttLine))));

        var unsignedPlaylist = await http.GetAsync(playlist.GetLeftPart(UriPartial.Path));
        Assert.Equal(HttpStatusCode.Forbidden, unsignedPlaylist.StatusCode);
        var unsignedVtt = await http.GetAsync(new Uri(vttLine).GetLeftPart(UriPartial.Path));
        Assert.Equal(HttpStatusCode.Forbidden, unsignedVtt.StatusCode);

        var video = await flow.GetAsync(videoId);
        var url = video.GetProperty("captions").EnumerateArray().Single().GetProperty("url").GetString()!;
        Assert.Contains("signature=", url, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(CaptionTests.KoreanVtt, CaptionTests.WithoutMap(Encoding.UTF8.GetString(await http.GetByteArrayAsync(url))));
    }
}
