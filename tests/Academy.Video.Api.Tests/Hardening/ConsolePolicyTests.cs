using System.Net;
using Academy.Video.Api.Tests.Uploads;
using Microsoft.AspNetCore.Hosting;

namespace Academy.Video.Api.Tests.Hardening;

/// <summary>The console's Content-Security-Policy sends requests, images and media only to the API and the origins its settings hand out.</summary>
public sealed class ConsolePolicyTests(HardeningApiFactory local, S3ConsolePolicyApiFactory s3) : IClassFixture<HardeningApiFactory>, IClassFixture<S3ConsolePolicyApiFactory>
{
    [Fact]
    public async Task With_local_storage_the_console_reaches_only_itself_and_the_local_public_url()
    {
        var policy = await PolicyAsync(local.CreateClient());

        Assert.Equal(["'self'", "http://localhost"], policy["connect-src"]);
        Assert.Equal(["'self'", "http://localhost"], policy["img-src"]);
        Assert.Equal(["'self'", "http://localhost", "blob:"], policy["media-src"]);
        Assert.Equal(["'self'"], policy["script-src"]);
    }

    [Fact]
    public async Task On_S3_the_console_reaches_only_itself_the_bucket_endpoint_the_CDN_and_the_signed_playback_url()
    {
        var policy = await PolicyAsync(s3.CreateClient());

        string[] origins = ["'self'", S3rverStorage.ServiceUrl, "https://cdn.example.test", "https://api.example.test"];
        Assert.Equal(origins, policy["connect-src"]);
        Assert.Equal(origins, policy["img-src"]);
        Assert.Equal([.. origins, "blob:"], policy["media-src"]);
    }

    private static async Task<Dictionary<string, string[]>> PolicyAsync(HttpClient client)
    {
        var response = await client.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var header = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.DoesNotContain("*", header, StringComparison.Ordinal);
        var policy = header.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(directive => directive.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(parts => parts[0], parts => parts[1..]);
        // A scheme alone ("https:", "http:") would allow every origin of that scheme.
        Assert.All(policy.Values.SelectMany(sources => sources), source => Assert.DoesNotMatch("^(https?|wss?):$", source));
        return policy;
    }
}

/// <summary>The API on s3rver with a CDN in front of the public tree and signed playback on its own public URL.</summary>
public sealed class S3ConsolePolicyApiFactory : VideoApiFactory
{
    public S3ConsolePolicyApiFactory() => UseKestrel(0);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        S3rverStorage.UseFor(builder);
        builder.UseEnvironment("Production");
        builder.UseSetting("Recovery:RunInApi", "false");
        builder.UseSetting("Storage:S3:PublicBaseUrl", "https://cdn.example.test/videos/");
        builder.UseSetting("Playback:Mode", "Signed");
        builder.UseSetting("Playback:SigningKey", HardeningApiFactory.PlaybackSigningKey);
        builder.UseSetting("Playback:ApiBaseUrl", "https://api.example.test/");
    }
}
