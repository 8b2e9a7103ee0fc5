using System.Net;
using System.Net.Sockets;
using Academy.Video.IntegrationTests.Webhooks;
using Microsoft.AspNetCore.Hosting;

namespace Academy.Video.Api.Tests.Console;

/// <summary>
/// The API behind Kestrel on a loopback port chosen up front, so the upload and media URLs it hands out
/// point at the address the browser uses (one origin, as in local mode). Sources of 8 MiB or more go up
/// in parts, and a job is DEAD after two failed attempts, so the browser tests see both in seconds. Every
/// event goes to a real webhook receiver, so the operations page has deliveries to show and replay.
/// </summary>
public class ConsoleApiFactory : VideoApiFactory
{
    public const long MultipartThresholdBytes = 8 * 1024 * 1024;

    public ConsoleApiFactory()
    {
        Port = FreePort();
        UseKestrel(Port);
    }

    public int Port { get; }

    public WebhookReceiver Receiver { get; } = WebhookReceiver.Start();

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
        builder.UseSetting("Storage:Local:PublicBaseUrl", BaseUrl);
        builder.UseSetting("Upload:MultipartThreshold", MultipartThresholdBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Jobs:MaxAttempts", "2");
        builder.UseSetting("Runner:Local:Environment:Jobs__MaxAttempts", "2");
        // 2 s segments: a 5 s lecture gets a storyboard of three thumbnails (one per segment) to seek with.
        builder.UseSetting("Runner:Local:Environment:Worker__SegmentDuration", "00:00:02");
        builder.UseSetting("Webhooks:Endpoints:0:Url", Receiver.Url("/console-hook").ToString());
        builder.UseSetting("Webhooks:Endpoints:0:Secret", "whsec_console_secret_0123456789");
        builder.UseSetting("Webhooks:PollInterval", "00:00:00.2");
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Receiver.DisposeAsync();
    }

    /// <summary>A port the system has just handed out and released; Kestrel binds it a moment later.</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
