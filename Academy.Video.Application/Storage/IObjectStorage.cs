namespace Academy.Video.Application.Storage;

/// <summary>
/// Object storage: Cloudflare R2 / S3 in production, a local folder by default. Keys come from
/// <c>StorageKeys</c> only. Bodies are streamed from and to files, never held in memory whole.
/// </summary>
public interface IObjectStorage
{
    /// <summary>Where and how the client uploads the source directly (a presigned PUT, or the API's own upload endpoint for local storage).</summary>
    Task<UploadTarget> CreateUploadTargetAsync(string key, string contentType, TimeSpan validFor, CancellationToken cancellationToken);

    /// <summary>The object's size, or null if it does not exist.</summary>
    Task<StoredObject?> HeadAsync(string key, CancellationToken cancellationToken);

    /// <exception cref="ObjectNotFoundException">The key does not exist.</exception>
    Task DownloadToFileAsync(string key, string filePath, CancellationToken cancellationToken);

    Task UploadFileAsync(string filePath, string key, string contentType, CancellationToken cancellationToken);

    /// <summary>Deletes every object under the prefix; returns how many were deleted. Deleting nothing is not an error.</summary>
    Task<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken);

    IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>The URL a player loads the object from (public bucket/CDN base URL, or the API's media route).</summary>
    Uri GetPlaybackUrl(string key);
}

public sealed record UploadTarget(Uri Url, string Method, IReadOnlyDictionary<string, string> Headers, DateTimeOffset ExpiresAt);

public sealed record StoredObject(string Key, long SizeBytes);

public sealed class ObjectNotFoundException(string key) : Exception($"Object '{key}' does not exist.")
{
    public string Key { get; } = key;
}

/// <summary>An object-storage call failed (network, throttling, a server error): another attempt may succeed.</summary>
public sealed class StorageOperationException(string operation, string key, Exception inner)
    : Exception($"Storage {operation} of '{key}' failed: {inner.Message}", inner);
