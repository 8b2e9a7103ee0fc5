using System.Net;
using System.Text.Json;
using Academy.Video.IntegrationTests.Media;

namespace Academy.Video.Api.Tests.Captions;

/// <summary>
/// Transcripts and search over uploaded caption cues, over real Kestrel, PostgreSQL, storage and worker processes
/// (docs/api.md, Transcripts and search; docs/webhooks.md for the caption events).
/// </summary>
public sealed class TranscriptTests(KestrelVideoApiFactory api) : IClassFixture<KestrelVideoApiFactory>
{
    // 41:10 is 2470 s; the particle is written onto the noun (적분을), which a search for 적분 must still find.
    private const string KoreanSrt = "1\r\n00:00:01,000 --> 00:00:03,500\r\n오늘은 <i>미분</i>을 배웁니다\r\n\r\n"
                                     + "2\r\n00:41:10,000 --> 00:41:14,250\r\n이제 <b>적분</b>을 정리합니다\r\n\r\n"
                                     + "3\r\n01:02:03,000 --> 01:02:05,000\r\n적분 기호\r\n";

    private const string EnglishVtt = "WEBVTT\n\n00:00.500 --> 00:02.000\nToday: derivatives\n\n"
                                      + "41:10.000 --> 41:14.250\nNow the <i>integral</i>,\nstep by step &amp; slowly\n";

    private readonly HttpClient client = api.ClientWithKey();

