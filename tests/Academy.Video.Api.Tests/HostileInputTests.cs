using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Academy.Video.Domain.Videos;

namespace Academy.Video.Api.Tests;

/// <summary>Requests a hostile or careless client sends, over real HTTP against the API in Production.</summary>
public sealed class HostileInputTests(KestrelVideoApiFactory api) : IClassFixture<KestrelVideoApiFactory>
{
    [Theory]
    [InlineData("title", "Week\\u00001")]
    [InlineData("title", "Week 1\\r\\nSet-Cookie: a=b")]
    [InlineData("fileName", "week1\\u0000.mp4")]
    [InlineData("contentType", "video/mp4\\u0000")]
    public async Task A_control_character_in_a_text_field_is_a_400_naming_the_field(string field, string escapedJsonValue)
    {
        var fields = new Dictionary<string, string> { ["title"] = "Week 1", ["fileName"] = "week1.mp4", ["contentType"] = "video/mp4" };
        fields[field] = escapedJsonValue;
        var json = $$"""{"title":"{{fields["title"]}}","fileName":"{{fields["fileName"]}}","contentType":"{{fields["contentType"]}}","sizeBytes":1000}""";

        var response = await api.ClientWithKey().PostAsync("/api/v1/videos", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadJsonAsync();
        Assert.Equal("VALIDATION_FAILED", problem.GetProperty("code").GetString());
        Assert.Equal([field], problem.GetProperty("errors").EnumerateObject().Select(error => error.Name));
    }

    [Fact]
    public async Task A_content_type_carrying_CRLF_and_a_second_header_is_a_400_and_no_upload_url_is_signed()
    {
        var response = await api.ClientWithKey().PostJsonAsync("/api/v1/videos", new
        {
            title = "t",
            fileName = "a.mp4",
            contentType = "video/mp4\r\nx-amz-acl: public-read-write",
            sizeBytes = 1000,
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadJsonAsync();
        Assert.Equal("VALIDATION_FAILED", problem.GetProperty("code").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("contentType", out _), problem.ToString());
        Assert.False(problem.TryGetProperty("upload", out _));
    }

    [Fact]
    public async Task A_50_KB_body_on_an_upload_url_declared_for_1000_bytes_is_refused_and_nothing_is_stored()
    {
        var client = api.ClientWithKey();
        var (videoId, upload) = await CreateAsync(client, sizeBytes: 1000);

        var response = await client.SendAsync(Put(upload, new ByteArrayContent(new byte[50 * 1024])));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("UPLOAD_TOO_LARGE", (await response.ReadJsonAsync()).GetProperty("code").GetString());
        Assert.False(File.Exists(SourcePath(videoId)));
        Assert.Empty(PartialFiles());
        var complete = await client.PostAsync($"/api/v1/videos/{videoId}/upload-complete", null);
        Assert.Equal("UPLOAD_MISSING", (await complete.ReadJsonAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_chunked_body_on_an_upload_url_is_refused_with_411()
    {
        var client = api.ClientWithKey();
        var (videoId, upload) = await CreateAsync(client, sizeBytes: 1000);
        var request = Put(upload, new StreamContent(new UnknownLengthStream(new byte[1000])));
        request.Headers.TransferEncodingChunked = true;

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.LengthRequired, response.StatusCode);
        Assert.Equal("CONTENT_LENGTH_REQUIRED", (await response.ReadJsonAsync()).GetProperty("code").GetString());
        Assert.False(File.Exists(SourcePath(videoId)));
    }

    [Fact]
    public async Task The_declared_size_is_accepted_byte_for_byte()
    {
        var client = api.ClientWithKey();
        var (videoId, upload) = await CreateAsync(client, sizeBytes: 1000);
        var body = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();

        var response = await client.SendAsync(Put(upload, new ByteArrayContent(body)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, await File.ReadAllBytesAsync(SourcePath(videoId)));
    }

    /// <summary>
    /// A store that does not check the signed length (s3rver, or any path around the upload URL) can hold
    /// an object of another size; upload-complete refuses it, deletes it and leaves the video to upload again.
    /// </summary>
    [Fact]
    public async Task Upload_complete_refuses_a_stored_object_of_another_size_and_the_video_can_be_uploaded_again()
    {
        var client = api.ClientWithKey();
        var (videoId, upload) = await CreateAsync(client, sizeBytes: 1000);
        Directory.CreateDirectory(Path.GetDirectoryName(SourcePath(videoId))!);
        await File.WriteAllBytesAsync(SourcePath(videoId), new byte[50 * 1024]);

        var refused = await client.PostAsync($"/api/v1/videos/{videoId}/upload-complete", null);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = await refused.ReadJsonAsync();
        Assert.Equal("SOURCE_SIZE_MISMATCH", problem.GetProperty("code").GetString());
        Assert.Contains("51200", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.False(File.Exists(SourcePath(videoId)));
        var video = await new VideoFlow(client).GetAsync(videoId);
        Assert.Equal(("PENDING_UPLOAD", JsonValueKind.Null), (video.GetProperty("status").GetString(), video.GetProperty("job").ValueKind));

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Put(upload, new ByteArrayContent(new byte[1000])))).StatusCode);
        var completed = await client.PostAsync($"/api/v1/videos/{videoId}/upload-complete", null);

        Assert.Equal(HttpStatusCode.Accepted, completed.StatusCode);
        // 1000 zero bytes are no video: the job ends FAILED at its first attempt, and nothing is left running.
        await new VideoFlow(client).WaitForStatusAsync(videoId, "FAILED");
    }

    public static TheoryData<string, string, string?, string?, HttpStatusCode, string> FrameworkErrors => new()
    {
        { "POST", "/api/v1/videos", "{not json", "application/json", HttpStatusCode.BadRequest, "INVALID_JSON" },
        { "POST", "/api/v1/videos", """{"title":5}""", "application/json", HttpStatusCode.BadRequest, "INVALID_JSON" },
        { "POST", "/api/v1/videos", """{"title":"a\ud800b"}""", "application/json", HttpStatusCode.BadRequest, "INVALID_JSON" },
        { "POST", "/api/v1/videos", """{"sizeBytes":99999999999999999999}""", "application/json", HttpStatusCode.BadRequest, "INVALID_JSON" },
        { "POST", "/api/v1/videos", "null", "application/json", HttpStatusCode.BadRequest, "BAD_REQUEST" },
        { "POST", "/api/v1/videos", "", "application/json", HttpStatusCode.BadRequest, "BAD_REQUEST" },
        { "POST", "/api/v1/videos", "title=a", "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE" },
        { "POST", "/api/v1/videos", "{}", "text/plain", HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE" },
        { "GET", "/api/v1/videos?limit=abc", null, null, HttpStatusCode.BadRequest, "BAD_REQUEST" },
        { "GET", "/api/v1/videos?limit=99999999999", null, null, HttpStatusCode.BadRequest, "BAD_REQUEST" },
        { "GET", "/api/v1/videos?status=%00", null, null, HttpStatusCode.BadRequest, "VALIDATION_FAILED" },
        { "GET", "/api/v1/videos/not-a-uuid", null, null, HttpStatusCode.BadRequest, "VALIDATION_FAILED" },
        { "DELETE", "/api/v1/videos", null, null, HttpStatusCode.MethodNotAllowed, "METHOD_NOT_ALLOWED" },
        { "PUT", "/api/v1/videos/6c1f8a1e-0000-4000-8000-000000000001", "{}", "application/json", HttpStatusCode.MethodNotAllowed, "METHOD_NOT_ALLOWED" },
        { "GET", "/no-such-route", null, null, HttpStatusCode.NotFound, "NOT_FOUND" },
        { "GET", "/api/v2/videos", null, null, HttpStatusCode.NotFound, "NOT_FOUND" },
        { "GET", "/media/videos/abc/source/original.mp4", null, null, HttpStatusCode.NotFound, "NOT_FOUND" },
        { "PUT", "/storage/videos/abc/source/original.mp4?expires=abc&size=1&signature=00", "x", "video/mp4", HttpStatusCode.BadRequest, "BAD_REQUEST" },
        { "PUT", "/storage/videos/abc/source/original.mp4?expires=1&size=1&signature=00", "x", "video/mp4", HttpStatusCode.Forbidden, "UPLOAD_URL_INVALID" },
        { "PUT", "/storage/.tmp/x.partial?expires=1&size=1&signature=00", "x", "video/mp4", HttpStatusCode.Forbidden, "UPLOAD_URL_INVALID" },
        { "PUT", "/storage/videos/..%2F..%2Fetc/passwd?expires=1&size=1&signature=00", "x", "video/mp4", HttpStatusCode.Forbidden, "UPLOAD_URL_INVALID" },
    };

    [Theory]
    [MemberData(nameof(FrameworkErrors))]
    public async Task Every_error_answer_the_framework_writes_carries_a_code(string method, string url, string? body, string? contentType, HttpStatusCode status, string code)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            request.Content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
        }

        var response = await api.ClientWithKey().SendAsync(request);

        await AssertProblemAsync(response, status, code);
    }

    [Fact]
    public async Task A_client_that_accepts_only_html_still_gets_problem_json_with_a_code()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/no-such-route") { Headers = { { "Accept", "text/html" } } };

        var response = await api.ClientWithKey().SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized, "UNAUTHORIZED")]
    [InlineData("wrong-key-0123456789", HttpStatusCode.Unauthorized, "UNAUTHORIZED")]
    public async Task A_missing_or_wrong_key_carries_a_code(string? key, HttpStatusCode status, string code) =>
        await AssertProblemAsync(await api.ClientWithKey(key).GetAsync("/api/v1/videos"), status, code);

    [Fact]
    public async Task A_declared_body_over_the_API_limit_is_a_413_with_a_code()
    {
        var response = await api.ClientWithKey().PostAsync("/api/v1/videos", new ByteArrayContent(new byte[ApiHost.MaxJsonBodyBytes + 1])
        {
            Headers = { ContentType = new MediaTypeHeaderValue("application/json") },
        });

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "PAYLOAD_TOO_LARGE");
    }

