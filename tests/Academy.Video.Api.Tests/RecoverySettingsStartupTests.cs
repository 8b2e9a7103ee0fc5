using System.Net;

namespace Academy.Video.Api.Tests;

/// <summary>
/// The runner-call bound is a resilience timeout, which accepts 10 ms to 24 h: the API (behind real Kestrel) refuses to
/// start with a bound outside that range, naming it, instead of failing every runner call later.
/// </summary>
public sealed class RecoverySettingsStartupTests
{
    private const string OwnKey = "a-secret-of-our-own-0123456789abcdef";

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:00:00.005")]
    [InlineData("2.00:00:00")]
    public async Task The_API_refuses_to_start_with_a_runner_call_bound_outside_10_ms_to_24_h(string bound)
    {
        await using var api = new ProductionApiFactory("https://videos.academy.example", OwnKey, new Dictionary<string, string> { ["Recovery:RunnerCallTimeout"] = bound });
        await api.InitializeAsync();

        var error = Record.Exception(() => api.CreateClient());

        Assert.NotNull(error);
        Assert.Contains("RecoveryOptions.RunnerCallTimeout", ProductionApiFactory.StartupMessages(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_API_starts_with_a_bound_inside_the_range()
    {
        await using var api = new ProductionApiFactory("https://videos.academy.example", OwnKey, new Dictionary<string, string> { ["Recovery:RunnerCallTimeout"] = "00:00:20" });
        await api.InitializeAsync();

        var health = await api.CreateClient().GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
