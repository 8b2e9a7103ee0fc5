using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Academy.Video.IntegrationTests.Media;

namespace Academy.Video.Api.Tests.Captions;

/// <summary>Caption tracks on a READY video over real Kestrel, PostgreSQL and the storage folder (docs/api.md, Captions).</summary>
public sealed class CaptionTests(KestrelVideoApiFactory api) : IClassFixture<KestrelVideoApiFactory>
{
    public const string KoreanSrt = "\uFEFF1\r\n00:00:00,500 --> 00:00:01,800\r\n안녕하세요, 여러분\r\n\r\n2\r\n00:00:02,000 --> 00:00:03,500\r\n오늘은 <i>미분</i>을 배웁니다\r\n";

    public const string KoreanVtt = "WEBVTT\n\n00:00:00.500 --> 00:00:01.800\n안녕하세요, 여러분\n\n00:00:02.000 --> 00:00:03.500\n오늘은 <i>미분</i>을 배웁니다\n";

    public const string EnglishVttUpload = "WEBVTT\n\nNOTE made by hand\n\n1\n00:01.000 --> 00:02.000 align:start\n[music]\n\n00:02.500 --> 00:03.900\nToday: derivatives\n";

    public const string EnglishVtt = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000 align:start\n[music]\n\n00:00:02.500 --> 00:00:03.900\nToday: derivatives\n";

    private readonly HttpClient client = api.ClientWithKey();

    [Fact]
    public async Task Tracks_are_published_as_subtitle_renditions_replaced_and_removed_without_touching_the_segments()
    {
        var flow = new VideoFlow(client);
        var videoId = await flow.CreateAndUploadAsync(TestClips.Generate(640, 360, 4));
        await flow.CompleteUploadAsync(videoId);
        var ready = await flow.WaitForStatusAsync(videoId, "READY");
        var masterKey = ready.GetProperty("hlsPath").GetString()!;
        var treeRoot = Path.GetDirectoryName(Path.Combine(api.StorageRoot, masterKey))!;
        var segmentsBefore = TreeOutsideMasterAndCaptions(treeRoot);
        Assert.Contains(segmentsBefore.Keys, k => k.EndsWith(".ts", StringComparison.Ordinal) || k.EndsWith(".m4s", StringComparison.Ordinal));

        var korean = await PostAsync(videoId, KoreanSrt, "ko", "한국어", "subtitles", "lecture.srt");
        Assert.Equal(HttpStatusCode.Created, korean.StatusCode);
        var english = await PostAsync(videoId, EnglishVttUpload, "EN", "English", "captions", "lecture.vtt");
        Assert.Equal(HttpStatusCode.Created, english.StatusCode);
        Assert.Equal("en", (await english.ReadJsonAsync()).GetProperty("language").GetString());

        var master = await GetMasterAsync(ready);
        Assert.Contains("#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"한국어\",LANGUAGE=\"ko\",AUTOSELECT=YES,DEFAULT=NO,URI=\"captions/ko-subtitles.m3u8\"", master, StringComparison.Ordinal);
        Assert.Contains("#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English\",LANGUAGE=\"en\",AUTOSELECT=YES,DEFAULT=NO,", master, StringComparison.Ordinal);
        var variants = master.Split('\n').Where(l => l.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal)).ToList();
        Assert.True(variants.Count >= 2, master);
        Assert.All(variants, v => Assert.Contains("SUBTITLES=\"subs\"", v, StringComparison.Ordinal));

        var video = await flow.GetAsync(videoId);
        var captions = video.GetProperty("captions").EnumerateArray().ToList();
        Assert.Equal(["en/captions/English", "ko/subtitles/한국어"], captions.Select(c => $"{c.GetProperty("language").GetString()}/{c.GetProperty("kind").GetString()}/{c.GetProperty("label").GetString()}"));
        // The header maps cue time 0 to the start of the video's timeline: the first video segment's start PTS as ffprobe reads it.
        var startPts = FirstSegmentStartPts(Path.Combine(api.StorageRoot, masterKey));
        Assert.InRange(startPts, 1, 10 * 90_000);
        Assert.Equal(KoreanVtt, WithoutMap(await GetTextAsync(Url(captions, "ko"), "text/vtt"), startPts));
        Assert.Equal(EnglishVtt, WithoutMap(await GetTextAsync(Url(captions, "en"), "text/vtt"), startPts));
        var playlist = await GetTextAsync(new Uri(new Uri(ready.GetProperty("playbackUrl").GetString()!), "captions/ko-subtitles.m3u8"), "application/vnd.apple.mpegurl");
        Assert.Contains("#EXT-X-TARGETDURATION:4\n", playlist, StringComparison.Ordinal);
        Assert.Contains("#EXT-X-PLAYLIST-TYPE:VOD\n", playlist, StringComparison.Ordinal);
        Assert.EndsWith("ko-subtitles.vtt\n#EXT-X-ENDLIST\n", playlist, StringComparison.Ordinal);

