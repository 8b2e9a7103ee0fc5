using Microsoft.AspNetCore.Hosting;

namespace Academy.Video.Api.Tests;

/// <summary>
/// The API behind Kestrel on a free loopback port, in the Production environment, in local mode as
/// <c>build/demo.sh</c> runs it: real HTTP, so Kestrel's own framing and body limits take part.
/// </summary>
public sealed class KestrelVideoApiFactory : VideoApiFactory
{
    public KestrelVideoApiFactory() => UseKestrel(0);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
    }
}
