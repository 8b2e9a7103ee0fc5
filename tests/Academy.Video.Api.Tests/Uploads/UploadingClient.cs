using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Academy.Video.Api.Tests.Uploads;

/// <summary>
/// A platform's client of the upload contract: create, PUT the source or its parts to the URLs handed out
/// (storage's own for S3, the API's /storage route locally), ask what storage holds, complete.
/// </summary>
public sealed class UploadingClient(HttpClient api)
{
    private static readonly HttpClient Storage = new() { Timeout = TimeSpan.FromMinutes(5) };
    private static readonly string S3Authority = new Uri(S3rverStorage.ServiceUrl).Authority;

    public HttpClient Api => api;

    public async Task<JsonElement> CreateAsync(string sourceFile, string contentType = "video/mp4", string title = "Lecture")
    {
        var created = await api.PostJsonAsync("/api/v1/videos", new
        {
            title,
            fileName = Path.GetFileName(sourceFile),
            contentType,
            sizeBytes = new FileInfo(sourceFile).Length,
        });
        Assert.True(created.StatusCode == HttpStatusCode.Created, $"create: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
        return await created.ReadJsonAsync();
    }

    /// <summary>PUTs bytes [offset, offset + length) of the file to a part URL; returns storage's answer.</summary>
    public async Task<HttpResponseMessage> PutPartAsync(JsonElement part, string sourceFile, long offset)
    {
        var length = part.GetProperty("sizeBytes").GetInt64();
        var bytes = new byte[length];
        await using (var file = File.OpenRead(sourceFile))
        {
            file.Seek(offset, SeekOrigin.Begin);
            await file.ReadExactlyAsync(bytes);
        }

        return await PutBytesAsync(new Uri(part.GetProperty("url").GetString()!), bytes, contentType: null);
    }

    public async Task<HttpResponseMessage> PutBytesAsync(Uri url, byte[] bytes, string? contentType)
    {
        var content = new ByteArrayContent(bytes);
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        var toS3 = url.Authority == S3Authority;
        using var request = new HttpRequestMessage(HttpMethod.Put, toS3 ? url : new Uri(url.PathAndQuery, UriKind.Relative)) { Content = content };
        return await (toS3 ? Storage : api).SendAsync(request);
    }

    /// <summary>The single-PUT upload of a whole small source, as <see cref="VideoFlow"/> does it, to either storage.</summary>
    public async Task<Guid> CreateAndUploadAsync(string sourceFile, string title = "Lecture")
    {
        var created = await CreateAsync(sourceFile, title: title);
        var upload = created.GetProperty("upload");
        Assert.Equal(JsonValueKind.Null, upload.GetProperty("multipart").ValueKind);
        var put = await PutBytesAsync(
            new Uri(upload.GetProperty("url").GetString()!),
            await File.ReadAllBytesAsync(sourceFile),
            upload.GetProperty("headers").GetProperty("Content-Type").GetString());
        Assert.True(put.IsSuccessStatusCode, $"upload: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
        return created.GetProperty("videoId").GetGuid();
    }

    public async Task<HttpResponseMessage> GetUploadAsync(Guid videoId) => await api.GetAsync($"/api/v1/videos/{videoId}/upload");

    public async Task<HttpResponseMessage> CompleteAsync(Guid videoId, object? body = null) =>
        body is null
            ? await api.PostAsync($"/api/v1/videos/{videoId}/upload-complete", null)
            : await api.PostJsonAsync($"/api/v1/videos/{videoId}/upload-complete", body);
}
