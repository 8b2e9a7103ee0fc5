using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;

namespace Academy.Video.Api.Tests;

/// <summary>
/// The API as a deployment starts it, behind Kestrel on a loopback port chosen up front (<see cref="Port"/>, also its
/// <c>urls</c>): the Production environment, <c>LocalMode</c> unset (unless the settings declare it), its own public
/// base URL, no recovery loops, and the upload-signing key and other settings as given (a null key leaves the
/// development one in place), a webhook secret key of its own unless the settings give one. The settings are
/// applied last, so they may override any of these.
/// </summary>
public sealed class ProductionApiFactory : VideoApiFactory
{
    public const string WebhookKeySetting = "Webhooks:SecretEncryptionKey";

    /// <summary>32 bytes in base64, as <c>openssl rand -base64 32</c> makes them.</summary>
    public const string TestWebhookKey = "q0v1Dq2m1b3Jc4Yk9xW6N8tR5uE7pA2sLzF0gH3iJkM=";

    private readonly string publicBaseUrl;
    private readonly string? signingKey;
    private readonly IReadOnlyDictionary<string, string> settings;

    /// <param name="port">The loopback port Kestrel listens on; by default a free one.</param>
    public ProductionApiFactory(string publicBaseUrl, string? signingKey, IReadOnlyDictionary<string, string>? settings = null, int? port = null)
    {
        this.publicBaseUrl = publicBaseUrl;
        this.signingKey = signingKey;
        this.settings = settings ?? new Dictionary<string, string>();
        Port = port ?? FreePort();
        UseKestrel(Port);
    }

    public int Port { get; }

    /// <summary>Every message of a start-up failure and of the exceptions inside it, joined with " | ".</summary>
    public static string StartupMessages(Exception error) => string.Join(" | ", Chain(error).Select(e => e.Message));

    /// <summary>A port the system has just handed out and released; Kestrel binds it a moment later.</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    protected override string? LocalMode => null;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
        builder.UseSetting("urls", $"http://127.0.0.1:{Port}");
        builder.UseSetting("Storage:Local:PublicBaseUrl", publicBaseUrl);
        builder.UseSetting("Recovery:RunInApi", "false");
        if (signingKey is not null)
        {
            builder.UseSetting("Storage:Local:SigningKey", signingKey);
        }

        // A deployment sets its own webhook secret key (decision 0014); a test leaves it out by giving it as "".
        if (!settings.ContainsKey(WebhookKeySetting))
        {
            builder.UseSetting(WebhookKeySetting, TestWebhookKey);
        }

        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }

    private static IEnumerable<Exception> Chain(Exception error) =>
        error is AggregateException aggregate
            ? aggregate.InnerExceptions.SelectMany(Chain).Prepend(error)
            : error.InnerException is { } inner ? Chain(inner).Prepend(error) : [error];
}
