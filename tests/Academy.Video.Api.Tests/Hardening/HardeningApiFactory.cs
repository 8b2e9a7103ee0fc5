using Academy.Video.Api.Tests.Webhooks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Academy.Video.Api.Tests.Hardening;

/// <summary>
/// The API behind Kestrel in the Production environment, in local mode with signed playback, a webhook endpoint
/// whose URL carries a token, and every log line it writes captured (<see cref="CapturedLog"/>).
/// </summary>
public sealed class HardeningApiFactory : WebhookApiFactory
{
    public const string WebhookToken = "webhook-token-must-not-be-logged-5f1c";

    public const string PlaybackSigningKey = "playback-signing-key-0123456789abcdef-0123456789";

    public HardeningApiFactory() => UseKestrel(0);

    public CapturedLog Log { get; } = new();

    public override Uri SettingsEndpoint => Receiver.Url($"/settings-hook?token={WebhookToken}");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
        builder.UseSetting("Playback:Mode", "Signed");
        builder.UseSetting("Playback:SigningKey", PlaybackSigningKey);
        builder.ConfigureServices(services => services.AddSingleton<ILoggerProvider>(Log));
    }
}