        // The same language and kind replaces the track; the master still names it once.
        var replaced = await PostAsync(videoId, "WEBVTT\n\n00:00.000 --> 00:01.000\n다시\n", "ko", "한국어 (수정)", "subtitles", "fix.vtt");
        Assert.Equal(HttpStatusCode.Created, replaced.StatusCode);
        master = await GetMasterAsync(ready);
        Assert.Single(master.Split('\n'), l => l.Contains("LANGUAGE=\"ko\"", StringComparison.Ordinal));
        Assert.Contains("NAME=\"한국어 (수정)\"", master, StringComparison.Ordinal);
        Assert.Equal("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n다시\n", WithoutMap(await GetTextAsync(Url((await ListAsync(videoId)).ToList(), "ko"), "text/vtt"), startPts));

        var deleted = await client.DeleteAsync($"/api/v1/videos/{videoId}/captions/en/captions");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        master = await GetMasterAsync(ready);
        Assert.DoesNotContain("LANGUAGE=\"en\"", master, StringComparison.Ordinal);
        Assert.Contains("LANGUAGE=\"ko\"", master, StringComparison.Ordinal);
        Assert.Equal(["ko"], (await ListAsync(videoId)).Select(c => c.GetProperty("language").GetString()));
        Assert.False(File.Exists(Path.Combine(treeRoot, "captions", "en-captions.vtt")));
        var again = await client.DeleteAsync($"/api/v1/videos/{videoId}/captions/en/captions");
        Assert.Equal((HttpStatusCode.NotFound, "CAPTION_NOT_FOUND"), (again.StatusCode, (await again.ReadJsonAsync()).GetProperty("code").GetString()));

        // The last track gone, the master is the transcoded one again: no SUBTITLES left.
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/videos/{videoId}/captions/ko/subtitles")).StatusCode);
        Assert.DoesNotContain("SUBTITLES", await GetMasterAsync(ready), StringComparison.Ordinal);

