using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Academy.Video.IntegrationTests.Media;
using Academy.Video.Testing;

namespace Academy.Video.Api.Tests.Chapters;

/// <summary>
/// Chapters from slide changes over real Kestrel, PostgreSQL, the storage folder and worker processes (docs/api.md,
/// Chapters): the detected list in the video view, a person's edit through PUT with its rules, the track republished.
/// </summary>
public sealed class ChapterTests(KestrelVideoApiFactory api) : IClassFixture<KestrelVideoApiFactory>
{
    private readonly HttpClient client = api.ClientWithKey();

    [Fact]
    public async Task A_slide_lecture_shows_its_chapters_and_a_teacher_renames_merges_and_adds_with_the_track_republished()
    {
        var path = Path.Combine(api.Root, "chapters-api.mp4");
        Directory.CreateDirectory(api.Root);
        var lecture = LectureSources.Slides(4, 32, 320, 180, path);
        TestClips.Ffmpeg(lecture.Arguments);
        var flow = new VideoFlow(client);
        var videoId = await flow.CreateAndUploadAsync(path);
        await flow.CompleteUploadAsync(videoId);
        var ready = await flow.WaitForStatusAsync(videoId, "READY");

        var detected = ready.GetProperty("chapters").EnumerateArray().ToList();
        Assert.Equal(4, detected.Count);
        Assert.Equal(["Slide 1", "Slide 2", "Slide 3", "Slide 4"], detected.Select(c => c.GetProperty("title").GetString()));
        var starts = detected.Select(c => c.GetProperty("start").GetDouble()).ToList();
        for (var i = 1; i < 4; i++)
        {
            Assert.InRange(starts[i], lecture.ChangeSeconds[i - 1] - 1, lecture.ChangeSeconds[i - 1] + 1);
        }

        Assert.True(await GetBytesAsync(detected[1].GetProperty("thumbnailUrl").GetString()!) is [0xFF, 0xD8, ..]);
        Assert.Contains("\nSlide 3\n", await GetTextAsync(ready.GetProperty("chaptersUrl").GetString()!), StringComparison.Ordinal);

        // Rename the first, merge the third into the second (its start dropped), add one between.
        var added = Math.Round((starts[1] + starts[3]) / 2, 3);
        var put = await PutAsync(videoId, new { chapters = new object[]
        {
            new { start = 0, title = "Introduction" },
            new { start = starts[1], title = "Slide 2" },
            new { start = added, title = "A point made by hand" },
            new { start = starts[3], title = "Slide 4" },
        } });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var body = await put.ReadJsonAsync();
        Assert.Equal(["Introduction", "Slide 2", "A point made by hand", "Slide 4"], body.GetProperty("chapters").EnumerateArray().Select(c => c.GetProperty("title").GetString()));

        var video = await flow.GetAsync(videoId);
        var chapters = video.GetProperty("chapters").EnumerateArray().ToList();
        Assert.Equal([true, false, true, false], chapters.Select(c => c.GetProperty("named").GetBoolean()));
        Assert.Equal(added, chapters[1].GetProperty("end").GetDouble());
        Assert.Equal(JsonValueKind.Null, chapters[2].GetProperty("thumbnailUrl").ValueKind);
        Assert.Equal(detected[1].GetProperty("thumbnailUrl").GetString(), chapters[1].GetProperty("thumbnailUrl").GetString());
        var track = await GetTextAsync(video.GetProperty("chaptersUrl").GetString()!);
        Assert.StartsWith("WEBVTT\n", track, StringComparison.Ordinal);
        Assert.Contains("\nIntroduction\n", track, StringComparison.Ordinal);
        Assert.Contains("\nA point made by hand\n", track, StringComparison.Ordinal);
        Assert.DoesNotContain("Slide 3", track, StringComparison.Ordinal);
        Assert.NotEqual(ready.GetProperty("chaptersUrl").GetString(), video.GetProperty("chaptersUrl").GetString());

        // The rules, each with its code; nothing is written by a refused list.
        await RefusedAsync(videoId, new { chapters = new object[] { new { start = 5, title = "b" }, new { start = 2, title = "a" } } }, "CHAPTER_STARTS_NOT_ASCENDING");
        await RefusedAsync(videoId, new { chapters = new object[] { new { start = 0, title = "a" }, new { start = 500, title = "b" } } }, "CHAPTER_START_OUT_OF_RANGE");
        await RefusedAsync(videoId, new { chapters = new object[] { new { start = -1, title = "a" } } }, "CHAPTER_START_OUT_OF_RANGE");
        await RefusedAsync(videoId, new { chapters = new object[] { new { title = "no start" } } }, "CHAPTER_START_OUT_OF_RANGE");
        await RefusedAsync(videoId, new { chapters = new object[] { new { start = 0, title = "  " } } }, "CHAPTER_TITLE_INVALID");
        await RefusedAsync(videoId, new { chapters = new object[] { new { start = 0, title = new string('x', 201) } } }, "CHAPTER_TITLE_INVALID");
        await RefusedAsync(videoId, new { chapters = Enumerable.Range(0, 501).Select(i => new { start = i * 0.01, title = "c" }).ToArray() }, "CHAPTERS_TOO_MANY");
        await RefusedAsync(videoId, new { }, "VALIDATION_FAILED");
        Assert.Equal(video.GetProperty("chaptersUrl").GetString(), (await flow.GetAsync(videoId)).GetProperty("chaptersUrl").GetString());

        // An empty list removes the chapters and their track.
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(videoId, new { chapters = Array.Empty<object>() })).StatusCode);
        var cleared = await flow.GetAsync(videoId);
        Assert.Empty(cleared.GetProperty("chapters").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("chaptersUrl").ValueKind);
    }

    [Fact]
    public async Task A_video_that_is_not_ready_is_a_conflict_and_an_unknown_one_is_not_found()
    {
        var created = await (await client.PostJsonAsync("/api/v1/videos", new { title = "t", fileName = "a.mp4", contentType = "video/mp4", sizeBytes = 10 })).ReadJsonAsync();
        var videoId = created.GetProperty("videoId").GetGuid();
        var body = new { chapters = new object[] { new { start = 0, title = "a" } } };

        var conflict = await PutAsync(videoId, body);
        Assert.Equal((HttpStatusCode.Conflict, "INVALID_VIDEO_STATE"), (conflict.StatusCode, (await conflict.ReadJsonAsync()).GetProperty("code").GetString()));
        var missing = await PutAsync(Guid.NewGuid(), body);
        Assert.Equal((HttpStatusCode.NotFound, "VIDEO_NOT_FOUND"), (missing.StatusCode, (await missing.ReadJsonAsync()).GetProperty("code").GetString()));
    }

    /// <summary>A published object as a player fetches it: no key, through the storage route the URL names.</summary>
    private async Task<byte[]> GetBytesAsync(string url)
    {
        using var anonymous = api.CreateClient();
        var response = await anonymous.GetAsync(new Uri(url).PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync();
    }

    private async Task<string> GetTextAsync(string url) => System.Text.Encoding.UTF8.GetString(await GetBytesAsync(url));

    private Task<HttpResponseMessage> PutAsync(Guid videoId, object body) =>
        client.PutAsJsonAsync($"/api/v1/videos/{videoId}/chapters", body, VideoApiFactory.Json);

    private async Task RefusedAsync(Guid videoId, object body, string code)
    {
        var response = await PutAsync(videoId, body);
        var problem = await response.ReadJsonAsync();
        Assert.Equal((HttpStatusCode.BadRequest, code), (response.StatusCode, problem.GetProperty("code").GetString()));
    }
}
