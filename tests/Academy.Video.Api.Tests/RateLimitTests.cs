using System.Net;
using Microsoft.AspNetCore.Hosting;

namespace Academy.Video.Api.Tests;

/// <summary>
/// Per-client limits on creates and uploads over real Kestrel (docs/api.md, rate limits): each configured key has its
/// own allowance, requests without one are counted by address, and past the limit the answer is 429
/// <c>TOO_MANY_REQUESTS</c> with <c>Retry-After</c>.
/// </summary>
public sealed class RateLimitTests
{
    private const string OtherKey = "test-other-client-key-0123456789";

    [Fact]
    public async Task The_creates_past_the_limit_get_429_with_Retry_After_and_another_key_is_not_throttled()
    {
        await using var api = new LimitedApiFactory(creates: 3, uploads: 100);
        await api.InitializeAsync();
        var client = api.ClientWithKey();

        foreach (var _ in Enumerable.Range(0, 3))
        {
            Assert.Equal(HttpStatusCode.Created, (await CreateAsync(client)).StatusCode);
        }

        var refused = await CreateAsync(client);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.ReadJsonAsync();
        Assert.Equal("TOO_MANY_REQUESTS", problem.GetProperty("code").GetString());
        Assert.Contains("RateLimits:CreatesPerWindow", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var retryAfter = Assert.Single(refused.Headers.GetValues("Retry-After"));
        Assert.InRange(int.Parse(retryAfter, System.Globalization.CultureInfo.InvariantCulture), 1, 60);

        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(api.ClientWithKey(OtherKey))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/videos")).StatusCode); // reads are not limited
    }

    [Fact]
    public async Task The_upload_routes_share_one_allowance_per_key()
    {
        await using var api = new LimitedApiFactory(creates: 100, uploads: 2);
        await api.InitializeAsync();
        var client = api.ClientWithKey();
        var other = api.ClientWithKey(OtherKey);
        var videoId = (await (await CreateAsync(client)).ReadJsonAsync()).GetProperty("videoId").GetGuid();
        var otherVideoId = (await (await CreateAsync(other)).ReadJsonAsync()).GetProperty("videoId").GetGuid();

        var first = await client.GetAsync($"/api/v1/videos/{videoId}/upload");
        var second = await client.GetAsync($"/api/v1/videos/{videoId}/upload");
        var complete = await client.PostAsync($"/api/v1/videos/{videoId}/upload-complete", null);

        Assert.NotEqual(HttpStatusCode.TooManyRequests, first.StatusCode);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, complete.StatusCode);
        Assert.Equal("TOO_MANY_REQUESTS", (await complete.ReadJsonAsync()).GetProperty("code").GetString());
        Assert.True(complete.Headers.RetryAfter is not null, "Retry-After");
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await other.GetAsync($"/api/v1/videos/{otherVideoId}/upload")).StatusCode);
    }

    [Fact]
    public async Task Requests_without_a_configured_key_are_refused_before_the_limits_and_use_none_of_them()
    {
        await using var api = new LimitedApiFactory(creates: 2, uploads: 100);
        await api.InitializeAsync();

        foreach (var key in new string?[] { null, "not-a-key-of-this-api-0123456789", "another-wrong-key-0123456789", null, "x" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await CreateAsync(api.ClientWithKey(key))).StatusCode);
        }

        var client = api.ClientWithKey();
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(client)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await CreateAsync(client)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await CreateAsync(client)).StatusCode);
    }

    [Fact]
    public async Task A_window_of_zero_turns_the_limits_off()
    {
        await using var api = new LimitedApiFactory(creates: 1, uploads: 1, window: "00:00:00");
        await api.InitializeAsync();
        var client = api.ClientWithKey();

        foreach (var _ in Enumerable.Range(0, 4))
        {
            Assert.Equal(HttpStatusCode.Created, (await CreateAsync(client)).StatusCode);
        }
    }

    private static Task<HttpResponseMessage> CreateAsync(HttpClient client) =>
        client.PostJsonAsync("/api/v1/videos", new { title = "t", fileName = "a.mp4", contentType = "video/mp4", sizeBytes = 10 });

    /// <summary>Kestrel on a loopback port, two client keys, and limits low enough to reach (a minute's window, so none rolls over mid-test).</summary>
    private sealed class LimitedApiFactory : VideoApiFactory
    {
        private readonly int creates;
        private readonly int uploads;
        private readonly string window;

        public LimitedApiFactory(int creates, int uploads, string window = "00:01:00")
        {
            (this.creates, this.uploads, this.window) = (creates, uploads, window);
            UseKestrel(0);
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment("Production");
            builder.UseSetting("Recovery:RunInApi", "false");
            builder.UseSetting("Auth:ApiKeys:1", OtherKey);
            builder.UseSetting("RateLimits:CreatesPerWindow", creates.ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.UseSetting("RateLimits:UploadsPerWindow", uploads.ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.UseSetting("RateLimits:Window", window);
        }
    }
}
