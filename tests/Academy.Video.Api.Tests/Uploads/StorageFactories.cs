using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Academy.Video.Api.Tests.Uploads;

/// <summary>The s3rver that <c>build/s3rver.sh start</c> runs (port from ACADEMY_S3_PORT), as the API's and the worker's storage.</summary>
public static class S3rverStorage
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";

    public static string ServiceUrl { get; } = $"http://127.0.0.1:{int.Parse(Environment.GetEnvironmentVariable("ACADEMY_S3_PORT") ?? "54569", CultureInfo.InvariantCulture)}";

    public static string Bucket { get; } = Environment.GetEnvironmentVariable("ACADEMY_S3_BUCKET") ?? "academy-video";

    public static void UseFor(IWebHostBuilder builder)
    {
        var settings = new Dictionary<string, string?>
        {
            // Local mode keeps storage in the local folder: the API refuses it with S3.
            // Outside local mode webhook secrets need a key of their own (docs/decisions/0014).
            ["Webhooks:SecretEncryptionKey"] = ProductionApiFactory.TestWebhookKey,
            ["LocalMode"] = "false",
            ["Storage:Provider"] = "S3",
            ["Storage:S3:ServiceUrl"] = ServiceUrl,
            ["Storage:S3:Bucket"] = Bucket,
            ["Storage:S3:AccessKey"] = AccessKey,
            ["Storage:S3:SecretKey"] = SecretKey,
            ["Runner:Local:Environment:Storage__Provider"] = "S3",
            ["Runner:Local:Environment:Storage__S3__ServiceUrl"] = ServiceUrl,
            ["Runner:Local:Environment:Storage__S3__Bucket"] = Bucket,
            ["Runner:Local:Environment:Storage__S3__AccessKey"] = AccessKey,
            ["Runner:Local:Environment:Storage__S3__SecretKey"] = SecretKey,
        };
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public static AmazonS3Client Client() => new(new BasicAWSCredentials(AccessKey, SecretKey), new AmazonS3Config
    {
        ServiceURL = ServiceUrl,
        ForcePathStyle = true,
        AuthenticationRegion = "auto",
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    });

    /// <summary>Objects and unfinished multipart uploads under the prefix, as S3 lists them.</summary>
    public static async Task<IReadOnlyList<string>> HeldUnderAsync(string prefix)
    {
        using var client = Client();
        var objects = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = prefix });
        var uploads = await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Bucket, Prefix = prefix });
        return [.. (objects.S3Objects ?? []).Select(o => o.Key), .. (uploads.MultipartUploads ?? []).Select(u => $"upload {u.UploadId} of {u.Key}")];
    }

    public static string FileSha256(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(file));
    }

    public static async Task<string> Sha256Async(string key)
    {
        using var client = Client();
        using var response = await client.GetObjectAsync(Bucket, key);
        return Convert.ToHexString(await SHA256.HashDataAsync(response.ResponseStream));
    }
}

/// <summary>The API in process on s3rver; the worker it starts uses s3rver too.</summary>
public sealed class S3VideoApiFactory : VideoApiFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        S3rverStorage.UseFor(builder);
    }
}

/// <summary>The API on a clock the test moves; the worker processes keep real time.</summary>
public class FakeClockVideoApiFactory : VideoApiFactory
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Upload:ExpiryScanInterval", "00:00:01");
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }
}

/// <summary>Uploads on a clock the test moves, in parts from 1 MiB so that small sources show the multipart contract.</summary>
public class UploadExpiryApiFactory : FakeClockVideoApiFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Upload:MultipartThreshold", (1024 * 1024).ToString(CultureInfo.InvariantCulture));
    }
}

public sealed class S3UploadExpiryApiFactory : UploadExpiryApiFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        S3rverStorage.UseFor(builder);
    }
}

/// <summary>
/// Signed playback over real HTTP (ffprobe plays from it): Kestrel on a port chosen up front so the URLs the
/// API hands out point at it, in local mode, on a clock the test moves.
/// </summary>
public class SignedPlaybackApiFactory : FakeClockVideoApiFactory
{
    public const string PlaybackSigningKey = "signed-playback-test-key-0123456789abcdef";

    public SignedPlaybackApiFactory() => UseKestrel(Port);

    public int Port { get; } = FreePort();

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
        builder.UseSetting("Storage:Local:PublicBaseUrl", BaseUrl);
        builder.UseSetting("Playback:Mode", "Signed");
        builder.UseSetting("Playback:UrlValidFor", "01:00:00");
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}

public sealed class S3SignedPlaybackApiFactory : SignedPlaybackApiFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        S3rverStorage.UseFor(builder);
        builder.UseSetting("Playback:SigningKey", PlaybackSigningKey);
        builder.UseSetting("Playback:ApiBaseUrl", BaseUrl);
    }
}