        Assert.Equal(segmentsBefore, TreeOutsideMasterAndCaptions(treeRoot));
    }

    [Fact]
    public async Task A_broken_file_a_bad_language_and_a_video_not_ready_are_refused_with_their_codes()
    {
        var flow = new VideoFlow(client);
        var videoId = await flow.CreateAndUploadAsync(TestClips.Generate(320, 180, 1));

        var broken = await PostAsync(videoId, "1\n00:00:01,000 --> 00:00:02,000\nFine\n\n2\n00:00:04,000 --> 00:00:03,000\nBackwards\n", "ko", "한국어", "subtitles", "bad.srt");
        var body = await broken.ReadJsonAsync();
        Assert.Equal((HttpStatusCode.BadRequest, "CAPTION_INVALID"), (broken.StatusCode, body.GetProperty("code").GetString()));
        Assert.Contains("Line 6:", body.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var language = await PostAsync(videoId, KoreanSrt, "korean!", "한국어", "subtitles", "a.srt");
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_FAILED"), (language.StatusCode, (await language.ReadJsonAsync()).GetProperty("code").GetString()));
        var kind = await PostAsync(videoId, KoreanSrt, "ko", "한국어", "karaoke", "a.srt");
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_FAILED"), (kind.StatusCode, (await kind.ReadJsonAsync()).GetProperty("code").GetString()));

        var notReady = await PostAsync(videoId, KoreanSrt, "ko", "한국어", "subtitles", "a.srt");
        Assert.Equal((HttpStatusCode.Conflict, "INVALID_VIDEO_STATE"), (notReady.StatusCode, (await notReady.ReadJsonAsync()).GetProperty("code").GetString()));

        var tooLarge = await PostAsync(videoId, "WEBVTT\n\n" + new string('x', 2 * 1024 * 1024), "ko", "한국어", "subtitles", "big.vtt");
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "PAYLOAD_TOO_LARGE"), (tooLarge.StatusCode, (await tooLarge.ReadJsonAsync()).GetProperty("code").GetString()));

        var json = await client.PostAsync($"/api/v1/videos/{videoId}/captions", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);

        using var anonymous = api.CreateClient();
        var noKey = await anonymous.GetAsync($"/api/v1/videos/{videoId}/captions");
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
    }

    /// <summary>The stored .vtt without its X-TIMESTAMP-MAP line, which must be the header's second line and map LOCAL 0 to <paramref name="pts"/> (or any PTS when null).</summary>
    public static string WithoutMap(string stored, long? pts = null)
    {
        var lines = stored.Split('\n').ToList();
        Assert.True(lines.Count > 2, stored);
        var match = System.Text.RegularExpressions.Regex.Match(lines[1], "^X-TIMESTAMP-MAP=MPEGTS:([0-9]+),LOCAL:00:00:00\\.000$");
        Assert.True(match.Success, $"no X-TIMESTAMP-MAP on the header's second line:\n{stored}");
        if (pts is not null)
        {
            Assert.Equal(pts, long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        }

        lines.RemoveAt(1);
        return string.Join('\n', lines);
    }

    /// <summary>ffprobe's start_pts of the first segment of the master's lowest-bandwidth video variant, read from the storage folder.</summary>
    private static long FirstSegmentStartPts(string masterPath)
    {
        var treeRoot = Path.GetDirectoryName(masterPath)!;
        var master = File.ReadAllLines(masterPath);
        var variant = master.Select((line, i) => (line, i)).Where(l => l.line.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal) && l.line.Contains("RESOLUTION=", StringComparison.Ordinal))
            .Select(l => (Bandwidth: long.Parse(System.Text.RegularExpressions.Regex.Match(l.line, "[:,]BANDWIDTH=([0-9]+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), Uri: master[l.i + 1]))
            .MinBy(v => v.Bandwidth).Uri;
        var variantPath = Path.Combine(treeRoot, variant);
        var segment = File.ReadAllLines(variantPath).First(l => l.Length > 0 && !l.StartsWith('#'));
        var start = new System.Diagnostics.ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=start_pts", "-of", "csv=p=0", Path.Combine(Path.GetDirectoryName(variantPath)!, segment)])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return long.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, Guid videoId, string content, string language, string label, string kind, string fileName)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(content));
        file.Headers.ContentType = MediaTypeHeaderValue.Parse("application/octet-stream");
        form.Add(file, "file", fileName);
        form.Add(new StringContent(language), "language");
        form.Add(new StringContent(label), "label");
        form.Add(new StringContent(kind), "kind");
        return await client.PostAsync($"/api/v1/videos/{videoId}/captions", form);
    }

    private Task<HttpResponseMessage> PostAsync(Guid videoId, string content, string language, string label, string kind, string fileName) =>
        PostAsync(client, videoId, content, language, label, kind, fileName);

    private async Task<IEnumerable<JsonElement>> ListAsync(Guid videoId)
    {
        var list = await client.GetAsync($"/api/v1/videos/{videoId}/captions");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        return (await list.ReadJsonAsync()).GetProperty("items").EnumerateArray().ToList();
    }

    private static Uri Url(IEnumerable<JsonElement> captions, string language) =>
        new(captions.Single(c => c.GetProperty("language").GetString() == language).GetProperty("url").GetString()!);

    private Task<string> GetMasterAsync(JsonElement ready) =>
        GetTextAsync(new Uri(ready.GetProperty("playbackUrl").GetString()!), "application/vnd.apple.mpegurl");

    private async Task<string> GetTextAsync(Uri url, string mediaType)
    {
        using var anonymous = api.CreateClient();
        var response = await anonymous.GetAsync(url.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType!.MediaType);
        return Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>Every object of the tree but the master and the captions folder: its bytes' hash and its write time.</summary>
    private static Dictionary<string, string> TreeOutsideMasterAndCaptions(string treeRoot) =>
        Directory.EnumerateFiles(treeRoot, "*", SearchOption.AllDirectories)
            .Select(f => (Path: Path.GetRelativePath(treeRoot, f), File: f))
            .Where(f => f.Path != "master.m3u8" && !f.Path.StartsWith("captions", StringComparison.Ordinal))
            .ToDictionary(
                f => f.Path,
                f => $"{Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f.File)))}@{File.GetLastWriteTimeUtc(f.File):O}");
}
