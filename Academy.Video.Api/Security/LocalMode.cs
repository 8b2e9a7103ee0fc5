using Academy.Video.Infrastructure.Storage;

namespace Academy.Video.Api.Security;

/// <summary>
/// Local mode (README, Configuration): local storage and every URL and listening address on this machine,
/// as <c>build/demo.sh</c> runs. What is refused elsewhere for safety may be allowed here, since nobody but
/// this machine can reach the API.
/// </summary>
public static class LocalMode
{
    public static bool IsOn(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var provider = configuration[StorageServiceCollectionExtensions.ProviderKey];
        if (!string.IsNullOrWhiteSpace(provider) && !provider.Equals(StorageServiceCollectionExtensions.LocalProvider, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var local = new LocalStorageOptions();
        configuration.GetSection(LocalStorageOptions.SectionName).Bind(local);
        return DevelopmentSigningKeyGuard.WhyNotLocal(local, configuration) is null;
    }
}
