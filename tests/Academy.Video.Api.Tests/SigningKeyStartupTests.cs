using System.Net;

namespace Academy.Video.Api.Tests;

/// <summary>The development upload-signing key is in the source: outside development and local mode the API refuses to start with it.</summary>
public sealed class SigningKeyStartupTests
{
    [Theory]
    [InlineData("https://videos.academy.example", null)]
    [InlineData("http://203.0.113.10:5080", null)]
    [InlineData("http://127.0.0.1:5080", "http://0.0.0.0:5080")]
    [InlineData("http://localhost:5080", "http://*:5080")]
    public async Task The_API_refuses_to_start_in_Production_with_the_development_key_when_it_is_not_local(string publicBaseUrl, string? listenUrls)
    {
        await using var api = new ProductionApiFactory(publicBaseUrl, signingKey: null, ListenOn(listenUrls));
        await api.InitializeAsync();

        var error = Record.Exception(() => api.CreateClient());

        Assert.NotNull(error);
        var messages = ProductionApiFactory.StartupMessages(error);
        Assert.Contains("Storage:Local:SigningKey is the development key", messages, StringComparison.Ordinal);
        Assert.Contains("Storage__Local__SigningKey", messages, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", null, null)]
    [InlineData("http://localhost:5080", "http://127.0.0.1:5080;http://[::1]:5080", null)]
    [InlineData("https://videos.academy.example", null, "a-secret-of-our-own-0123456789abcdef")]
    public async Task The_API_starts_in_Production_in_local_mode_or_with_a_key_of_its_own(string publicBaseUrl, string? listenUrls, string? signingKey)
    {
        await using var api = new ProductionApiFactory(publicBaseUrl, signingKey, ListenOn(listenUrls));
        await api.InitializeAsync();

        var health = await api.CreateClient().GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private static Dictionary<string, string>? ListenOn(string? listenUrls) => listenUrls is null ? null : new() { ["urls"] = listenUrls };
}
