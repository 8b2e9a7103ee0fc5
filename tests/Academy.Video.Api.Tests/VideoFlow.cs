using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Academy.Video.Api.Tests;

/// <summary>The client's side of the flow, as a platform would drive it over HTTP.</summary>
public sealed class VideoFlow(HttpClient client)
{
    public async Task<Guid> CreateAndUploadAsync(string sourceFile, string title = "Lecture", double? posterAtSeconds = null)
    {
        var created = await client.PostJsonAsync("/api/v1/videos", new
        {
            title,
            fileName = Path.GetFileName(sourceFile),
            contentType = "video/mp4",
            sizeBytes = Math.Max(1, new FileInfo(sourceFile).Length),
            posterAtSeconds,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.ReadJsonAsync();
        var upload = body.GetProperty("upload");
        Assert.Equal("PUT", upload.GetProperty("method").GetString());

        using var put = new HttpRequestMessage(HttpMethod.Put, new Uri(upload.GetProperty("url").GetString()!).PathAndQuery);
        put.Content = new StreamContent(File.OpenRead(sourceFile));
        put.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(upload.GetProperty("headers").GetProperty("Content-Type").GetString()!);
        var uploaded = await client.SendAsync(put);
        Assert.True(uploaded.IsSuccessStatusCode, $"upload: {(int)uploaded.StatusCode} {await uploaded.Content.ReadAsStringAsync()}");
        return body.GetProperty("videoId").GetGuid();
    }

    public async Task<JsonElement> CompleteUploadAsync(Guid videoId)
    {
        var response = await client.PostAsync($"/api/v1/videos/{videoId}/upload-complete", null);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"upload-complete: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.ReadJsonAsync();
    }

    public async Task<JsonElement> GetAsync(Guid videoId)
    {
        var response = await client.GetAsync($"/api/v1/videos/{videoId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    /// <summary>Polls like a client's progress display until the video reaches <paramref name="status"/>.</summary>
    public async Task<JsonElement> WaitForStatusAsync(Guid videoId, string status, TimeSpan? timeout = null, Func<JsonElement, bool>? also = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(2));
        while (true)
        {
            var video = await GetAsync(videoId);
            if (video.GetProperty("status").GetString() == status && (also?.Invoke(video) ?? true))
            {
                return video;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Video {videoId} did not reach {status}: {video}");
            }

            await Task.Delay(250);
        }
    }
}
