using Microsoft.AspNetCore.Hosting;

namespace Academy.Video.Api.Tests;

/// <summary>
/// The API as a deployment starts it: the Production environment, its own public base URL, no recovery loops, and
/// the upload-signing key and other settings as given (a null key leaves the development one in place), and a webhook
/// secret key of its own unless the settings give one.
/// </summary>
public sealed class ProductionApiFactory(string publicBaseUrl, string? signingKey, IReadOnlyDictionary<string, string>? settings = null)
    : VideoApiFactory
{
    public const string WebhookKeySetting = "Webhooks:SecretEncryptionKey";

    /// <summary>32 bytes in base64, as <c>openssl rand -base64 32</c> makes them.</summary>
    public const string TestWebhookKey = "q0v1Dq2m1b3Jc4Yk9xW6N8tR5uE7pA2sLzF0gH3iJkM=";

    /// <summary>Every message of a start-up failure and of the exceptions inside it, joined with " | ".</summary>
    public static string StartupMessages(Exception error) => string.Join(" | ", Chain(error).Select(e => e.Message));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
        builder.UseSetting("Storage:Local:PublicBaseUrl", publicBaseUrl);
        builder.UseSetting("Recovery:RunInApi", "false");
        if (signingKey is not null)
        {
            builder.UseSetting("Storage:Local:SigningKey", signingKey);
        }

        // A deployment sets its own webhook secret key (decision 0014); a test leaves it out by giving it as "".
        if (settings?.ContainsKey(WebhookKeySetting) != true)
        {
            builder.UseSetting(WebhookKeySetting, TestWebhookKey);
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }
    }

    private static IEnumerable<Exception> Chain(Exception error) =>
        error is AggregateException aggregate
            ? aggregate.InnerExceptions.SelectMany(Chain).Prepend(error)
            : error.InnerException is { } inner ? Chain(inner).Prepend(error) : [error];
}
