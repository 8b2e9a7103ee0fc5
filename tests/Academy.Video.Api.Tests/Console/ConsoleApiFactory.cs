using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;

namespace Academy.Video.Api.Tests.Console;

/// <summary>
/// The API behind Kestrel on a loopback port chosen up front, so the upload and media URLs it hands out
/// point at the address the browser uses (one origin, as in local mode). Sources of 8 MiB or more go up
/// in parts, and a job is DEAD after two failed attempts, so the browser tests see both in seconds.
/// </summary>
public sealed class ConsoleApiFactory : VideoApiFactory
{
    public const long MultipartThresholdBytes = 8 * 1024 * 1024;

    public ConsoleApiFactory()
    {
        Port = FreePort();
        UseKestrel(Port);
    }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
        builder.UseSetting("Storage:Local:PublicBaseUrl", BaseUrl);
        builder.UseSetting("Upload:MultipartThreshold", MultipartThresholdBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Jobs:MaxAttempts", "2");
        builder.UseSetting("Runner:Local:Environment:Jobs__MaxAttempts", "2");
    }

    /// <summary>A port the system has just handed out and released; Kestrel binds it a moment later.</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
