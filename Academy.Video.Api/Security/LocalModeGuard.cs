using System.Net;
using Academy.Video.Application.Playback;
using Academy.Video.Application.Webhooks;
using Academy.Video.Infrastructure;
using Academy.Video.Infrastructure.Runners;
using Academy.Video.Infrastructure.Storage;
using Microsoft.Extensions.Options;

namespace Academy.Video.Api.Security;

/// <summary>The declared <see cref="LocalMode"/> as the API holds it, so that start-up validates it.</summary>
public sealed class LocalModeOptions
{
    public bool On { get; set; }
}

/// <summary>
/// <c>LocalMode=true</c> declares that nobody but this machine reaches the API (docs/configuration.md, local mode).
/// The API refuses to start with it where a setting says otherwise: S3 storage, the Batch runner, an upload, media
/// or playback URL off this machine, or a listening address on another interface. Each refusal names the setting.
/// </summary>
public sealed class LocalModeGuard(IConfiguration configuration) : IValidateOptions<LocalModeOptions>
{
    public ValidateOptionsResult Validate(string? name, LocalModeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var conflicts = options.On ? Conflicts(configuration) : [];
        return conflicts.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(conflicts);
    }

    /// <summary>What <c>LocalMode=true</c> cannot be combined with, one named line each.</summary>
    public static IReadOnlyList<string> Conflicts(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var conflicts = new List<string>();
        var provider = configuration[StorageServiceCollectionExtensions.ProviderKey];
        if (!string.IsNullOrWhiteSpace(provider) && !provider.Equals(StorageServiceCollectionExtensions.LocalProvider, StringComparison.OrdinalIgnoreCase))
        {
            conflicts.Add(Refused($"{StorageServiceCollectionExtensions.ProviderKey}={provider}", "local mode keeps uploads and media in the local storage folder"));
        }

        if (string.Equals(configuration[RunnerServiceCollectionExtensions.KindKey], "Batch", StringComparison.OrdinalIgnoreCase))
        {
            conflicts.Add(Refused($"{RunnerServiceCollectionExtensions.KindKey}=Batch", "local mode runs the worker on this machine (Runner:Kind=Local)"));
        }

        var local = new LocalStorageOptions();
        configuration.GetSection(LocalStorageOptions.SectionName).Bind(local);
        if (!IsLoopbackUrl(local.PublicBaseUrl))
        {
            conflicts.Add(Refused($"Storage:Local:PublicBaseUrl={local.PublicBaseUrl}", "local mode hands out upload and media URLs on this machine only (127.0.0.0/8, ::1 or localhost)"));
        }

        var playbackBase = configuration[$"{PlaybackOptions.Section}:{nameof(PlaybackOptions.ApiBaseUrl)}"];
        if (!string.IsNullOrWhiteSpace(playbackBase) && !IsLoopbackUrl(playbackBase))
        {
            conflicts.Add(Refused($"Playback:ApiBaseUrl={playbackBase}", "local mode hands out playback URLs on this machine only"));
        }

        var listening = (configuration[WebHostDefaults.ServerUrlsKey] ?? "")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Concat(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(endpoint => endpoint["Url"]).OfType<string>());
        foreach (var open in listening.Where(url => !IsLoopbackBinding(url)))
        {
            conflicts.Add(Refused($"listening on {open} (urls, ASPNETCORE_URLS or Kestrel:Endpoints)", "local mode listens on loopback addresses or a Unix socket only"));
        }

        if (string.IsNullOrEmpty(configuration[WebHostDefaults.ServerUrlsKey])
            && (configuration["http_ports"] ?? configuration["https_ports"]) is { Length: > 0 } ports)
        {
            conflicts.Add(Refused($"http_ports/https_ports={ports}", "these listen on every interface; local mode listens on loopback addresses only"));
        }

        return conflicts;
    }

    private static string Refused(string setting, string why) =>
        $"{LocalMode.Key}=true cannot be combined with {setting}: {why}. Unset {LocalMode.Key} for a deployment, or change the setting.";

    private static bool IsLoopbackUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.IsLoopback;

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

public static class LocalModeServiceCollectionExtensions
{
    /// <summary>
    /// Reads <see cref="LocalMode"/> once for the API's start-up checks: the declared mode and its conflicts, the
    /// development signing key (<see cref="DevelopmentSigningKeyGuard"/>), and private webhook targets, which
    /// follow the mode when <c>Webhooks:AllowPrivateTargets</c> is unset and cannot be allowed outside it.
    /// </summary>
    public static IServiceCollection AddLocalModeGuards(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<LocalModeOptions>().Configure(o => o.On = LocalMode.IsOn(configuration)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LocalModeOptions>, LocalModeGuard>();
        services.AddSingleton<IValidateOptions<LocalStorageOptions>, DevelopmentSigningKeyGuard>();
        services.AddOptions<WebhookOptions>()
            .PostConfigure(o => o.AllowPrivateTargets ??= LocalMode.IsOn(configuration))
            .Validate(o => o.AllowPrivateTargets != true || LocalMode.IsOn(configuration),
                $"{WebhookOptions.AllowPrivateTargetsKey}=true needs {LocalMode.Key}=true: private (non-public) webhook targets are accepted only in local mode.")
            .ValidateOnStart();
        return services;
    }
}
