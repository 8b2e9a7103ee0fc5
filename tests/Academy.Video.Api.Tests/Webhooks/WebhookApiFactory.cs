using Academy.Video.IntegrationTests.Webhooks;
using Microsoft.AspNetCore.Hosting;

namespace Academy.Video.Api.Tests.Webhooks;

/// <summary>
/// The API with the real worker and a real receiver declared in settings, on delays short enough for tests:
/// retries 0.2 s apart, at most six attempts. Jobs get two attempts, so a DEAD job comes quickly.
/// </summary>
public class WebhookApiFactory : VideoApiFactory
{
    public const string SettingsSecret = "whsec_settings_secret_0123456789";

    public WebhookReceiver Receiver { get; private set; } = null!;

    /// <summary>Where the endpoint declared in settings points.</summary>
    public virtual Uri SettingsEndpoint => Receiver.Url("/settings-hook");

    protected virtual bool? AllowPrivateTargets => true;

    public override async Task InitializeAsync()
    {
        Receiver = WebhookReceiver.Start();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Receiver.DisposeAsync();
    }

    public HttpClient InternalClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Internal-Api-Key", InternalKey);
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        var settings = new Dictionary<string, string?>
        {
            ["Webhooks:AllowPrivateTargets"] = AllowPrivateTargets?.ToString(),
            ["Webhooks:PollInterval"] = "00:00:00.2",
            ["Webhooks:RetryBaseDelay"] = "00:00:00.2",
            ["Webhooks:RetryMaxDelay"] = "00:00:01",
            ["Webhooks:MaxAttempts"] = "6",
            ["Webhooks:RequestTimeout"] = "00:00:05",
            ["Webhooks:Endpoints:0:Url"] = SettingsEndpoint.ToString(),
            ["Webhooks:Endpoints:0:Secret"] = SettingsSecret,
            ["Jobs:MaxAttempts"] = "2",
            ["Runner:Local:Environment:Jobs__MaxAttempts"] = "2",
        };
        foreach (var (key, value) in settings.Where(s => s.Value is not null))
        {
            builder.UseSetting(key, value);
        }
    }
}
