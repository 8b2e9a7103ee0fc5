using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Academy.Video.Application.Storage;

namespace Academy.Video.UnitTests.Fakes;

public sealed class InMemoryObjectStorage(TimeProvider time) : IObjectStorage
{
    private readonly ConcurrentDictionary<string, byte[]> objects = new();
    private readonly ConcurrentQueue<string> uploadOrder = new();
    private readonly ConcurrentDictionary<string, (string Key, ConcurrentDictionary<int, byte[]> Parts)> multipartUploads = new();

    public IReadOnlyList<string> UploadOrder => uploadOrder.ToList();

    public IReadOnlyCollection<string> Keys => objects.Keys.ToList();

    public Exception? FailDeletesWith { get; set; }

    /// <summary>When set, uploads beyond this many fail as an unreachable bucket would.</summary>
    public int? FailUploadsAfter { get; set; }

    private int uploads;

    public void Put(string key, byte[] bytes) => objects[key] = bytes;

    public IReadOnlyCollection<string> UnfinishedUploads => multipartUploads.Keys.ToList();

    /// <summary>A client's PUT of a part to its URL.</summary>
    public void PutPart(string uploadId, int partNumber, byte[] bytes) => multipartUploads[uploadId].Parts[partNumber] = bytes;

    public Task<UploadTarget> CreateUploadTargetAsync(string key, string contentType, long sizeBytes, TimeSpan validFor, CancellationToken cancellationToken) =>
        Task.FromResult(new UploadTarget(
            new Uri($"https://storage.test/{key}?size={sizeBytes}"),
            "PUT",
            new Dictionary<string, string> { ["Content-Type"] = contentType },
            time.GetUtcNow() + validFor));

    public Task<StoredObject?> HeadAsync(string key, CancellationToken cancellationToken) =>
        Task.FromResult(objects.TryGetValue(key, out var bytes) ? new StoredObject(key, bytes.LongLength) : null);

    public async Task DownloadToFileAsync(string key, string filePath, CancellationToken cancellationToken)
    {
        if (!objects.TryGetValue(key, out var bytes))
        {
            throw new ObjectNotFoundException(key);
        }

        await File.WriteAllBytesAsync(filePath, bytes, cancellationToken);
    }

    public async Task UploadFileAsync(string filePath, string key, string contentType, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref uploads) > FailUploadsAfter)
        {
            throw new HttpRequestException("R2 answered 503 (test).");
        }

        objects[key] = await File.ReadAllBytesAsync(filePath, cancellationToken);
        uploadOrder.Enqueue(key);
    }

    public IReadOnlyList<(string From, string To)> Copies => copies.ToList();

    private readonly ConcurrentQueue<(string From, string To)> copies = new();

    public Task CopyAsync(string sourceKey, string destinationKey, CancellationToken cancellationToken)
    {
        if (!objects.TryGetValue(sourceKey, out var bytes))
        {
            throw new ObjectNotFoundException(sourceKey);
        }

        objects[destinationKey] = bytes;
        copies.Enqueue((sourceKey, destinationKey));
        return Task.CompletedTask;
    }

    public Task<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        if (FailDeletesWith is { } failure)
        {
            throw failure;
        }

        foreach (var (uploadId, upload) in multipartUploads.Where(u => u.Value.Key.StartsWith(prefix, StringComparison.Ordinal)).ToList())
        {
            multipartUploads.TryRemove(uploadId, out _);
        }

        var doomed = objects.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        foreach (var key in doomed)
        {
            objects.TryRemove(key, out _);
        }

        return Task.FromResult(doomed.Count);
    }

    public async IAsyncEnumerable<StoredObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var (key, bytes) in objects.Where(o => o.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            await Task.Yield();
            yield return new StoredObject(key, bytes.LongLength);
        }
    }

    public Uri GetPlaybackUrl(string key) => new($"https://cdn.test/{key}");

    public Task<Uri> CreateDownloadUrlAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        Task.FromResult(new Uri($"https://storage.test/{key}?expires={expiresAt.ToUnixTimeSeconds()}"));

    public Task<Uri> CreateAttachmentUrlAsync(string key, string fileName, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        Task.FromResult(new Uri($"https://storage.test/{key}?expires={expiresAt.ToUnixTimeSeconds()}&filename={Uri.EscapeDataString(fileName)}"));

    public Task<string> ReadTextAsync(string key, int maxBytes, CancellationToken cancellationToken) =>
        objects.TryGetValue(key, out var bytes) ? Task.FromResult(System.Text.Encoding.UTF8.GetString(bytes)) : throw new ObjectNotFoundException(key);

    public Task<byte[]> ReadStartAsync(string key, int maxBytes, CancellationToken cancellationToken) =>
        objects.TryGetValue(key, out var bytes) ? Task.FromResult(bytes.Take(maxBytes).ToArray()) : throw new ObjectNotFoundException(key);

    public Task<string> StartMultipartUploadAsync(string key, string contentType, CancellationToken cancellationToken)
    {
        var uploadId = Guid.NewGuid().ToString("N");
        multipartUploads[uploadId] = (key, new ConcurrentDictionary<int, byte[]>());
        return Task.FromResult(uploadId);
    }

    public Task<UploadTarget> CreatePartUploadTargetAsync(string key, string uploadId, int partNumber, long sizeBytes, TimeSpan validFor, CancellationToken cancellationToken) =>
        Task.FromResult(new UploadTarget(
            new Uri($"https://storage.test/{key}?uploadId={uploadId}&partNumber={partNumber}&size={sizeBytes}"),
            "PUT",
            new Dictionary<string, string>(),
            time.GetUtcNow() + validFor));

    public Task<IReadOnlyList<UploadedPart>> ListPartsAsync(string key, string uploadId, CancellationToken cancellationToken) =>
        multipartUploads.TryGetValue(uploadId, out var upload) && upload.Key == key
            ? Task.FromResult<IReadOnlyList<UploadedPart>>(upload.Parts.OrderBy(p => p.Key).Select(p => new UploadedPart(p.Key, p.Value.LongLength, ETag(p.Value))).ToList())
            : throw new MultipartUploadNotFoundException(key, uploadId);

    public Task CompleteMultipartUploadAsync(string key, string uploadId, IReadOnlyList<CompletedPart> parts, CancellationToken cancellationToken)
    {
        if (!multipartUploads.TryGetValue(uploadId, out var upload) || upload.Key != key)
        {
            throw new MultipartUploadNotFoundException(key, uploadId);
        }

        if (parts.Any(p => !upload.Parts.TryGetValue(p.PartNumber, out var bytes) || ETag(bytes) != p.ETag))
        {
            throw new MultipartUploadRejectedException("InvalidPart", "A part is missing or its ETag differs.");
        }

        objects[key] = parts.SelectMany(p => upload.Parts[p.PartNumber]).ToArray();
        multipartUploads.TryRemove(uploadId, out _);
        return Task.CompletedTask;
    }

    private static string ETag(byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))[..32];
}
