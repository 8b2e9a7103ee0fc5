using System.Net;
using System.Text;
using System.Text.Json;
using Academy.Video.IntegrationTests.Media;

namespace Academy.Video.Api.Tests;

/// <summary>Auth, validation, error mapping and idempotency at the HTTP boundary.</summary>
public sealed class ApiContractTests(VideoApiFactory api) : IClassFixture<VideoApiFactory>
{
    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key-0123456789")]
    public async Task Video_endpoints_reject_a_missing_or_wrong_key_with_401_problem_details(string? key)
    {
        var response = await api.ClientWithKey(key).GetAsync("/api/v1/videos");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("UNAUTHORIZED", (await response.ReadJsonAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Internal_endpoints_need_the_internal_key_not_a_client_key()
    {
        var client = api.ClientWithKey();
        client.DefaultRequestHeaders.Add("X-Internal-Api-Key", VideoApiFactory.ClientKey);
        var rejected = await client.GetAsync("/api/v1/internal/video/backlog");

        var internalClient = api.ClientWithKey(null);
        internalClient.DefaultRequestHeaders.Add("X-Internal-Api-Key", VideoApiFactory.InternalKey);
        var backlog = await internalClient.GetAsync("/api/v1/internal/video/backlog");

        Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
        Assert.Equal(HttpStatusCode.OK, backlog.StatusCode);
        Assert.True((await backlog.ReadJsonAsync()).GetProperty("countsByState").TryGetProperty("QUEUED", out _));
    }

    [Fact]
    public async Task An_invalid_create_request_is_a_400_validation_problem_naming_each_field()
    {
        var response = await api.ClientWithKey().PostJsonAsync("/api/v1/videos", new { title = "", fileName = "a.mp4", contentType = "text/plain", sizeBytes = 0 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadJsonAsync();
        Assert.Equal("VALIDATION_FAILED", problem.GetProperty("code").GetString());
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("title", out _) && errors.TryGetProperty("contentType", out _) && errors.TryGetProperty("sizeBytes", out _), errors.ToString());
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_400_not_a_500()
    {
        var response = await api.ClientWithKey().PostAsync("/api/v1/videos", new StringContent("{not json", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task An_oversized_json_body_is_refused_with_413()
    {
        var json = JsonSerializer.Serialize(new { title = new string('x', 100_000), fileName = "a.mp4", contentType = "video/mp4", sizeBytes = 1 });

        var response = await api.ClientWithKey().PostAsync("/api/v1/videos", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("PAYLOAD_TOO_LARGE", (await response.ReadJsonAsync()).GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("GET", "/api/v1/videos/not-a-uuid", HttpStatusCode.BadRequest)]
    [InlineData("POST", "/api/v1/videos/12345/upload-complete", HttpStatusCode.BadRequest)]
    [InlineData("GET", "/api/v1/videos/6c1f8a1e-0000-4000-8000-000000000001", HttpStatusCode.NotFound)]
    [InlineData("DELETE", "/api/v1/videos/6c1f8a1e-0000-4000-8000-000000000001", HttpStatusCode.NotFound)]
    [InlineData("POST", "/api/v1/videos/6c1f8a1e-0000-4000-8000-000000000001/retry", HttpStatusCode.NotFound)]
    [InlineData("GET", "/api/v1/videos/6c1f8a1e-0000-4000-8000-000000000001/jobs", HttpStatusCode.NotFound)]
    [InlineData("GET", "/api/v1/videos/not-a-uuid/jobs", HttpStatusCode.BadRequest)]
    [InlineData("GET", "/api/v1/videos?status=BOGUS", HttpStatusCode.BadRequest)]
    [InlineData("GET", "/api/v1/videos?cursor=%%%", HttpStatusCode.BadRequest)]
    [InlineData("GET", "/api/v1/videos?limit=1000", HttpStatusCode.BadRequest)]
    public async Task Bad_ids_and_parameters_are_4xx_problem_details_never_500(string method, string url, HttpStatusCode expected)
    {
        var response = await api.ClientWithKey().SendAsync(new HttpRequestMessage(new HttpMethod(method), url));

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Upload_complete_before_the_upload_is_a_409_and_creates_no_job()
    {
        var client = api.ClientWithKey();
        var created = await (await client.PostJsonAsync("/api/v1/videos", new { title = "t", fileName = "a.mp4", contentType = "video/mp4", sizeBytes = 10 })).ReadJsonAsync();
        var videoId = created.GetProperty("videoId").GetGuid();

        var response = await client.PostAsync($"/api/v1/videos/{videoId}/upload-complete", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("UPLOAD_MISSING", (await response.ReadJsonAsync()).GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.Null, (await new VideoFlow(client).GetAsync(videoId)).GetProperty("job").ValueKind);
    }

    [Fact]
    public async Task An_upload_with_a_tampered_signature_is_forbidden()
    {
        var client = api.ClientWithKey();
        var created = await (await client.PostJsonAsync("/api/v1/videos", new { title = "t", fileName = "a.mp4", contentType = "video/mp4", sizeBytes = 10 })).ReadJsonAsync();
        var url = new Uri(created.GetProperty("upload").GetProperty("url").GetString()!);

        var response = await client.PutAsync(url.PathAndQuery.Replace("signature=", "signature=00", StringComparison.Ordinal), new ByteArrayContent(new byte[10]) { Headers = { { "Content-Type", "video/mp4" } } });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Completing_the_same_upload_twice_returns_the_same_job()
    {
        var flow = new VideoFlow(api.ClientWithKey());
        var videoId = await flow.CreateAndUploadAsync(TestClips.Generate(320, 240, 2));

        var first = await flow.CompleteUploadAsync(videoId);
        var second = await flow.CompleteUploadAsync(videoId);

        Assert.Equal(first.GetProperty("jobId").GetGuid(), second.GetProperty("jobId").GetGuid());
        Assert.Equal("QUEUED", first.GetProperty("state").GetString());
        await flow.WaitForStatusAsync(videoId, "READY");
    }

    [Fact]
    public async Task Retrying_a_video_that_did_not_fail_is_a_409()
    {
        var flow = new VideoFlow(api.ClientWithKey());
        var videoId = await flow.CreateAndUploadAsync(TestClips.Generate(320, 240, 2));
        await flow.CompleteUploadAsync(videoId);
        await flow.WaitForStatusAsync(videoId, "READY");

        var response = await api.ClientWithKey().PostAsync($"/api/v1/videos/{videoId}/retry", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("INVALID_VIDEO_TRANSITION", (await response.ReadJsonAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_video_retried_after_FAILED_lists_both_jobs_newest_first_with_their_attempts()
    {
        var client = api.ClientWithKey();
        var flow = new VideoFlow(client);
        var videoId = await flow.CreateAndUploadAsync(TestClips.RandomBytes(), "Undecodable, retried");
        var firstJob = (await flow.CompleteUploadAsync(videoId)).GetProperty("jobId").GetGuid();
        var firstFailure = await flow.WaitForStatusAsync(videoId, "FAILED");
        var retry = await client.PostAsync($"/api/v1/videos/{videoId}/retry", null);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        var secondJob = (await retry.ReadJsonAsync()).GetProperty("jobId").GetGuid();
        var failedAgain = await flow.WaitForStatusAsync(videoId, "FAILED", also: v => v.GetProperty("job").GetProperty("jobId").GetGuid() == secondJob);

        var response = await client.GetAsync($"/api/v1/videos/{videoId}/jobs");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var history = await response.ReadJsonAsync();
        Assert.Equal((videoId, secondJob), (history.GetProperty("videoId").GetGuid(), history.GetProperty("currentJobId").GetGuid()));
        var jobs = history.GetProperty("jobs").EnumerateArray().ToList();
        Assert.Equal([secondJob, firstJob], jobs.Select(j => j.GetProperty("jobId").GetGuid()));
        Assert.True(jobs[0].GetProperty("createdAt").GetDateTimeOffset() > jobs[1].GetProperty("createdAt").GetDateTimeOffset());
        var errorCode = firstFailure.GetProperty("job").GetProperty("errorCode").GetString();
        foreach (var job in jobs)
        {
            Assert.Equal(("FAILED", errorCode), (job.GetProperty("state").GetString(), job.GetProperty("errorCode").GetString()));
            Assert.Equal(JsonValueKind.String, job.GetProperty("finishedAt").ValueKind);
            var attempt = Assert.Single(job.GetProperty("attempts").EnumerateArray());
            Assert.Equal((1, "FAILED", errorCode), (attempt.GetProperty("attempt").GetInt32(), attempt.GetProperty("outcome").GetString(), attempt.GetProperty("errorCode").GetString()));
            Assert.StartsWith("local-", attempt.GetProperty("batchJobId").GetString(), StringComparison.Ordinal);
        }

        // The current job's attempts are the video view's, in the same shape.
        Assert.Equal(failedAgain.GetProperty("attempts").GetRawText(), jobs[0].GetProperty("attempts").GetRawText());
        Assert.Equal(firstFailure.GetProperty("attempts").GetRawText(), jobs[1].GetProperty("attempts").GetRawText());
    }

    [Fact]
    public async Task The_jobs_of_an_unknown_video_are_a_404_with_its_code()
    {
        var response = await api.ClientWithKey().GetAsync($"/api/v1/videos/{Guid.NewGuid()}/jobs");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("VIDEO_NOT_FOUND", (await response.ReadJsonAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Health_readiness_and_the_OpenAPI_document_are_served()
    {
        var client = api.CreateClient();

        var health = await client.GetAsync("/healthz");
        var ready = await (await client.GetAsync("/readyz")).ReadJsonAsync();
        var openApi = await client.GetStringAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        Assert.Contains("/api/v1/videos/{id}/upload-complete", openApi, StringComparison.Ordinal);
        Assert.Contains("/api/v1/videos/{id}/jobs", openApi, StringComparison.Ordinal);
    }
}
