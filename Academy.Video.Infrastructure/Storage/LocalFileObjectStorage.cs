using System.Globalization;
using System.Runtime.CompilerServices;
using Academy.Video.Application.Storage;
using Academy.Video.Domain.Videos;
using Microsoft.Extensions.Options;

namespace Academy.Video.Infrastructure.Storage;

/// <summary>
/// Object storage in a local folder, for running without a cloud account. The API serves
/// <c>PUT /storage/{key}</c> (checked with <see cref="CheckUpload"/>, stored with <see cref="WriteUploadAsync"/>,
/// or a multipart upload's part with <see cref="WritePartAsync"/>) and <c>GET /media/{key}</c> (found with
/// <see cref="FindFile"/>; in signed playback checked with <see cref="CheckDownload"/>).
/// </summary>
public sealed class LocalFileObjectStorage : IObjectStorage
{
    /// <summary>In-progress writes live here by default, on the same volume as the objects so the final rename is atomic.</summary>
    private const string TemporaryFolderName = ".tmp";

    private readonly string _root;
    private readonly string _temporaryFolder;
    private readonly string _publicBaseUrl;
    private readonly TimeProvider _timeProvider;
    private readonly LocalMultipartUploads _multipart;

    public LocalFileObjectStorage(IOptions<LocalStorageOptions> options, TimeProvider timeProvider)
    {
        var value = options.Value;
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(value.RootPath));
        _temporaryFolder = string.IsNullOrWhiteSpace(value.TemporaryDirectory)
            ? Path.Combine(_root, TemporaryFolderName)
            : Path.GetFullPath(value.TemporaryDirectory);
        _publicBaseUrl = value.PublicBaseUrl.TrimEnd('/');
        _timeProvider = timeProvider;
        Signature = new LocalUploadSignature(value.SigningKey, timeProvider);
        _multipart = new LocalMultipartUploads(_root, _temporaryFolder);
    }

    public string RootPath => _root;

    public LocalUploadSignature Signature { get; }

    public Task<UploadTarget> CreateUploadTargetAsync(string key, string contentType, long sizeBytes, TimeSpan validFor, CancellationToken cancellationToken)
    {
        ResolveKey(key);
        if (validFor <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(validFor), validFor, "An upload URL must be valid for more than zero.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sizeBytes);
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(_timeProvider.GetUtcNow().Add(validFor).ToUnixTimeSeconds());
        var expires = expiresAt.ToUnixTimeSeconds();
        var signature = Signature.Sign("PUT", key, expires, contentType, sizeBytes);
        var url = new UriBuilder(StorageUrls.Combine(_publicBaseUrl, key, "storage"))
        {
            Query = string.Create(CultureInfo.InvariantCulture, $"expires={expires}&size={sizeBytes}&signature={signature}"),
        }.Uri;

        var headers = new Dictionary<string, string> { ["Content-Type"] = contentType };
        return Task.FromResult(new UploadTarget(url, "PUT", headers, expiresAt));
    }

    /// <summary>
    /// Checks an upload request against its URL, as S3 checks a presigned PUT: the signature over method,
    /// key, expiry, content type and size first, then the request's Content-Length against the signed size.
    /// Nothing is read from the body, so a refused upload stores nothing.
    /// </summary>
    internal static void ThrowIfNotPartNumber(int partNumber)
    {
        if (!UploadPlan.IsPartNumber(partNumber))
        {
            throw new ArgumentOutOfRangeException(nameof(partNumber), partNumber, $"A part number is 1 to {UploadPlan.MaxParts}.");
        }
    }

    public UploadCheck CheckUpload(LocalUploadRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!IsValidKey(request.Key) || request.ExpiresUnixSeconds is not { } expires || request.SizeBytes is not { } size)
        {
            return UploadCheck.Invalid;
        }

        if (request.PartNumber is { } number && !UploadPlan.IsPartNumber(number))
        {
            return UploadCheck.PartNumberOutOfRange;
        }

        var signature = request.UploadId is { } uploadId
            ? request.PartNumber is { } partNumber && request.Method == "PUT" && LocalMultipartUploads.IsUploadId(uploadId)
                ? Signature.VerifyPart(request.Key, uploadId, partNumber, expires, size, request.Signature)
                : UploadCheck.Invalid
            : Signature.Verify(request.Method, request.Key, expires, request.ContentType, size, request.Signature);
        return signature != UploadCheck.Valid ? signature
            : request.ContentLength is not { } length ? UploadCheck.LengthRequired
            : length > size ? UploadCheck.TooLarge
            : length < size ? UploadCheck.TooSmall
            : UploadCheck.Valid;
    }

    /// <summary>
    /// Stores the body of an upload that <see cref="CheckUpload"/> let through. A body that turns out
    /// longer or shorter than <paramref name="sizeBytes"/> throws <see cref="InvalidDataException"/> and stores nothing.
    /// </summary>
    public Task WriteUploadAsync(string key, Stream body, long sizeBytes, CancellationToken cancellationToken)
    {
        var path = ResolveKey(key);
        return FileDownload.WriteAtomicallyAsync(body, path, TemporaryPath(), sizeBytes, cancellationToken);
    }

    /// <summary>
    /// Stores the body of a part that <see cref="CheckUpload"/> let through and returns its ETag; a body that turns
    /// out longer or shorter throws <see cref="InvalidDataException"/> and stores nothing.
    /// </summary>
    /// <exception cref="MultipartUploadNotFoundException">The upload was completed or aborted.</exception>
    public Task<string> WritePartAsync(string key, string uploadId, int partNumber, Stream body, long sizeBytes, CancellationToken cancellationToken) =>
        _multipart.WritePartAsync(key, ResolveKey(key), uploadId, partNumber, body, sizeBytes, cancellationToken);

    public Task<string> StartMultipartUploadAsync(string key, string contentType, CancellationToken cancellationToken) =>
        _multipart.StartAsync(key, ResolveKey(key), cancellationToken);

    public Task<UploadTarget> CreatePartUploadTargetAsync(string key, string uploadId, int partNumber, long sizeBytes, TimeSpan validFor, CancellationToken cancellationToken)
    {
        ResolveKey(key);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sizeBytes);
        ThrowIfNotPartNumber(partNumber);
        if (validFor <= TimeSpan.Zero || !LocalMultipartUploads.IsUploadId(uploadId))
        {
            throw new ArgumentException($"A part URL needs an upload id of this store and a validity above zero (was '{uploadId}', {validFor}).", nameof(uploadId));
        }

        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(_timeProvider.GetUtcNow().Add(validFor).ToUnixTimeSeconds());
        var expires = expiresAt.ToUnixTimeSeconds();
        var signature = Signature.SignPart(key, uploadId, partNumber, expires, sizeBytes);
        var url = new UriBuilder(StorageUrls.Combine(_publicBaseUrl, key, "storage"))
        {
            Query = string.Create(CultureInfo.InvariantCulture, $"uploadId={uploadId}&partNumber={partNumber}&expires={expires}&size={sizeBytes}&signature={signature}"),
        }.Uri;
        return Task.FromResult(new UploadTarget(url, "PUT", new Dictionary<string, string>(), expiresAt));
    }

    public Task<IReadOnlyList<UploadedPart>> ListPartsAsync(string key, string uploadId, CancellationToken cancellationToken) =>
        _multipart.ListPartsAsync(key, ResolveKey(key), uploadId, cancellationToken);

    public Task CompleteMultipartUploadAsync(string key, string uploadId, IReadOnlyList<CompletedPart> parts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parts);
        return _multipart.CompleteAsync(key, ResolveKey(key), uploadId, parts, cancellationToken);
    }

    /// <summary>A URL of the media route that serves the object until <paramref name="expiresAt"/> (whole seconds).</summary>
    public Task<Uri> CreateDownloadUrlAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ResolveKey(key);
        var expires = expiresAt.ToUnixTimeSeconds();
        var url = new UriBuilder(StorageUrls.Combine(_publicBaseUrl, key, "media"))
        {
            Query = string.Create(CultureInfo.InvariantCulture, $"expires={expires}&signature={Signature.SignDownload(key, expires)}"),
        }.Uri;
        return Task.FromResult(url);
    }

    /// <summary>A URL of the media route that serves the object as an attachment named <paramref name="fileName"/> until <paramref name="expiresAt"/>; the name is signed with it.</summary>
    public Task<Uri> CreateAttachmentUrlAsync(string key, string fileName, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        ResolveKey(key);
        var expires = expiresAt.ToUnixTimeSeconds();
        var url = new UriBuilder(StorageUrls.Combine(_publicBaseUrl, key, "media"))
        {
            Query = string.Create(CultureInfo.InvariantCulture,
                $"expires={expires}&filename={Uri.EscapeDataString(fileName)}&signature={Signature.SignAttachment(key, expires, fileName)}"),
        }.Uri;
        return Task.FromResult(url);
    }

    /// <summary>Checks an attachment request (one with a <c>filename</c>) against its signed URL, in either playback mode.</summary>
    public UploadCheck CheckAttachment(string key, long? expiresUnixSeconds, string fileName, string? signature) =>
        IsValidKey(key) && expiresUnixSeconds is { } expires
            ? Signature.VerifyAttachment(key, expires, fileName, signature)
            : UploadCheck.Invalid;

    /// <summary>Checks a media request against its signed URL: <see cref="UploadCheck.Valid"/>, <see cref="UploadCheck.Expired"/> or <see cref="UploadCheck.Invalid"/>.</summary>
    public UploadCheck CheckDownload(string key, long? expiresUnixSeconds, string? signature) =>
        IsValidKey(key) && expiresUnixSeconds is { } expires
            ? Signature.VerifyDownload(key, expires, signature)
            : UploadCheck.Invalid;

    public async Task<string> ReadTextAsync(string key, int maxBytes, CancellationToken cancellationToken)
    {
        var file = FindFile(key) ?? throw new ObjectNotFoundException(key);
        if (file.Length > maxBytes)
        {
            throw new InvalidDataException($"Object '{key}' is {file.Length} bytes, more than the {maxBytes} expected.");
        }

        return await File.ReadAllTextAsync(file.FullName, cancellationToken).ConfigureAwait(false);
    }

    public async Task<byte[]> ReadStartAsync(string key, int maxBytes, CancellationToken cancellationToken)
    {
        var file = FindFile(key) ?? throw new ObjectNotFoundException(key);
        var stream = file.OpenRead();
        await using (stream.ConfigureAwait(false))
        {
            return await StreamPrefix.ReadAsync(stream, maxBytes, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Streams <paramref name="body"/> into the object; a partial or failed write never becomes visible.</summary>
    public Task WriteAsync(string key, Stream body, CancellationToken cancellationToken)
    {
        var path = ResolveKey(key);
        return FileDownload.WriteAtomicallyAsync(body, path, TemporaryPath(), exactLength: null, cancellationToken);
    }

    /// <summary>The object's file, or null when it does not exist.</summary>
    public FileInfo? FindFile(string key)
    {
        var file = new FileInfo(ResolveKey(key));
        return file.Exists ? file : null;
    }

    public Task<StoredObject?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        var file = FindFile(key);
        return Task.FromResult(file is null ? null : new StoredObject(key, file.Length));
    }

    public async Task DownloadToFileAsync(string key, string filePath, CancellationToken cancellationToken)
    {
        var file = FindFile(key) ?? throw new ObjectNotFoundException(key);
        var destination = Path.GetFullPath(filePath);
        await using var source = OpenRead(file);
        await FileDownload.WriteAtomicallyAsync(source, destination, FileDownload.TemporaryPathBeside(destination), exactLength: null, cancellationToken).ConfigureAwait(false);
    }

    public async Task UploadFileAsync(string filePath, string key, string contentType, CancellationToken cancellationToken)
    {
        await using var source = OpenRead(new FileInfo(filePath));
        await WriteAsync(key, source, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A file copy, written beside and renamed into place like every write here.</summary>
    public async Task CopyAsync(string sourceKey, string destinationKey, CancellationToken cancellationToken)
    {
        var file = FindFile(sourceKey) ?? throw new ObjectNotFoundException(sourceKey);
        await using var source = OpenRead(file);
        await WriteAsync(destinationKey, source, cancellationToken).ConfigureAwait(false);
    }

    public Task<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        _multipart.AbortUnder(prefix, SearchFolder(prefix));
        var deleted = 0;
        foreach (var (_, file) in Enumerate(prefix))
        {
            cancellationToken.ThrowIfCancellationRequested();
            file.Delete();
            deleted++;
            RemoveEmptyDirectories(file.DirectoryName!);
        }

        return Task.FromResult(deleted);
    }

    public async IAsyncEnumerable<StoredObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var (key, file) in Enumerate(prefix))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new StoredObject(key, file.Length);
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    public Uri GetPlaybackUrl(string key)
    {
        ResolveKey(key);
        return StorageUrls.Combine(_publicBaseUrl, key, "media");
    }

    private string TemporaryPath() => Path.Combine(_temporaryFolder, $"{Guid.NewGuid():N}.partial");

    private static FileStream OpenRead(FileInfo file) =>
        new(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1024 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);

    /// <summary>Objects whose key starts with <paramref name="prefix"/>, in key order like an S3 listing.</summary>
    private IEnumerable<(string Key, FileInfo File)> Enumerate(string prefix)
    {
        var folder = SearchFolder(prefix);
        if (!Directory.Exists(folder))
        {
            return [];
        }

        return new DirectoryInfo(folder)
            .EnumerateFiles("*", SearchOption.AllDirectories)
            .Select(file => (Key: Path.GetRelativePath(_root, file.FullName).Replace(Path.DirectorySeparatorChar, '/'), File: file))
            .Where(entry => entry.Key.StartsWith(prefix, StringComparison.Ordinal) && IsValidKey(entry.Key))
            .OrderBy(entry => entry.Key, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Only the folder named by the prefix's complete segments can hold matches.</summary>
    private string SearchFolder(string prefix)
    {
        if (prefix.Length > 0 && !IsValidKey(prefix.TrimEnd('/')))
        {
            throw new ArgumentException($"'{prefix}' is not a valid storage prefix.", nameof(prefix));
        }

        var lastSlash = prefix.LastIndexOf('/');
        return lastSlash < 0 ? _root : Path.Combine(_root, prefix[..lastSlash]);
    }

    private void RemoveEmptyDirectories(string directory)
    {
        while (directory.Length > _root.Length && directory.StartsWith(_root, StringComparison.Ordinal)
            && !Directory.EnumerateFileSystemEntries(directory).Any())
        {
            Directory.Delete(directory);
            directory = Path.GetDirectoryName(directory)!;
        }
    }

    private string ResolveKey(string key)
    {
        if (!IsValidKey(key))
        {
            throw new ArgumentException($"'{key}' is not a valid storage key: use relative '/'-separated names without '.', '..', hidden or empty segments.", nameof(key));
        }

        var path = Path.GetFullPath(Path.Combine(_root, key));
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{key}' resolves outside the storage root.", nameof(key));
        }

        return path;
    }

    /// <summary>
    /// Relative, '/'-separated, no empty segments and no segment starting with '.' (which rules out
    /// '.' and '..' and keeps the temporary folder out of the key space).
    /// </summary>
    private static bool IsValidKey(string key) =>
        !string.IsNullOrEmpty(key)
        && key.IndexOfAny(['\\', ':', '\0']) < 0
        && !Path.IsPathRooted(key)
        && key.Split('/').All(segment => segment.Length > 0 && segment[0] != '.');
}

/// <summary>
/// An upload as the local route receives it: the URL's query values and the request's headers, each null when
/// absent. A part of a multipart upload carries <see cref="UploadId"/> and <see cref="PartNumber"/> as well.
/// </summary>
public sealed record LocalUploadRequest(
    string Method,
    string Key,
    long? ExpiresUnixSeconds,
    long? SizeBytes,
    string? Signature,
    string? ContentType,
    long? ContentLength)
{
    public string? UploadId { get; init; }

    public int? PartNumber { get; init; }
}
