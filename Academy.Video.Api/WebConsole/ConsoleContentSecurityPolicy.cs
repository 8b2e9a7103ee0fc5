using Academy.Video.Application.Playback;
using Academy.Video.Infrastructure.Storage;

namespace Academy.Video.Api.WebConsole;

/// <summary>
/// The console page's Content-Security-Policy. Scripts and styles come from this origin only. Requests, images and
/// media go to 'self' (the API) and to the origins the settings hand out, and nowhere else (docs/console.md, Headers):
/// uploads go to presigned storage URLs (<c>Storage:Local:PublicBaseUrl</c>, or the S3/R2 endpoint with the bucket
/// as path or host), players load HLS, posters and storyboards from the public base URL (<c>Storage:S3:PublicBaseUrl</c>,
/// a CDN) or from signed URLs of the storage or of <c>Playback:ApiBaseUrl</c>. <c>blob:</c> is only this page's own
/// data: hls.js feeds the video element through a MediaSource blob and runs its transmuxer in a blob worker.
/// </summary>
public static class ConsoleContentSecurityPolicy
{
    public static string For(IConfiguration configuration)
    {
        var origins = string.Join(' ', ExternalOrigins(configuration).Prepend("'self'"));
        return "default-src 'self'; script-src 'self'; style-src 'self'; worker-src 'self' blob:; " +
            $"img-src {origins}; media-src {origins} blob:; connect-src {origins}; " +
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    }

    /// <summary>The origins of storage, CDN and public URLs the settings name, each once, in a stable order.</summary>
    public static IReadOnlyList<string> ExternalOrigins(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var urls = new List<string?>();
        var provider = configuration[StorageServiceCollectionExtensions.ProviderKey];
        if (string.IsNullOrWhiteSpace(provider) || provider.Equals(StorageServiceCollectionExtensions.LocalProvider, StringComparison.OrdinalIgnoreCase))
        {
            var local = new LocalStorageOptions();
            configuration.GetSection(LocalStorageOptions.SectionName).Bind(local);
            urls.Add(local.PublicBaseUrl);
        }
        else
        {
            var s3 = new S3StorageOptions();
            configuration.GetSection(S3StorageOptions.SectionName).Bind(s3);
            urls.Add(s3.ForcePathStyle ? s3.ServiceUrl : BucketHost(s3.ServiceUrl, s3.Bucket));
            urls.Add(s3.PublicBaseUrl);
        }

        urls.Add(configuration[$"{PlaybackOptions.Section}:{nameof(PlaybackOptions.ApiBaseUrl)}"]);
        return urls.Select(Origin).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Virtual-hosted style: presigned URLs name the bucket as the first label of the endpoint's host.</summary>
    private static string? BucketHost(string serviceUrl, string bucket) =>
        Uri.TryCreate(serviceUrl, UriKind.Absolute, out var service) && bucket.Length > 0
            ? new UriBuilder(service) { Host = $"{bucket}.{service.Host}" }.Uri.ToString()
            : null;

    private static string? Origin(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri.GetLeftPart(UriPartial.Authority)
            : null;
}
