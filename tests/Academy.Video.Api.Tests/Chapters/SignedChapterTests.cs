using System.Net;
using System.Text;
using Academy.Video.Api.Tests.Uploads;
using Academy.Video.IntegrationTests.Media;
using Academy.Video.Testing;

namespace Academy.Video.Api.Tests.Chapters;

/// <summary>In Signed mode the chapter thumbnails and the chapters track are signed, expiring download URLs, like the poster.</summary>
public sealed class SignedChapterTests(SignedPlaybackApiFactory api) : IClassFixture<SignedPlaybackApiFactory>
{
    [Fact]
    public async Task The_thumbnails_and_the_track_are_signed_and_refused_without_their_signature()
    {
        var client = api.ClientWithKey();
        var path = Path.Combine(api.Root, "chapters-signed.mp4");
        Directory.CreateDirectory(api.Root);
        TestClips.Ffmpeg(LectureSources.Slides(3, 24, 320, 180, path).Arguments);
        var flow = new VideoFlow(client);
        var videoId = await flow.CreateAndUploadAsync(path);
        await flow.CompleteUploadAsync(videoId);
        var ready = await flow.WaitForStatusAsync(videoId, "READY", TimeSpan.FromMinutes(3));

        var chapters = ready.GetProperty("chapters").EnumerateArray().ToList();
        Assert.Equal(3, chapters.Count);
        using var http = new HttpClient();
        foreach (var url in chapters.Select(c => c.GetProperty("thumbnailUrl").GetString()!).Append(ready.GetProperty("chaptersUrl").GetString()!))
        {
            Assert.Contains("signature=", url, StringComparison.OrdinalIgnoreCase);
            var signed = await http.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync(new Uri(url).GetLeftPart(UriPartial.Path))).StatusCode);
        }

        var track = Encoding.UTF8.GetString(await http.GetByteArrayAsync(ready.GetProperty("chaptersUrl").GetString()!));
        Assert.StartsWith("WEBVTT\n", track, StringComparison.Ordinal);
        Assert.Contains("\nSlide 3\n", track, StringComparison.Ordinal);
    }
}
