using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Web;

namespace Academy.Video.Api.Tests.Hardening;

/// <summary>No secret reaches a log line: keys in URLs are refused and masked, signed URLs are logged with their grants masked.</summary>
public sealed class SecretsInLogsTests(HardeningApiFactory api) : IClassFixture<HardeningApiFactory>
{
    [Theory]
    [InlineData("/api/v1/videos?X-Api-Key={client}")]
    [InlineData("/api/v1/videos?limit=5&x-api-key={client}")]
    [InlineData("/api/v1/internal/video/backlog?X-INTERNAL-API-KEY={internal}")]
    [InlineData("/api/v1/internal/video/backlog?x-internal-api-key={internal}")]
    [InlineData("/readyz?X-Api-Key={client}")]
    [InlineData("/media/videos/abc/hls/master.m3u8?X-Api-Key={client}")]
    public async Task A_key_in_the_query_string_is_refused_with_400_and_never_logged(string template)
    {
        var marker = Guid.NewGuid().ToString("N");
        var url = template.Replace("{client}", VideoApiFactory.ClientKey, StringComparison.Ordinal)
            .Replace("{internal}", VideoApiFactory.InternalKey, StringComparison.Ordinal) + "&marker=" + marker;

        var response = await api.CreateClient().GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("API_KEY_IN_QUERY", (await response.ReadJsonAsync()).GetProperty("code").GetString());
        var log = await api.Log.WaitForAsync(marker);
        Assert.Contains("-api-key=REDACTED", log, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(VideoApiFactory.ClientKey, log, StringComparison.Ordinal);
        Assert.DoesNotContain(VideoApiFactory.InternalKey, log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_signatures_of_upload_part_playback_and_media_urls_never_reach_the_log()
    {
        var client = api.ClientWithKey();
        var single = await CreateAsync(client, sizeBytes: 10);
        var multipart = await CreateAsync(client, sizeBytes: 100L * 1024 * 1024);
        var uploadUrl = new Uri(single.GetProperty("upload").GetProperty("url").GetString()!);
        var partUrl = new Uri(multipart.GetProperty("upload").GetProperty("multipart").GetProperty("parts")[0].GetProperty("url").GetString()!);
        var videoId = single.GetProperty("videoId").GetString();
        var forged = "f0f0" + Guid.NewGuid().ToString("N");
        var awsSignature = "a1b2" + Guid.NewGuid().ToString("N");
        var awsCredential = "AKIAHARDENINGTEST" + Guid.NewGuid().ToString("N")[..8];
        var awsToken = "FwoGZXIvYXdzE" + Guid.NewGuid().ToString("N");
        string[] secrets =
        [
            HttpUtility.ParseQueryString(uploadUrl.Query)["signature"]!,
            HttpUtility.ParseQueryString(partUrl.Query)["signature"]!,
            forged, awsSignature, awsCredential, awsToken,
        ];

        // Bodies of the wrong length: refused, but every request is logged.
        var upload = await client.SendAsync(Put(uploadUrl, new byte[3], "video/mp4"));
        var part = await client.SendAsync(Put(partUrl, new byte[3], contentType: null));
        var playlist = await client.GetAsync($"/playback/{videoId}/master.m3u8?expires=4102444800&signature={forged}");
        var media = await client.GetAsync($"/media/videos/{videoId}/hls/master.m3u8?expires=4102444800&Signature={forged}");
        var presigned = await client.GetAsync(
            $"/media/videos/{videoId}/hls/master.m3u8?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={awsCredential}%2F20260101%2Fauto%2Fs3%2Faws4_request" +
            $"&X-Amz-Date=20260101T000000Z&X-Amz-Expires=3600&X-Amz-Security-Token={awsToken}&X-Amz-SignedHeaders=host&X-Amz-Signature={awsSignature}");

        Assert.Equal(HttpStatusCode.BadRequest, upload.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, part.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, playlist.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, media.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, presigned.StatusCode);
        var log = await api.Log.WaitForAsync("X-Amz-Signature=REDACTED");
        await api.Log.WaitForAsync($"/playback/{videoId}/master.m3u8?expires=4102444800&signature=REDACTED");
        await api.Log.WaitForAsync(partUrl.AbsolutePath);
        log = await api.Log.WaitForAsync(uploadUrl.AbsolutePath);
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, log, StringComparison.Ordinal));
        Assert.Contains("X-Amz-Date=20260101T000000Z", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_webhook_url_is_logged_without_its_token()
    {
        var client = api.ClientWithKey();
        var created = await CreateAsync(client, sizeBytes: 10);
        var videoId = created.GetProperty("videoId").GetString()!;

        (await client.DeleteAsync($"/api/v1/videos/{videoId}")).EnsureSuccessStatusCode();

        await api.Receiver.WaitForAsync(hook => hook.BodyText.Contains(videoId, StringComparison.Ordinal), 1, TimeSpan.FromSeconds(60));
        var log = await api.Log.WaitForAsync("/settings-hook?token=REDACTED", TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(HardeningApiFactory.WebhookToken, log, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> CreateAsync(HttpClient client, long sizeBytes)
    {
        var response = await client.PostJsonAsync("/api/v1/videos", new { title = "Hardening", fileName = "a.mp4", contentType = "video/mp4", sizeBytes });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    private static HttpRequestMessage Put(Uri url, byte[] body, string? contentType)
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        return new HttpRequestMessage(HttpMethod.Put, url.PathAndQuery) { Content = content };
    }
}
