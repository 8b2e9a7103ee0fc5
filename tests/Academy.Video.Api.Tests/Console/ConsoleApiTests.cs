using System.Net;
using Academy.Video.IntegrationTests.Media;
using Academy.Video.Operations.Aws;
using Academy.Video.Infrastructure.Runners.Batch;
using Microsoft.Extensions.Options;

namespace Academy.Video.Api.Tests.Console;

/// <summary>What the console needs from the API, over HTTP: its files at /admin, title search, one key for an operator, attempt logs.</summary>
public sealed class ConsoleApiTests(VideoApiFactory api) : IClassFixture<VideoApiFactory>
{
    [Theory]
    [InlineData("/admin")]
    [InlineData("/admin/videos/6c1f8a1e-0000-4000-8000-000000000001")]
    [InlineData("/admin/operations")]
    public async Task Every_console_path_answers_the_page_with_a_policy_that_allows_only_its_own_scripts(string path)
    {
        var response = await api.CreateClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("script-src 'self';", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("<script type=\"module\" src=\"/admin/assets/app-", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_page_s_scripts_are_served_by_the_api_and_cached_for_good_and_a_missing_asset_is_a_404()
    {
        var client = api.CreateClient();
        var page = await client.GetStringAsync("/admin");
        var script = System.Text.RegularExpressions.Regex.Match(page, "/admin/assets/app-[A-Z0-9]+\\.js").Value;

        var response = await client.GetAsync(script);
        var missing = await client.GetAsync("/admin/assets/app-NOTBUILT.js");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("immutable", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        Assert.Contains("hls.worker.js", await client.GetStringAsync(script), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Title_search_ignores_case_takes_like_characters_literally_and_hides_deleted_videos()
    {
        var client = api.ClientWithKey();
        var tag = Guid.NewGuid().ToString("N")[..8];
        async Task<string> CreateAsync(string title) =>
            (await (await client.PostJsonAsync("/api/v1/videos", new { title, fileName = "a.mp4", contentType = "video/mp4", sizeBytes = 10 })).ReadJsonAsync())
            .GetProperty("videoId").GetString()!;
        var percent = await CreateAsync($"{tag} Growth of 100% in a year");
        var plain = await CreateAsync($"{tag} Growth of 1000 cells");
        var deleted = await CreateAsync($"{tag} GROWTH, deleted");
        (await client.DeleteAsync($"/api/v1/videos/{deleted}")).EnsureSuccessStatusCode();
        await WaitForAsync(async () => (await client.GetAsync($"/api/v1/videos/{deleted}")).StatusCode == HttpStatusCode.NotFound);

        async Task<List<string>> SearchAsync(string q) =>
            (await (await client.GetAsync($"/api/v1/videos?q={Uri.EscapeDataString(q)}")).ReadJsonAsync())
            .GetProperty("items").EnumerateArray().Select(v => v.GetProperty("videoId").GetString()!).ToList();

        Assert.Equal([plain, percent], await SearchAsync($"{tag} growth"));
        Assert.Equal([percent], await SearchAsync($"{tag} Growth of 100%"));
        Assert.Empty(await SearchAsync($"{tag} Growth_of"));
        var deletedOnes = (await (await client.GetAsync($"/api/v1/videos?status=DELETED&q={tag}")).ReadJsonAsync()).GetProperty("items");
        Assert.Equal(deleted, Assert.Single(deletedOnes.EnumerateArray()).GetProperty("videoId").GetString());

        var bad = await client.GetAsync("/api/v1/videos?q=a%0Ab");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await bad.ReadJsonAsync();
        Assert.Equal("VALIDATION_FAILED", problem.GetProperty("code").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("q", out _), problem.ToString());
    }

    [Fact]
    public async Task An_operatorClientkey_opens_the_video_endpoints_too_and_a_client_key_still_cannot_read_attempt_logs()
    {
        var asOperator = await api.ClientWithKey(VideoApiFactory.InternalKey).GetAsync("/api/v1/videos?limit=1");

        var client = api.ClientWithKey(null);
        client.DefaultRequestHeaders.Add("X-Internal-Api-Key", VideoApiFactory.ClientKey);
        var logAsClient = await client.GetAsync($"/api/v1/internal/video/jobs/{Guid.NewGuid()}/attempts/1/log");

        Assert.Equal(HttpStatusCode.OK, asOperator.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, logAsClient.StatusCode);
        Assert.Equal("UNAUTHORIZED", (await logAsClient.ReadJsonAsync()).GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("6c1f8a1e-0000-4000-8000-000000000001", HttpStatusCode.NotFound, "JOB_NOT_FOUND")]
    [InlineData("not-a-job", HttpStatusCode.BadRequest, "VALIDATION_FAILED")]
    public async Task The_log_of_an_unknown_job_is_a_problem_with_a_code(string jobId, HttpStatusCode status, string code)
    {
        var client = api.ClientWithKey(null);
        client.DefaultRequestHeaders.Add("X-Internal-Api-Key", VideoApiFactory.InternalKey);

        var response = await client.GetAsync($"/api/v1/internal/video/jobs/{jobId}/attempts/1/log");

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(code, (await response.ReadJsonAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Locally_an_attempt_s_log_is_the_text_the_worker_wrote_and_an_attempt_that_never_ran_has_none()
    {
        var flow = new VideoFlow(api.ClientWithKey());
        var videoId = await flow.CreateAndUploadAsync(TestClips.Generate(320, 240, 2), "Attempt log");
        await flow.CompleteUploadAsync(videoId);
        var job = (await flow.WaitForStatusAsync(videoId, "READY")).GetProperty("job");
        var operatorClient = api.ClientWithKey(null);
        operatorClient.DefaultRequestHeaders.Add("X-Internal-Api-Key", VideoApiFactory.InternalKey);

        var first = await operatorClient.GetAsync($"/api/v1/internal/video/jobs/{job.GetProperty("jobId").GetString()}/attempts/1/log");
        var second = await operatorClient.GetAsync($"/api/v1/internal/video/jobs/{job.GetProperty("jobId").GetString()}/attempts/2/log");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var log = await first.ReadJsonAsync();
        Assert.Equal(job.GetProperty("batchJobId").GetString(), log.GetProperty("runnerJobId").GetString());
        Assert.Contains("BATCH_PROCESS_START", log.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains("BATCH_JOB_COMPLETED", log.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.EndsWith(".log", log.GetProperty("location").GetString(), StringComparison.Ordinal);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, log.GetProperty("consoleUrl").ValueKind);
        Assert.Equal(HttpStatusCode.NotFound, second.StatusCode);
        Assert.Equal("ATTEMPT_NOT_FOUND", (await second.ReadJsonAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task On_Batch_an_attempt_s_log_is_the_AWS_console_page_of_its_Batch_job_in_the_runner_s_region()
    {
        var source = new BatchConsoleAttemptLogSource(Options.Create(new BatchRunnerOptions { Region = "eu-west-1" }));

        var log = await source.FindAsync(Guid.NewGuid(), "4f6c-batch-job-id", CancellationToken.None);

        Assert.Equal("https://eu-west-1.console.aws.amazon.com/batch/home?region=eu-west-1#jobs/detail/4f6c-batch-job-id", log!.ConsoleUrl!.ToString());
        Assert.Null(log.Text);
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(200);
        }
    }
}
