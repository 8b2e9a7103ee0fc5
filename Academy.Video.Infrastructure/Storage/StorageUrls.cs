namespace Academy.Video.Infrastructure.Storage;

internal static class StorageUrls
{
    /// <summary><c>{baseUrl}/{segments...}/{key}</c> with each key segment escaped and the slashes kept.</summary>
    public static Uri Combine(string baseUrl, string key, params string[] segments)
    {
        var path = string.Join('/', key.Split('/').Select(Uri.EscapeDataString));
        var parts = segments.Select(Uri.EscapeDataString).Append(path);
        return new Uri($"{baseUrl.TrimEnd('/')}/{string.Join('/', parts)}", UriKind.Absolute);
    }
}
