using System.Net;
using System.Text.Json;

namespace Academy.Video.Api.Tests.Webhooks;

/// <summary>
/// With <c>Webhooks:AllowPrivateTargets=false</c>: private targets are refused when added, and a name that
/// resolves to this machine (accepted at start, where names are not resolved) reaches nothing when connecting.
/// </summary>
public sealed class PrivateTargetTests(PrivateTargetTests.RefusingFactory api) : IClassFixture<PrivateTargetTests.RefusingFactory>
{
    [Theory]
    [InlineData("http://127.0.0.1:9/hook", "a loopback address")]
    [InlineData("http://localhost:9/hook", "a loopback address")]
    [InlineData("http://10.0.0.7/hook", "a private address")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "a link-local address")]
    [InlineData("http://[fd12::1]/hook", "a unique local (private) address")]
    [InlineData("http://[::127.0.0.1]/", "a loopback address (an IPv4-compatible address of 127.0.0.1)")]
    [InlineData("http://[::ffff:10.0.0.7]/hook", "a private address (an IPv4-mapped address of 10.0.0.7)")]
    [InlineData("http://[64:ff9b::a9fe:a9fe]/", "a link-local address (cloud metadata lives there) (a NAT64 address of 169.254.169.254)")]
    [InlineData("http://[2002:7f00:1::1]/hook", "a loopback address (a 6to4 address of 127.0.0.1)")]
    [InlineData("http://[64:ff9b:1::a00:7]/hook", "a local-use NAT64 address")]
    public async Task A_private_target_is_refused_when_added(string url, string reason)
    {
        var response = await api.InternalClient().PostJsonAsync("/api/v1/internal/webhooks/endpoints", new { url });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadJsonAsync();
        Assert.Equal("VALIDATION_FAILED", problem.GetProperty("code").GetString());
        var message = Assert.Single(problem.GetProperty("errors").GetProperty("url").EnumerateArray()).GetString();
        Assert.Contains(reason, message, StringComparison.Ordinal);
        Assert.Contains("accepted only in local mode (LocalMode=true)", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_settings_endpoint_whose_name_resolves_to_this_machine_gets_nothing_and_each_attempt_says_why()
    {
        var created = await api.ClientWithKey().PostJsonAsync("/api/v1/videos", new { title = "t", fileName = "a.mp4", contentType = "video/mp4", sizeBytes = 10 });
        var videoId = (await created.ReadJsonAsync()).GetProperty("videoId").GetGuid();
        Assert.Equal(HttpStatusCode.Accepted, (await api.ClientWithKey().DeleteAsync($"/api/v1/videos/{videoId}")).StatusCode);

        var attempt = await WaitForAttemptAsync(videoId);

        Assert.Equal(("NETWORK_ERROR", JsonValueKind.Null), (attempt.GetProperty("outcome").GetString(), attempt.GetProperty("statusCode").ValueKind));
        Assert.StartsWith("Refused target: 'localhost' resolves to", attempt.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Empty(api.Receiver.Received);
    }

    private async Task<JsonElement> WaitForAttemptAsync(Guid videoId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            var page = await (await api.InternalClient().GetAsync($"/api/v1/internal/webhooks/deliveries?videoId={videoId}")).ReadJsonAsync();
            if (page.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("lastAttempt"))
                    .FirstOrDefault(a => a.ValueKind == JsonValueKind.Object && a.GetProperty("outcome").ValueKind == JsonValueKind.String) is { ValueKind: JsonValueKind.Object } attempt)
            {
                return attempt;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No attempt for video {videoId}: {page}");
            }

            await Task.Delay(200);
        }
    }

    public sealed class RefusingFactory : WebhookApiFactory
    {
        public override Uri SettingsEndpoint => new($"http://localhost:{Receiver.Port}/settings-hook");

        protected override bool? AllowPrivateTargets => false;
    }
}

/// <summary>Unset, <c>Webhooks:AllowPrivateTargets</c> follows the declared local mode; a literal private address in settings is refused at start.</summary>
public sealed class PrivateTargetDefaultTests
{
    [Theory]
    [InlineData("true", null, true)]
    [InlineData(null, "a-secret-of-our-own-0123456789abcdef", false)]
    public async Task Unset_private_targets_are_allowed_in_declared_local_mode_only(string? localMode, string? signingKey, bool allowed)
    {
        // Both on loopback with a loopback public URL: only the LocalMode setting differs.
        await using var api = new ProductionApiFactory("http://127.0.0.1:5080", signingKey, localMode is null ? null : new Dictionary<string, string> { ["LocalMode"] = localMode });
        await api.InitializeAsync();
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Add("X-Internal-Api-Key", VideoApiFactory.InternalKey);

        var response = await client.PostJsonAsync("/api/v1/internal/webhooks/endpoints", new { url = "http://127.0.0.1:9/hook" });

        Assert.Equal(allowed ? HttpStatusCode.Created : HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task The_API_refuses_to_start_with_a_private_address_in_settings_when_private_targets_are_off()
    {
        await using var api = new ProductionApiFactory("https://videos.academy.example", "a-secret-of-our-own-0123456789abcdef", new Dictionary<string, string>
        {
            ["Webhooks:Endpoints:0:Url"] = "http://192.168.1.20/hook",
            ["Webhooks:Endpoints:0:Secret"] = "whsec_settings_secret_0123456789",
        });
        await api.InitializeAsync();

        var error = Record.Exception(() => api.CreateClient());

        Assert.NotNull(error);
        Assert.Contains("Webhooks:Endpoints:0:Url points at 192.168.1.20, a private address", ProductionApiFactory.StartupMessages(error), StringComparison.Ordinal);
    }
}