    [Fact]
    public async Task A_chunked_body_over_the_API_limit_is_a_413_with_a_code()
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new { title = new string('x', 100_000), fileName = "a.mp4", contentType = "video/mp4", sizeBytes = 1 });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/videos") { Content = new StreamContent(new UnknownLengthStream(json)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TransferEncodingChunked = true;

        var response = await api.ClientWithKey().SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "PAYLOAD_TOO_LARGE");
    }

    [Fact]
    public async Task A_bad_query_value_on_an_internal_endpoint_carries_a_code()
    {
        var client = api.ClientWithKey(null);
        client.DefaultRequestHeaders.Add("X-Internal-Api-Key", VideoApiFactory.InternalKey);

        var response = await client.PostAsync("/api/v1/internal/video/scan-stuck-jobs?dryRun=maybe", null);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "BAD_REQUEST");
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(code, (await response.ReadJsonAsync()).GetProperty("code").GetString());
    }

    private static async Task<(Guid VideoId, JsonElement Upload)> CreateAsync(HttpClient client, long sizeBytes)
    {
        var created = await client.PostJsonAsync("/api/v1/videos", new { title = "t", fileName = "a.mp4", contentType = "video/mp4", sizeBytes });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.ReadJsonAsync();
        return (body.GetProperty("videoId").GetGuid(), body.GetProperty("upload"));
    }

    private static HttpRequestMessage Put(JsonElement upload, HttpContent content)
    {
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(upload.GetProperty("headers").GetProperty("Content-Type").GetString()!);
        return new HttpRequestMessage(HttpMethod.Put, new Uri(upload.GetProperty("url").GetString()!).PathAndQuery) { Content = content };
    }

    private string SourcePath(Guid videoId) => Path.Combine(api.StorageRoot, StorageKeys.Source(videoId, "a.mp4"));

    private IEnumerable<string> PartialFiles() =>
        Directory.Exists(api.StorageRoot) ? Directory.EnumerateFiles(api.StorageRoot, "*.partial", SearchOption.AllDirectories) : [];

    /// <summary>A body whose length the sender does not know in advance, so it goes chunked.</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
