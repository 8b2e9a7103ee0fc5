using System.Net;
using Academy.Video.IntegrationTests.Runners;

namespace Academy.Video.Api.Tests;

/// <summary>
/// Local mode is declared by <c>LocalMode=true</c>, never inferred (docs/configuration.md, local mode). The API runs
/// behind real Kestrel on a loopback port, here reached through a TCP front on loopback as a reverse proxy on the same
/// machine would reach it, with the front's loopback address as its public URL: without the setting it is not local.
/// </summary>
public sealed class LocalModeTests
{
    private const string OwnKey = "a-secret-of-our-own-0123456789abcdef";

    [Fact]
    public async Task Behind_a_proxy_on_loopback_without_LocalMode_the_API_refuses_the_development_key_at_start()
    {
        var apiPort = ProductionApiFactory.FreePort();
        await using var proxy = new FlakyTcpFront(new Uri($"http://127.0.0.1:{apiPort}"));
        await using var api = new ProductionApiFactory(proxy.BaseAddress.ToString(), signingKey: null, port: apiPort);
        await api.InitializeAsync();

        var error = Record.Exception(() => api.CreateClient());

        Assert.NotNull(error);
        var messages = ProductionApiFactory.StartupMessages(error);
        Assert.Contains("Storage:Local:SigningKey is the development key", messages, StringComparison.Ordinal);
        Assert.Contains("LocalMode is not set", messages, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Behind_a_proxy_on_loopback_without_LocalMode_private_webhook_targets_are_refused()
    {
        var apiPort = ProductionApiFactory.FreePort();
        await using var proxy = new FlakyTcpFront(new Uri($"http://127.0.0.1:{apiPort}"));
        await using var api = new ProductionApiFactory(proxy.BaseAddress.ToString(), OwnKey, port: apiPort);
        await api.InitializeAsync();
        _ = api.CreateClient(); // starts it
        using var client = new HttpClient { BaseAddress = proxy.BaseAddress };
        client.DefaultRequestHeaders.Add("X-Internal-Api-Key", VideoApiFactory.InternalKey);

        var refused = await client.PostJsonAsync("/api/v1/internal/webhooks/endpoints", new { url = "http://127.0.0.1:9/hook" });
        var named = await client.PostJsonAsync("/api/v1/internal/webhooks/endpoints", new { url = "http://localhost:9/hook" });

        Assert.True(proxy.Connections > 0, "the requests went through the proxy");
        foreach (var response in new[] { refused, named })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = await response.ReadJsonAsync();
            Assert.Equal("VALIDATION_FAILED", problem.GetProperty("code").GetString());
            Assert.Contains("private targets are accepted only in local mode (LocalMode=true)",
                problem.GetProperty("errors").GetProperty("url")[0].GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Allowing_private_webhook_targets_without_LocalMode_refuses_to_start()
    {
        await using var api = new ProductionApiFactory("http://127.0.0.1:5080", OwnKey, new Dictionary<string, string> { ["Webhooks:AllowPrivateTargets"] = "true" });
        await api.InitializeAsync();

        var error = Record.Exception(() => api.CreateClient());

        Assert.NotNull(error);
        Assert.Contains("Webhooks:AllowPrivateTargets=true needs LocalMode=true", ProductionApiFactory.StartupMessages(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_LocalMode_the_development_key_and_private_webhook_targets_are_accepted()
    {
        await using var api = new ProductionApiFactory("http://127.0.0.1:5080", signingKey: null, new Dictionary<string, string> { ["LocalMode"] = "true" });
        await api.InitializeAsync();
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Add("X-Internal-Api-Key", VideoApiFactory.InternalKey);

        var added = await client.PostJsonAsync("/api/v1/internal/webhooks/endpoints", new { url = "http://127.0.0.1:9/hook" });

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var created = await api.ClientWithKey().PostJsonAsync("/api/v1/videos", new { title = "t", fileName = "a.mp4", contentType = "video/mp4", sizeBytes = 10 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.StartsWith("http://127.0.0.1:5080/storage/", (await created.ReadJsonAsync()).GetProperty("upload").GetProperty("url").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Storage:Provider=S3", "LocalMode=true cannot be combined with Storage:Provider=S3")]
    [InlineData("Runner:Kind=Batch", "LocalMode=true cannot be combined with Runner:Kind=Batch")]
    [InlineData("urls=http://0.0.0.0:5080", "LocalMode=true cannot be combined with listening on http://0.0.0.0:5080")]
    [InlineData("Kestrel:Endpoints:Public:Url=http://[::]:5080", "LocalMode=true cannot be combined with listening on http://[::]:5080")]
    [InlineData("Storage:Local:PublicBaseUrl=https://videos.academy.example", "LocalMode=true cannot be combined with Storage:Local:PublicBaseUrl=https://videos.academy.example")]
    [InlineData("Playback:ApiBaseUrl=https://videos.academy.example", "LocalMode=true cannot be combined with Playback:ApiBaseUrl=https://videos.academy.example")]
    [InlineData("LocalMode=yes", "LocalMode must be true or false, not 'yes'")]
    public async Task LocalMode_with_a_production_only_setting_refuses_to_start_naming_it(string setting, string failure)
    {
        var (key, value) = (setting[..setting.IndexOf('=', StringComparison.Ordinal)], setting[(setting.IndexOf('=', StringComparison.Ordinal) + 1)..]);
        var settings = new Dictionary<string, string>
        {
            ["LocalMode"] = "true",
            ["Storage:S3:ServiceUrl"] = "http://127.0.0.1:9",
            ["Storage:S3:Bucket"] = "academy-video",
            ["Storage:S3:AccessKey"] = "access-key",
            ["Storage:S3:SecretKey"] = "secret-key",
            ["Runner:Batch:Region"] = "eu-west-1",
            [key] = value,
        };
        await using var api = new ProductionApiFactory("http://127.0.0.1:5080", signingKey: null, settings);
        await api.InitializeAsync();

        var error = Record.Exception(() => api.CreateClient());

        Assert.NotNull(error);
        Assert.Contains(failure, ProductionApiFactory.StartupMessages(error), StringComparison.Ordinal);
    }
}
