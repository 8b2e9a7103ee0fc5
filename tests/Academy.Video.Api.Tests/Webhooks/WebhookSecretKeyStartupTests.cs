using System.Net;

namespace Academy.Video.Api.Tests.Webhooks;

/// <summary>Webhook secrets are stored encrypted (decision 0014): outside local mode the API does not start without a key of its own.</summary>
public sealed class WebhookSecretKeyStartupTests
{
    private const string SigningKey = "a-secret-of-our-own-0123456789abcdef";

    [Theory]
    [InlineData("", "Webhooks:SecretEncryptionKey is not set")]
    [InlineData("not-base64-and-not-32-bytes", "Webhooks:SecretEncryptionKey must be 32 random bytes in base64")]
    [InlineData("c2hvcnQ=", "Webhooks:SecretEncryptionKey must be 32 random bytes in base64")]
    public async Task Outside_local_mode_the_API_refuses_to_start_without_a_key_of_its_own(string key, string reason)
    {
        await using var api = new ProductionApiFactory("https://videos.academy.example", SigningKey, new Dictionary<string, string>
        {
            [ProductionApiFactory.WebhookKeySetting] = key,
        });
        await api.InitializeAsync();

        var error = Record.Exception(() => api.CreateClient());

        Assert.NotNull(error);
        var messages = ProductionApiFactory.StartupMessages(error);
        Assert.Contains(reason, messages, StringComparison.Ordinal);
        Assert.Contains(key.Length == 0 ? "Webhooks__SecretEncryptionKey" : "openssl rand -base64 32", messages, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_old_key_that_is_not_32_bytes_of_base64_is_refused_at_start()
    {
        await using var api = new ProductionApiFactory("https://videos.academy.example", SigningKey, new Dictionary<string, string>
        {
            ["Webhooks:SecretEncryptionKeys:0"] = "short",
        });
        await api.InitializeAsync();

        var error = Record.Exception(() => api.CreateClient());

        Assert.NotNull(error);
        Assert.Contains("Webhooks:SecretEncryptionKeys:0 must be 32 random bytes in base64", ProductionApiFactory.StartupMessages(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_local_mode_the_API_starts_without_a_key_on_the_development_one()
    {
        await using var api = new ProductionApiFactory("http://127.0.0.1:5080", signingKey: null, new Dictionary<string, string>
        {
            [ProductionApiFactory.WebhookKeySetting] = "",
            ["LocalMode"] = "true",
        });
        await api.InitializeAsync();

        var health = await api.CreateClient().GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
