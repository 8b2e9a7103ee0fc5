using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Academy.Video.IntegrationTests.Media;
using Academy.Video.IntegrationTests.Transcoding;

namespace Academy.Video.Api.Tests.Uploads;

public sealed class LocalSignedPlaybackTests(SignedPlaybackApiFactory api) : SignedPlaybackTests<SignedPlaybackApiFactory>(api)
{
    /// <summary>Locally the media route is the bucket: in signed mode it serves nothing without a valid signature.</summary>
    [Fact]
    public async Task Media_urls_need_a_valid_unexpired_signature_for_their_key()
    {
        var (_, _, segment) = await SignedTreeAsync();
        using var http = new HttpClient();
        var unsigned = new Uri(segment.GetLeftPart(UriPartial.Path));
        var otherKey = new Uri(segment.AbsoluteUri.Replace("seg_00000.ts", "seg_00001.ts", StringComparison.Ordinal));

        var served = await http.GetAsync(segment);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("*", served.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("PLAYBACK_TOKEN_MISSING", await ForbiddenCodeAsync(http, unsigned));
        Assert.Equal("PLAYBACK_TOKEN_INVALID", await ForbiddenCodeAsync(http, otherKey));
        Api.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        Assert.Equal("PLAYBACK_TOKEN_EXPIRED", await ForbiddenCodeAsync(http, segment));
    }

    /// <summary>The MP4 for download plays in a real browser (Debian's Chromium): a plain video element, no player library.</summary>
    [Fact]
    public async Task Chromium_plays_the_MP4_for_download_from_its_link()
    {
        var (first, _) = await ReadyVideosAsync();
        var view = await (await Api.ClientWithKey().GetAsync($"/api/v1/videos/{first}/downloads")).ReadJsonAsync();
        var mp4 = view.GetProperty("downloads")[0].GetProperty("url").GetString()!;
        using var browser = new Console.Browser(Api.BaseUrl);
        // A page of the API's own origin, the media route's: the video element loads the link as any page would.
        browser.Open("/healthz");

        var result = ((OpenQA.Selenium.IJavaScriptExecutor)browser.Driver).ExecuteAsyncScript("""
            const done = arguments[arguments.length - 1];
            const video = document.createElement('video');
            video.muted = true;
            let ready = false;
            video.addEventListener('canplay', () => { ready = true; });
            video.addEventListener('error', () => fetch(arguments[0]).then(
              r => done(`error ${video.error && video.error.code} ${video.error && video.error.message}: GET ${r.status} ${r.headers.get('content-type')}`),
              e => done(`error ${video.error && video.error.code}: GET failed ${e}`)));
            video.addEventListener('timeupdate', () => {
              if (ready && video.currentTime > 1) done(`playing ${video.videoWidth}x${video.videoHeight} ${video.duration.toFixed(1)} s`);
            });
            video.src = arguments[0];
            document.body.appendChild(video);
            video.play().catch(e => done('play refused: ' + e));
            """, mp4);

        Assert.Equal("playing 640x360 4.0 s", result);
    }

    /// <summary>
    /// What hls.js (the console's, console/node_modules) does with the audio-only variant (docs/encoding.md, Audio-only
    /// variant): it keeps only the variants with video, so with its bandwidth estimate far below the lowest video rung it
    /// starts on that rung, never on the sound alone.
    /// </summary>
    [Fact]
    public async Task Hls_js_drops_the_audio_only_variant_and_starts_a_starved_player_on_the_lowest_video_rung()
    {
        var (first, _) = await ReadyVideosAsync();
        var playback = (await (await Api.ClientWithKey().GetAsync($"/api/v1/videos/{first}/playback")).ReadJsonAsync()).GetProperty("url").GetString()!;
        using (var http = new HttpClient())
        {
            var master = await http.GetStringAsync(playback);
            Assert.Contains("CODECS=\"mp4a.40.2\"\naudio/index.m3u8?", master, StringComparison.Ordinal);
        }

        var hlsJs = await File.ReadAllTextAsync(Path.Combine(Academy.Video.Testing.RepositoryLayout.Root, "console", "node_modules", "hls.js", "dist", "hls.min.js"));
        using var browser = new Console.Browser(Api.BaseUrl);
        browser.Open("/healthz");
        browser.Script("const s = document.createElement('script'); s.textContent = arguments[0]; document.head.appendChild(s);", hlsJs);

        var result = (string?)((OpenQA.Selenium.IJavaScriptExecutor)browser.Driver).ExecuteAsyncScript("""
            const done = arguments[arguments.length - 1];
            const video = document.createElement('video');
            video.muted = true;
            document.body.appendChild(video);
            // 20 kbit/s: far below the 240p rung and below the audio-only variant's own bandwidth too.
            const hls = new Hls({ abrEwmaDefaultEstimate: 20000, startPosition: 0, capLevelToPlayerSize: false });
            let parsed = 0;
            hls.on(Hls.Events.MANIFEST_PARSED, (_, data) => { parsed = data.levels.length; });
            hls.on(Hls.Events.FRAG_LOADED, (_, data) => {
              if (data.frag.type !== 'main') return;
              done(JSON.stringify({
                parsed,
                levels: hls.levels.map(l => `${l.height}p ${l.videoCodec || '-'} ${new URL(l.url[0]).pathname.split('/').slice(-2).join('/')}`),
                level: data.frag.level,
              }));
            });
            hls.on(Hls.Events.ERROR, (_, data) => { if (data.fatal) done('fatal ' + data.details); });
            hls.loadSource(arguments[0]);
            hls.attachMedia(video);
            """, playback);

        Assert.True(result is not null && result.StartsWith('{'), result);
        using var json = System.Text.Json.JsonDocument.Parse(result);
        var levels = json.RootElement.GetProperty("levels").EnumerateArray().Select(l => l.GetString()!).ToList();
        Assert.Equal(2, json.RootElement.GetProperty("parsed").GetInt32());
        Assert.Equal(2, levels.Count);
        Assert.All(levels, l => Assert.DoesNotContain("audio/index.m3u8", l, StringComparison.Ordinal));
        Assert.StartsWith("240p avc1.", levels[0], StringComparison.Ordinal);
        Assert.Equal(0, json.RootElement.GetProperty("level").GetInt32());
    }

    /// <summary>Locally a download link is the media route with the file name signed too: another name, or no signature, is refused.</summary>
    protected override void AssertExpiring(Uri url, DateTimeOffset expiresAt)
    {
        var query = System.Web.HttpUtility.ParseQueryString(url.Query);
        Assert.Equal(expiresAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), query["expires"]);
        using var http = new HttpClient();
        var renamed = new Uri(url.AbsoluteUri.Replace("filename=Signed", "filename=Other", StringComparison.Ordinal));
        Assert.NotEqual(url, renamed);
        Assert.Equal("PLAYBACK_TOKEN_INVALID", ForbiddenCodeAsync(http, renamed).GetAwaiter().GetResult());
        var unsigned = new Uri(url.AbsoluteUri[..url.AbsoluteUri.IndexOf("&signature=", StringComparison.Ordinal)]);
        Assert.Equal("PLAYBACK_TOKEN_MISSING", ForbiddenCodeAsync(http, unsigned).GetAwaiter().GetResult());
    }
}

