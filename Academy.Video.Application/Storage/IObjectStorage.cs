namespace Academy.Video.Application.Storage;

/// <summary>
/// Object storage: Cloudflare R2 / S3 in production, a local folder by default. Keys come from
/// <c>StorageKeys</c> only. Bodies are streamed from and to files, never held in memory whole.
/// </summary>
public interface IObjectStorage
{
    /// <summary>
    /// Where and how the client uploads the source directly (a presigned PUT, or the API's own upload
    /// endpoint for local storage). The target accepts a body of exactly <paramref name="sizeBytes"/>
    /// bytes with exactly <paramref name="contentType"/>; storage refuses anything else.
    /// </summary>
    Task<UploadTarget> CreateUploadTargetAsync(string key, string contentType, long sizeBytes, TimeSpan validFor, CancellationToken cancellationToken);

    /// <summary>The object's size, or null if it does not exist.</summary>
    Task<StoredObject?> HeadAsync(string key, CancellationToken cancellationToken);

    /// <exception cref="ObjectNotFoundException">The key does not exist.</exception>
    Task DownloadToFileAsync(string key, string filePath, CancellationToken cancellationToken);

    Task UploadFileAsync(string filePath, string key, string contentType, CancellationToken cancellationToken);

    /// <summary>
    /// Copies an object to another key of the same store without moving its bytes through this process (S3/R2 CopyObject,
    /// a file copy locally). The copy appears whole or not at all; it keeps the source's content type.
    /// </summary>
    /// <exception cref="ObjectNotFoundException">The source does not exist.</exception>
    Task CopyAsync(string sourceKey, string destinationKey, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes every object under the prefix and aborts every unfinished multipart upload of a key under it
    /// (its parts go with it), so storage holds nothing there afterwards. Returns how many objects were
    /// deleted. Deleting nothing is not an error.
    /// </summary>
    Task<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken);

    IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>The URL a player loads the object from (public bucket/CDN base URL, or the API's media route).</summary>
    Uri GetPlaybackUrl(string key);

    /// <summary>A URL that reads the object until <paramref name="expiresAt"/> and no longer (a presigned GET, or the signed media route).</summary>
    Task<Uri> CreateDownloadUrlAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>
    /// Like <see cref="CreateDownloadUrlAsync"/>, and storage answers it with <c>Content-Disposition: attachment</c> naming
    /// <paramref name="fileName"/> (<c>DownloadFileName.ContentDisposition</c>), so a browser saves the file: a presigned GET
    /// with <c>response-content-disposition</c>, or the signed media route with the name signed too.
    /// </summary>
    Task<Uri> CreateAttachmentUrlAsync(string key, string fileName, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>A small text object (a playlist) read whole.</summary>
    /// <exception cref="ObjectNotFoundException">The key does not exist.</exception>
    /// <exception cref="InvalidDataException">The object is larger than <paramref name="maxBytes"/>.</exception>
    Task<string> ReadTextAsync(string key, int maxBytes, CancellationToken cancellationToken);

    /// <summary>The object's first <paramref name="maxBytes"/> bytes, or all of a smaller one: a ranged read, the rest never transferred.</summary>
    /// <exception cref="ObjectNotFoundException">The key does not exist.</exception>
    Task<byte[]> ReadStartAsync(string key, int maxBytes, CancellationToken cancellationToken);

    /// <summary>Starts a multipart upload of <paramref name="key"/>; returns its upload id.</summary>
    Task<string> StartMultipartUploadAsync(string key, string contentType, CancellationToken cancellationToken);

    /// <summary>
    /// Where the client PUTs part <paramref name="partNumber"/> (1-based) of the upload: a body of exactly
    /// <paramref name="sizeBytes"/> bytes; storage refuses any other length.
    /// </summary>
    Task<UploadTarget> CreatePartUploadTargetAsync(string key, string uploadId, int partNumber, long sizeBytes, TimeSpan validFor, CancellationToken cancellationToken);

    /// <summary>The parts storage holds for the upload, by part number.</summary>
    /// <exception cref="MultipartUploadNotFoundException">The upload was completed, aborted or never existed.</exception>
    Task<IReadOnlyList<UploadedPart>> ListPartsAsync(string key, string uploadId, CancellationToken cancellationToken);

    /// <summary>Joins the parts, in part-number order, into the object <paramref name="key"/>; the upload and its parts are gone afterwards.</summary>
    /// <exception cref="MultipartUploadNotFoundException">The upload was completed, aborted or never existed.</exception>
    /// <exception cref="MultipartUploadRejectedException">A part is missing, its ETag differs, or a part before the last is under 5 MiB.</exception>
    Task CompleteMultipartUploadAsync(string key, string uploadId, IReadOnlyList<CompletedPart> parts, CancellationToken cancellationToken);
}

public sealed record UploadTarget(Uri Url, string Method, IReadOnlyDictionary<string, string> Headers, DateTimeOffset ExpiresAt);

public sealed record StoredObject(string Key, long SizeBytes);

/// <param name="ETag">Storage's opaque tag of the part's content, without quotes.</param>
public sealed record UploadedPart(int PartNumber, long SizeBytes, string ETag);

public sealed record CompletedPart(int PartNumber, string ETag);

public sealed class MultipartUploadNotFoundException(string key, string uploadId)
    : Exception($"There is no unfinished multipart upload '{uploadId}' of '{key}'.")
{
    public string Key { get; } = key;

    public string UploadId { get; } = uploadId;
}

/// <summary>Storage refused to complete a multipart upload; <see cref="Code"/> is its reason (<c>InvalidPart</c>, <c>EntityTooSmall</c>, ...).</summary>
public sealed class MultipartUploadRejectedException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

public sealed class ObjectNotFoundException(string key) : Exception($"Object '{key}' does not exist.")
{
    public string Key { get; } = key;
}

/// <summary>An object-storage call failed (network, throttling, a server error): another attempt may succeed.</summary>
public sealed class StorageOperationException(string operation, string key, Exception inner)
    : Exception($"Storage {operation} of '{key}' failed: {inner.Message}", inner);
