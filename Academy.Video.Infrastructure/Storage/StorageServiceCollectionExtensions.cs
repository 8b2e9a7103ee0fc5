using Academy.Video.Application.Playback;
using Academy.Video.Application.Storage;
using Academy.Video.Infrastructure.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Academy.Video.Infrastructure.Storage;

public static class StorageServiceCollectionExtensions
{
    public const string ProviderKey = "Storage:Provider";
    public const string LocalProvider = "Local";
    public const string S3Provider = "S3";

    /// <summary>
    /// Registers <see cref="IObjectStorage"/> chosen by <c>Storage:Provider</c>: <c>Local</c> (default,
    /// <see cref="LocalFileObjectStorage"/>, section <c>Storage:Local</c>) or <c>S3</c>
    /// (<see cref="S3ObjectStorage"/>, section <c>Storage:S3</c>). The concrete type is registered too.
    /// Options are validated at startup.
    /// </summary>
    public static IServiceCollection AddObjectStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        var provider = configuration[ProviderKey];

        if (string.IsNullOrWhiteSpace(provider) || provider.Equals(LocalProvider, StringComparison.OrdinalIgnoreCase))
        {
            services.AddSettings<LocalStorageOptions>(configuration, LocalStorageOptions.SectionName);
            services.AddSingleton<IValidateOptions<LocalStorageOptions>, LocalStorageOptionsValidator>();
            services.AddSingleton<LocalFileObjectStorage>();
            services.AddSingleton<IObjectStorage>(serviceProvider => serviceProvider.GetRequiredService<LocalFileObjectStorage>());
            // Local storage is served by the API itself, so signed playback needs no settings of its own.
            services.AddOptions<PlaybackOptions>().PostConfigure<IOptions<LocalStorageOptions>>((playback, local) =>
            {
                playback.SigningKey = string.IsNullOrEmpty(playback.SigningKey) ? local.Value.SigningKey : playback.SigningKey;
                playback.ApiBaseUrl = string.IsNullOrEmpty(playback.ApiBaseUrl) ? local.Value.PublicBaseUrl : playback.ApiBaseUrl;
            });
        }
        else if (provider.Equals(S3Provider, StringComparison.OrdinalIgnoreCase))
        {
            services.AddSettings<S3StorageOptions>(configuration, S3StorageOptions.SectionName);
            services.AddSingleton<IValidateOptions<S3StorageOptions>, S3StorageOptionsValidator>();
            services.AddSingleton<S3ObjectStorage>();
            services.AddSingleton<IObjectStorage>(serviceProvider => serviceProvider.GetRequiredService<S3ObjectStorage>());
        }
        else
        {
            throw new InvalidOperationException($"{ProviderKey} is '{provider}'; use '{LocalProvider}' or '{S3Provider}'.");
        }

        return services;
    }
}

internal sealed class S3StorageOptionsValidator : IValidateOptions<S3StorageOptions>
{
    private const long MinPartSizeBytes = 5L * 1024 * 1024;

    public ValidateOptionsResult Validate(string? name, S3StorageOptions options)
    {
        var failures = new List<string>();
        var section = S3StorageOptions.SectionName;

        if (!Uri.TryCreate(options.ServiceUrl, UriKind.Absolute, out var serviceUrl) || (serviceUrl.Scheme != Uri.UriSchemeHttp && serviceUrl.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{section}:ServiceUrl must be the http(s) endpoint of the S3-compatible service (was '{options.ServiceUrl}').");
        }

        RequireValue(failures, $"{section}:Bucket", options.Bucket);
        RequireValue(failures, $"{section}:AccessKey", options.AccessKey);
        RequireValue(failures, $"{section}:SecretKey", options.SecretKey);
        RequireValue(failures, $"{section}:Region", options.Region);

        if (!string.IsNullOrWhiteSpace(options.PublicBaseUrl) && !Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out _))
        {
            failures.Add($"{section}:PublicBaseUrl must be an absolute URL when set (was '{options.PublicBaseUrl}').");
        }

        if (options.PartSizeBytes < MinPartSizeBytes)
        {
            failures.Add($"{section}:PartSizeBytes must be at least {MinPartSizeBytes} (5 MiB), the S3 minimum part size (was {options.PartSizeBytes}).");
        }

        if (options.MultipartThresholdBytes < options.PartSizeBytes)
        {
            failures.Add($"{section}:MultipartThresholdBytes must be at least PartSizeBytes (was {options.MultipartThresholdBytes}).");
        }

        if (options.UploadParallelism < 1)
        {
            failures.Add($"{section}:UploadParallelism must be at least 1 (was {options.UploadParallelism}).");
        }

        if (options.ListPageSize is < 1 or > 1000)
        {
            failures.Add($"{section}:ListPageSize must be between 1 and 1000 (was {options.ListPageSize}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void RequireValue(List<string> failures, string setting, string value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            failures.Add($"{setting} is required when {StorageServiceCollectionExtensions.ProviderKey} is '{StorageServiceCollectionExtensions.S3Provider}'.");
        }
    }
}

internal sealed class LocalStorageOptionsValidator : IValidateOptions<LocalStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, LocalStorageOptions options)
    {
        var failures = new List<string>();
        var section = LocalStorageOptions.SectionName;

        if (string.IsNullOrWhiteSpace(options.RootPath))
        {
            failures.Add($"{section}:RootPath is required.");
        }

        if (!Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var baseUrl) || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{section}:PublicBaseUrl must be the API's absolute http(s) base URL (was '{options.PublicBaseUrl}').");
        }

        if (string.IsNullOrWhiteSpace(options.SigningKey))
        {
            failures.Add($"{section}:SigningKey must not be empty.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
