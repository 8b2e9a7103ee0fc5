using System.Net;

namespace Academy.Video.Api.Tests;

/// <summary>
/// The development upload-signing key is in the source: the API (behind real Kestrel) starts with it only when local mode
/// is declared (<c>LocalMode=true</c>), whatever its URLs, listening addresses or environment.
/// </summary>
public sealed class SigningKeyStartupTests
{
    [Theory]
    [InlineData("https://videos.academy.example", null)]
    [InlineData("http://127.0.0.1:5080", null)]
    [InlineData("http://localhost:5080", "http://127.0.0.1:5080;http://[::1]:5080")]
    [InlineData("http://127.0.0.1:5080", "Development")]
    [InlineData("http://127.0.0.1:5080", "false")]
    public async Task The_API_refuses_to_start_with_the_development_key_unless_LocalMode_is_declared(string publicBaseUrl, string? variant)
    {
        var settings = variant switch
        {
            null => null,
            "Development" => new Dictionary<string, string> { ["environment"] = "Development" },
            "false" => new Dictionary<string, string> { ["LocalMode"] = "false" },
            _ => new Dictionary<string, string> { ["urls"] = variant },
        };
        await using var api = new ProductionApiFactory(publicBaseUrl, signingKey: null, settings);
        await api.InitializeAsync();

        var error = Record.Exception(() => api.CreateClient());

        Assert.NotNull(error);
        var messages = ProductionApiFactory.StartupMessages(error);
        Assert.Contains("Storage:Local:SigningKey is the development key", messages, StringComparison.Ordinal);
        Assert.Contains("Storage__Local__SigningKey", messages, StringComparison.Ordinal);
        Assert.Contains("accepted only in local mode, declared with LocalMode=true", messages, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", "true", null)]
    [InlineData("http://localhost:5080", "True", null)]
    [InlineData("https://videos.academy.example", null, "a-secret-of-our-own-0123456789abcdef")]
    public async Task The_API_starts_in_declared_local_mode_or_with_a_key_of_its_own(string publicBaseUrl, string? localMode, string? signingKey)
    {
        await using var api = new ProductionApiFactory(publicBaseUrl, signingKey, localMode is null ? null : new Dictionary<string, string> { ["LocalMode"] = localMode });
        await api.InitializeAsync();

        var health = await api.CreateClient().GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
