using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Academy.Video.Application.Storage;

namespace Academy.Video.UnitTests.Fakes;

public sealed class InMemoryObjectStorage(TimeProvider time) : IObjectStorage
{
    private readonly ConcurrentDictionary<string, byte[]> objects = new();
    private readonly ConcurrentQueue<string> uploadOrder = new();

    public IReadOnlyList<string> UploadOrder => uploadOrder.ToList();

    public IReadOnlyCollection<string> Keys => objects.Keys.ToList();

    public Exception? FailDeletesWith { get; set; }

    /// <summary>When set, uploads beyond this many fail as an unreachable bucket would.</summary>
    public int? FailUploadsAfter { get; set; }

    private int uploads;

    public void Put(string key, byte[] bytes) => objects[key] = bytes;

    public Task<UploadTarget> CreateUploadTargetAsync(string key, string contentType, TimeSpan validFor, CancellationToken cancellationToken) =>
        Task.FromResult(new UploadTarget(
            new Uri($"https://storage.test/{key}"),
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

    public Task<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        if (FailDeletesWith is { } failure)
        {
            throw failure;
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
}