public sealed class S3SignedPlaybackTests(S3SignedPlaybackApiFactory api) : SignedPlaybackTests<S3SignedPlaybackApiFactory>(api)
{
    /// <summary>On S3/R2 the segments are presigned GETs of storage itself (s3rver checks no signature; R2 and S3 do).</summary>
    [Fact]
    public async Task Segments_are_presigned_GET_urls_of_the_bucket_that_expire_with_the_playback_url()
    {
        var (_, playback, segment) = await SignedTreeAsync();

        Assert.StartsWith($"{S3rverStorage.ServiceUrl}/{S3rverStorage.Bucket}/videos/", segment.AbsoluteUri, StringComparison.Ordinal);
        var query = System.Web.HttpUtility.ParseQueryString(segment.Query);
        Assert.False(string.IsNullOrEmpty(query["X-Amz-Signature"]));
        var signedAt = DateTimeOffset.ParseExact(query["X-Amz-Date"]!, "yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
        var expiresAt = signedAt.AddSeconds(int.Parse(query["X-Amz-Expires"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(expiresAt, playback.GetProperty("expiresAt").GetDateTimeOffset().AddSeconds(-5), playback.GetProperty("expiresAt").GetDateTimeOffset().AddSeconds(5));
    }

    /// <summary>A presigned GET of the bucket that expires with the view and asks storage for the attachment header.</summary>
    protected override void AssertExpiring(Uri url, DateTimeOffset expiresAt)
    {
        Assert.StartsWith($"{S3rverStorage.ServiceUrl}/{S3rverStorage.Bucket}/videos/", url.AbsoluteUri, StringComparison.Ordinal);
        var query = System.Web.HttpUtility.ParseQueryString(url.Query);
        Assert.False(string.IsNullOrEmpty(query["X-Amz-Signature"]));
        Assert.StartsWith("attachment;", query["response-content-disposition"], StringComparison.Ordinal);
        var signedAt = DateTimeOffset.ParseExact(query["X-Amz-Date"]!, "yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
        Assert.InRange(signedAt.AddSeconds(int.Parse(query["X-Amz-Expires"]!, System.Globalization.CultureInfo.InvariantCulture)), expiresAt.AddSeconds(-5), expiresAt.AddSeconds(5));
    }
}

/// <summary>
/// <c>Playback:Mode=Signed</c> over real HTTP with the real worker: ffprobe plays the signed URL, and the same
/// URL after it expires, with a changed signature, or for another video is refused with 403 and a code.
/// </summary>
public abstract class SignedPlaybackTests<TFactory>(TFactory api) : IClassFixture<TFactory>
    where TFactory : SignedPlaybackApiFactory
{
    private static readonly SemaphoreSlim Once = new(1, 1);
    private static readonly Dictionary<Type, (Guid First, Guid Second)> Videos = [];

    protected TFactory Api { get; } = api;

    [Fact]
    public async Task Ffprobe_plays_the_signed_url_end_to_end()
    {
        var (first, _) = await ReadyVideosAsync();
        var playback = await PlaybackAsync(first);

        var url = playback.GetProperty("url").GetString()!;
        Assert.StartsWith($"{Api.BaseUrl}/playback/{first}/master.m3u8?expires=", url, StringComparison.Ordinal);
        Assert.InRange(FfprobeDuration(url), 3.5, 4.5);
        var video = await (await Api.ClientWithKey().GetAsync($"/api/v1/videos/{first}")).ReadJsonAsync();
        Assert.Equal(JsonValueKind.Null, video.GetProperty("playbackUrl").ValueKind);
    }

    [Fact]
    public async Task The_signed_url_with_a_changed_signature_for_another_video_without_a_grant_or_after_expiry_is_403()
    {
        var (first, second) = await ReadyVideosAsync();
        var url = new Uri((await PlaybackAsync(first)).GetProperty("url").GetString()!);
        using var http = new HttpClient();
        var changed = new Uri(url.AbsoluteUri[..^1] + (url.AbsoluteUri[^1] == '0' ? '1' : '0'));
        var otherVideo = new Uri(url.AbsoluteUri.Replace(first.ToString(), second.ToString(), StringComparison.Ordinal));

        var master = await http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, master.StatusCode);
        Assert.Equal("application/vnd.apple.mpegurl", master.Content.Headers.ContentType!.MediaType);
        // hls.js in a browser fetches playlists cross-origin, as from a CDN.
        Assert.Equal("*", master.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("PLAYBACK_TOKEN_INVALID", await ForbiddenCodeAsync(http, changed));
        Assert.Equal("PLAYBACK_TOKEN_INVALID", await ForbiddenCodeAsync(http, otherVideo));
        Assert.Equal("PLAYBACK_TOKEN_MISSING", await ForbiddenCodeAsync(http, new Uri(url.GetLeftPart(UriPartial.Path))));
        Api.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        Assert.Equal("PLAYBACK_TOKEN_EXPIRED", await ForbiddenCodeAsync(http, url));
    }

    [Fact]
    public async Task The_poster_and_storyboard_are_signed_and_the_storyboard_index_names_a_signed_sprite_tile_by_tile()
    {
        var (first, _) = await ReadyVideosAsync();
        var video = await (await Api.ClientWithKey().GetAsync($"/api/v1/videos/{first}")).ReadJsonAsync();
        var playback = await PlaybackAsync(first);
        using var http = new HttpClient();

        var storyboardUrl = new Uri(video.GetProperty("storyboardUrl").GetString()!);
        Assert.StartsWith($"{Api.BaseUrl}/playback/{first}/storyboard.vtt?expires=", storyboardUrl.AbsoluteUri, StringComparison.Ordinal);
        Assert.StartsWith($"{Api.BaseUrl}/playback/{first}/storyboard.vtt?expires=", playback.GetProperty("storyboardUrl").GetString(), StringComparison.Ordinal);
        var poster = await http.GetAsync(video.GetProperty("posterUrl").GetString());
        Assert.Equal((HttpStatusCode.OK, (byte)0xFF, (byte)0xD8), (poster.StatusCode, (await poster.Content.ReadAsByteArrayAsync())[0], (await poster.Content.ReadAsByteArrayAsync())[1]));

        var index = await http.GetAsync(storyboardUrl);
        Assert.Equal((HttpStatusCode.OK, "text/vtt"), (index.StatusCode, index.Content.Headers.ContentType!.MediaType));
        var images = (await index.Content.ReadAsStringAsync()).Split('\n').Where(l => l.Contains("#xywh=", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(images);
        Assert.All(images, line => Assert.Matches(@"^https?://\S+storyboard\.jpg\?\S+#xywh=\d+,\d+,\d+,\d+$", line));
        var sprite = await http.GetAsync(images[0].Split('#')[0]);
        Assert.Equal((HttpStatusCode.OK, (byte)0xFF, (byte)0xD8), (sprite.StatusCode, (await sprite.Content.ReadAsByteArrayAsync())[0], (await sprite.Content.ReadAsByteArrayAsync())[1]));

        var changed = new Uri(storyboardUrl.AbsoluteUri[..^1] + (storyboardUrl.AbsoluteUri[^1] == '0' ? '1' : '0'));
        Assert.Equal("PLAYBACK_TOKEN_INVALID", await ForbiddenCodeAsync(http, changed));
    }

    [Fact]
    public async Task The_downloads_are_an_H264_AAC_faststart_MP4_and_an_AAC_M4A_behind_expiring_signed_links_saved_under_the_title()
    {
        var (first, _) = await ReadyVideosAsync();
        var before = Api.Clock.GetUtcNow();

        var response = await Api.ClientWithKey().GetAsync($"/api/v1/videos/{first}/downloads");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var view = await response.ReadJsonAsync();
        Assert.InRange(view.GetProperty("expiresAt").GetDateTimeOffset(), before.AddHours(1).AddSeconds(-2), before.AddHours(1).AddSeconds(2));
        var links = view.GetProperty("downloads").EnumerateArray().ToList();
        Assert.Equal(["mp4", "m4a"], links.Select(l => l.GetProperty("format").GetString()));
        Assert.Equal(["Signed lecture.mp4", "Signed lecture.m4a"], links.Select(l => l.GetProperty("fileName").GetString()));
        Assert.Equal(["video/mp4", "audio/mp4"], links.Select(l => l.GetProperty("contentType").GetString()));
        using var http = new HttpClient();
        var files = new List<string>();
        foreach (var link in links)
        {
            var url = new Uri(link.GetProperty("url").GetString()!);
            var file = await http.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, file.StatusCode);
            Assert.Equal(link.GetProperty("contentType").GetString(), file.Content.Headers.ContentType!.MediaType);
            var disposition = file.Content.Headers.ContentDisposition!;
            Assert.Equal(("attachment", link.GetProperty("fileName").GetString()), (disposition.DispositionType, disposition.FileNameStar));
            var bytes = await file.Content.ReadAsByteArrayAsync();
            Assert.Equal(link.GetProperty("sizeBytes").GetInt64(), bytes.LongLength);
            var path = Path.Combine(Path.GetTempPath(), $"download-{Guid.NewGuid():N}{Path.GetExtension(link.GetProperty("fileName").GetString())}");
            await File.WriteAllBytesAsync(path, bytes);
            files.Add(path);
            AssertExpiring(url, view.GetProperty("expiresAt").GetDateTimeOffset());
        }

        DownloadAssert.Mp4(files[0], 640, 360, 4, withAudio: true);
        DownloadAssert.M4a(files[1], 4);
        files.ForEach(File.Delete);
    }

    /// <summary>How the link carries its expiry: the signed media route's own, or a presigned GET's.</summary>
    protected abstract void AssertExpiring(Uri url, DateTimeOffset expiresAt);

    [Fact]
    public async Task Downloads_of_a_video_that_is_not_READY_or_unknown_are_409_and_404_with_their_codes()
    {
        var client = new UploadingClient(Api.ClientWithKey());
        var uploading = await client.CreateAndUploadAsync(TestClips.Generate(320, 240, 2));

        var notReady = await Api.ClientWithKey().GetAsync($"/api/v1/videos/{uploading}/downloads");
        var unknown = await Api.ClientWithKey().GetAsync($"/api/v1/videos/{Guid.NewGuid()}/downloads");

        Assert.Equal((HttpStatusCode.Conflict, "VIDEO_NOT_READY"), (notReady.StatusCode, (await notReady.ReadJsonAsync()).GetProperty("code").GetString()));
        Assert.Equal((HttpStatusCode.NotFound, "VIDEO_NOT_FOUND"), (unknown.StatusCode, (await unknown.ReadJsonAsync()).GetProperty("code").GetString()));
    }

    /// <summary>A fresh playback URL, the variant playlist it leads to, and that variant's first segment URL.</summary>
    protected async Task<(Uri Master, JsonElement Playback, Uri Segment)> SignedTreeAsync()
    {
        var (first, _) = await ReadyVideosAsync();
        var playback = await PlaybackAsync(first);
        var master = new Uri(playback.GetProperty("url").GetString()!);
        using var http = new HttpClient();
        var masterText = await http.GetStringAsync(master);
        var variant = new Uri(master, masterText.Split('\n').First(line => line.Length > 0 && line[0] != '#'));
        var variantText = await http.GetStringAsync(variant);
        Assert.Contains("seg_00000.ts?", variantText, StringComparison.Ordinal);
        var segment = new Uri(variant, variantText.Split('\n').First(line => line.Contains("seg_00000.ts", StringComparison.Ordinal)));
        return (master, playback, segment);
    }

    protected static async Task<string?> ForbiddenCodeAsync(HttpClient http, Uri url)
    {
        var response = await http.GetAsync(url);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("code").GetString();
    }

    private async Task<JsonElement> PlaybackAsync(Guid videoId)
    {
        var response = await Api.ClientWithKey().GetAsync($"/api/v1/videos/{videoId}/playback");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    /// <summary>Two READY videos per factory, made once: a real upload, the real worker, the real ladder.</summary>
    protected async Task<(Guid First, Guid Second)> ReadyVideosAsync()
    {
        await Once.WaitAsync();
        try
        {
            if (!Videos.TryGetValue(typeof(TFactory), out var videos))
            {
                var client = new UploadingClient(Api.ClientWithKey());
                var flow = new VideoFlow(Api.ClientWithKey());
                var first = await client.CreateAndUploadAsync(TestClips.Generate(640, 360, 4), title: "Signed lecture");
                var second = await client.CreateAndUploadAsync(TestClips.Generate(320, 240, 2));
                Assert.Equal(HttpStatusCode.Accepted, (await client.CompleteAsync(first)).StatusCode);
                Assert.Equal(HttpStatusCode.Accepted, (await client.CompleteAsync(second)).StatusCode);
                await flow.WaitForStatusAsync(first, "READY", TimeSpan.FromMinutes(3));
                await flow.WaitForStatusAsync(second, "READY", TimeSpan.FromMinutes(3));
                videos = (first, second);
                Videos[typeof(TFactory)] = videos;
            }

            return videos;
        }
        finally
        {
            Once.Release();
        }
    }

    private static double FfprobeDuration(string url)
    {
        var start = new ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["-v", "error", "-show_entries", "format=duration", "-of", "default=noprint_wrappers=1:nokey=1", url])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "ffprobe did not finish");
        Assert.True(process.ExitCode == 0, $"ffprobe could not play {url}: {stderr.Result}");
        return double.Parse(stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