    [Fact]
    public async Task Korean_and_English_tracks_become_a_transcript_search_finds_the_moment_ranks_and_pages_and_caption_ready_is_recorded()
    {
        var flow = new VideoFlow(client);
        var ids = new List<Guid>();
        foreach (var title in new[] { "Calculus 1", "Calculus 2", "Calculus 3" })
        {
            var id = await flow.CreateAndUploadAsync(TestClips.Generate(320, 180, 1), title);
            await flow.CompleteUploadAsync(id);
            ids.Add(id);
        }

        foreach (var id in ids)
        {
            await flow.WaitForStatusAsync(id, "READY");
        }

        var lecture = ids[0];
        Assert.Equal(HttpStatusCode.Created, (await CaptionTests.PostAsync(client, lecture, KoreanSrt, "ko", "한국어", "subtitles", "l.srt")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await CaptionTests.PostAsync(client, lecture, EnglishVtt, "en", "English", "captions", "l.vtt")).StatusCode);

        var transcript = await GetOkAsync($"/api/v1/videos/{lecture}/transcript");
        Assert.Equal(lecture.ToString(), transcript.GetProperty("videoId").GetString());
        Assert.Equal(
            [
                "0.5-2 en/captions Today: derivatives",
                "1-3.5 ko/subtitles 오늘은 미분을 배웁니다",
                "2470-2474.25 en/captions Now the integral, step by step & slowly",
                "2470-2474.25 ko/subtitles 이제 적분을 정리합니다",
                "3723-3725 ko/subtitles 적분 기호",
            ],
            Cues(transcript));
        Assert.Equal(["1-3.5 ko/subtitles 오늘은 미분을 배웁니다"], Cues(await GetOkAsync($"/api/v1/videos/{lecture}/transcript?q={Uri.EscapeDataString("미분을")}&language=KO")));
        Assert.Equal(["2470-2474.25 en/captions Now the integral, step by step & slowly"], Cues(await GetOkAsync($"/api/v1/videos/{lecture}/transcript?q=INTEGRAL")));

        var found = await GetOkAsync($"/api/v1/search?q={Uri.EscapeDataString("적분")}");
        var hit = Assert.Single(found.GetProperty("items").EnumerateArray());
        Assert.Equal((lecture.ToString(), "Calculus 1", 2), (hit.GetProperty("videoId").GetString(), hit.GetProperty("title").GetString(), hit.GetProperty("matches").GetInt32()));
        var moment = hit.GetProperty("moments")[0];
        Assert.Equal(2470, moment.GetProperty("startSeconds").GetDouble());
        Assert.Equal(2474.25, moment.GetProperty("endSeconds").GetDouble());
        Assert.Equal(("이제 적분을 정리합니다", "ko", "subtitles"), (moment.GetProperty("text").GetString(), moment.GetProperty("language").GetString(), moment.GetProperty("kind").GetString()));
        Assert.Equal($"/admin/videos/{lecture}?t=2470", moment.GetProperty("playerUrl").GetString());
        Assert.Equal($"/admin/videos/{lecture}?t=3723", hit.GetProperty("moments")[1].GetProperty("playerUrl").GetString());
        Assert.Equal(JsonValueKind.Null, found.GetProperty("nextCursor").ValueKind);

        // Ranked by matching cues, then paged one video at a time in the same order.
        await CaptionTests.PostAsync(client, ids[1], "WEBVTT\n\n00:01.000 --> 00:02.000\nlimits of sequences\n\n00:03.000 --> 00:04.000\nmore limits\n", "en", "English", "subtitles", "a.vtt");
        await CaptionTests.PostAsync(client, ids[2], "WEBVTT\n\n00:01.000 --> 00:02.000\nLIMITS\n\n00:03.000 --> 00:04.000\nlimits again\n\n00:05.000 --> 00:06.000\nstill limits\n", "en", "English", "subtitles", "b.vtt");
        await CaptionTests.PostAsync(client, lecture, "WEBVTT\n\n00:01.000 --> 00:02.000\nno limits here? one limits\n", "fr", "Français", "subtitles", "c.vtt");
        var pages = new List<(string Id, int Matches)>();
        string? cursor = null;
        do
        {
            var page = await GetOkAsync("/api/v1/search?q=limits&limit=1" + (cursor is null ? "" : $"&cursor={cursor}"));
            pages.AddRange(page.GetProperty("items").EnumerateArray().Select(i => (i.GetProperty("videoId").GetString()!, i.GetProperty("matches").GetInt32())));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null && pages.Count < 10);
        Assert.Equal([(ids[2].ToString(), 3), (ids[1].ToString(), 2), (lecture.ToString(), 1)], pages);

        var events = await (await Internal().GetAsync($"/api/v1/internal/webhooks/events?videoId={lecture}&type=caption.ready")).ReadJsonAsync();
        Assert.Equal(3, events.GetProperty("items").GetArrayLength());
        var eventId = events.GetProperty("items")[2].GetProperty("eventId").GetString();
        var body = await WaitForBodyAsync(eventId!);
        Assert.Equal(("caption.ready", "ko", "subtitles"), (body.GetProperty("type").GetString(), body.GetProperty("caption").GetProperty("language").GetString(), body.GetProperty("caption").GetProperty("kind").GetString()));
        Assert.Equal("READY", body.GetProperty("video").GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_replaced_or_removed_track_and_a_deleted_video_leave_search_and_caption_deleted_is_recorded()
    {
        var flow = new VideoFlow(client);
        var videoId = await flow.CreateAndUploadAsync(TestClips.Generate(320, 180, 1), "Topology");
        await flow.CompleteUploadAsync(videoId);
        await flow.WaitForStatusAsync(videoId, "READY");
        await CaptionTests.PostAsync(client, videoId, "WEBVTT\n\n00:01.000 --> 00:02.000\nhomeomorphism one\n\n00:03.000 --> 00:04.000\nhomeomorphism two\n", "en", "English", "subtitles", "a.vtt");
        await CaptionTests.PostAsync(client, videoId, "WEBVTT\n\n00:01.000 --> 00:02.000\n위상동형사상 homeomorphism\n", "ko", "한국어", "subtitles", "b.vtt");
        // A video counts its best track's cues (decision 0025): the English track's two.
        Assert.Equal(2, Hit(await GetOkAsync("/api/v1/search?q=homeomorphism")).GetProperty("matches").GetInt32());

        // The replacement's cues replace the old ones: the old text is gone, the new one found.
        await CaptionTests.PostAsync(client, videoId, "WEBVTT\n\n00:05.000 --> 00:06.000\nhomotopy now\n", "en", "English", "subtitles", "c.vtt");
        Assert.Equal(1, Hit(await GetOkAsync("/api/v1/search?q=homeomorphism")).GetProperty("matches").GetInt32());
        Assert.Equal(["1-2 ko/subtitles 위상동형사상 homeomorphism", "5-6 en/subtitles homotopy now"], Cues(await GetOkAsync($"/api/v1/videos/{videoId}/transcript")));

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/videos/{videoId}/captions/ko/subtitles")).StatusCode);
        Assert.Empty((await GetOkAsync("/api/v1/search?q=homeomorphism")).GetProperty("items").EnumerateArray());
        var deleted = await (await Internal().GetAsync($"/api/v1/internal/webhooks/events?videoId={videoId}&type=caption.deleted")).ReadJsonAsync();
        Assert.Single(deleted.GetProperty("items").EnumerateArray());

        Assert.Single((await GetOkAsync("/api/v1/search?q=homotopy")).GetProperty("items").EnumerateArray());
        Assert.Equal(HttpStatusCode.Accepted, (await client.DeleteAsync($"/api/v1/videos/{videoId}")).StatusCode);
        Assert.Empty((await GetOkAsync("/api/v1/search?q=homotopy")).GetProperty("items").EnumerateArray());
        var gone = await client.GetAsync($"/api/v1/videos/{videoId}/transcript");
        Assert.Equal((HttpStatusCode.NotFound, "VIDEO_NOT_FOUND"), (gone.StatusCode, (await gone.ReadJsonAsync()).GetProperty("code").GetString()));
    }

    [Theory]
    [InlineData("/api/v1/search")]
    [InlineData("/api/v1/search?q=")]
    [InlineData("/api/v1/search?q=a")]
    [InlineData("/api/v1/search?q=%20a%20")]
    [InlineData("/api/v1/search?q=line%0Abreak")]
    [InlineData("/api/v1/search?q=tab%09here")]
    [InlineData("/api/v1/search?q=ok&limit=0")]
    [InlineData("/api/v1/search?q=ok&cursor=not-ours")]
    [InlineData("/api/v1/videos/00000000-0000-0000-0000-000000000001/transcript?q=x")]
    [InlineData("/api/v1/videos/00000000-0000-0000-0000-000000000001/transcript?language=korean!")]
    public async Task A_bad_query_is_refused_with_VALIDATION_FAILED(string url)
    {
        var response = await client.GetAsync(url);
        Assert.Equal((HttpStatusCode.BadRequest, "VALIDATION_FAILED"), (response.StatusCode, (await response.ReadJsonAsync()).GetProperty("code").GetString()));
    }

    [Fact]
    public async Task A_query_of_201_characters_is_refused_an_unknown_video_is_404_and_search_needs_the_key()
    {
        var tooLong = await client.GetAsync("/api/v1/search?q=" + new string('가', 201));
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/search?q=" + new string('가', 200))).StatusCode);

        var unknown = await client.GetAsync($"/api/v1/videos/{Guid.NewGuid()}/transcript");
        Assert.Equal((HttpStatusCode.NotFound, "VIDEO_NOT_FOUND"), (unknown.StatusCode, (await unknown.ReadJsonAsync()).GetProperty("code").GetString()));

        using var anonymous = api.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/search?q=limits")).StatusCode);
    }

    private HttpClient Internal()
    {
        var internalClient = api.CreateClient();
        internalClient.DefaultRequestHeaders.Add("X-Internal-Api-Key", VideoApiFactory.InternalKey);
        return internalClient;
    }

    private static JsonElement Hit(JsonElement page) => Assert.Single(page.GetProperty("items").EnumerateArray());

    private static List<string> Cues(JsonElement transcript) =>
        transcript.GetProperty("items").EnumerateArray()
            .Select(c => $"{c.GetProperty("startSeconds").GetDouble()}-{c.GetProperty("endSeconds").GetDouble()} {c.GetProperty("language").GetString()}/{c.GetProperty("kind").GetString()} {c.GetProperty("text").GetString()}")
            .ToList();

    private async Task<JsonElement> GetOkAsync(string url)
    {
        var response = await client.GetAsync(url);
        var body = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {body}");
        return body;
    }

    private async Task<JsonElement> WaitForBodyAsync(string eventId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var stored = await (await Internal().GetAsync($"/api/v1/internal/webhooks/events/{eventId}")).ReadJsonAsync();
            if (stored.GetProperty("body").GetString() is { } body)
            {
                return JsonDocument.Parse(body).RootElement.Clone();
            }

            Assert.True(DateTime.UtcNow < deadline, "The caption.ready event was never rendered.");
            await Task.Delay(250);
        }
    }
}
