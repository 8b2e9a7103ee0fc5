using System.Net;
using Academy.Video.Infrastructure.Storage;
using Microsoft.Extensions.Options;

namespace Academy.Video.Api.Security;

/// <summary>
/// The default <c>Storage:Local:SigningKey</c> is in the source code, so with it anyone can sign upload
/// URLs and write into this API's storage. The API refuses to start with it unless it runs in the
/// Development environment or in local mode (<see cref="WhyNotLocal"/>): then nobody but this machine
/// can reach it. With <c>Storage:Provider=S3</c> no key is used and nothing is checked.
/// </summary>
public sealed class DevelopmentSigningKeyGuard(IHostEnvironment environment, IConfiguration configuration) : IValidateOptions<LocalStorageOptions>
{
    public const string Setting = "Storage:Local:SigningKey";

    public ValidateOptionsResult Validate(string? name, LocalStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.SigningKey != LocalStorageOptions.DevelopmentSigningKey || environment.IsDevelopment()
            || WhyNotLocal(options, configuration) is not { } reason)
        {
            return ValidateOptionsResult.Success;
        }

        return ValidateOptionsResult.Fail(
            $"{Setting} is the development key, which is public in the source code. Set {Setting} (environment variable " +
            $"Storage__Local__SigningKey) to a secret of your own, e.g. the output of `openssl rand -hex 32`. The development key " +
            $"is allowed only in the Development environment or in local mode, and this API is not local: {reason}.");
    }

    /// <summary>
    /// Local mode: local storage whose <c>PublicBaseUrl</c> is a loopback address (the upload and media URLs
    /// handed out point at this machine), and every address the API is configured to listen on is loopback
    /// or a Unix socket (<c>urls</c>/ASPNETCORE_URLS, <c>Kestrel:Endpoints:*:Url</c>; nothing set means
    /// Kestrel's default, localhost:5000). <c>http_ports</c>/<c>https_ports</c> listen on every interface.
    /// </summary>
    /// <returns>Null in local mode, otherwise why not.</returns>
    public static string? WhyNotLocal(LocalStorageOptions options, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configuration);
        if (!Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var publicBase) || !publicBase.IsLoopback)
        {
            return $"Storage:Local:PublicBaseUrl '{options.PublicBaseUrl}' is not a loopback address";
        }

        var listening = (configuration[WebHostDefaults.ServerUrlsKey] ?? "")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Concat(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(endpoint => endpoint["Url"]).OfType<string>());
        if (listening.FirstOrDefault(url => !IsLoopbackBinding(url)) is { } open)
        {
            return $"it listens on '{open}'";
        }

        if (string.IsNullOrEmpty(configuration[WebHostDefaults.ServerUrlsKey])
            && (configuration["http_ports"] ?? configuration["https_ports"]) is { Length: > 0 } ports)
        {
            return $"it listens on every interface (http_ports/https_ports '{ports}')";
        }

        return null;
    }

    private static bool IsLoopbackBinding(string url)
    {
        BindingAddress address;
        try
        {
            address = BindingAddress.Parse(url);
        }
        catch (FormatException)
        {
            return false;
        }

        return address.IsNamedPipe || address.IsUnixPipe
            || address.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }
}
