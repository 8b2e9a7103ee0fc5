using Academy.Video.Application.Common;
using Academy.Video.Application.Storage;

namespace Academy.Video.Infrastructure.Transcoding;

/// <summary>A worker's bulk transfers between its work directory and a tree in storage.</summary>
internal static class StorageTransfers
{
    /// <summary>
    /// Brings down <paramref name="relativePaths"/> under <paramref name="prefix"/> into the same paths under
    /// <paramref name="directory"/>, <paramref name="parallelism"/> at a time; the first failure is the call's, named by its key.
    /// </summary>
    public static async Task DownloadAllAsync(this IObjectStorage storage, string prefix, string directory, IReadOnlyList<string> relativePaths, int parallelism, CancellationToken cancellationToken) =>
        await Parallel.ForEachAsync(
            relativePaths,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken },
            async (relative, token) =>
            {
                var key = prefix + relative;
                try
                {
                    await storage.DownloadToFileAsync(key, Path.Combine(directory, relative), token);
                }
                catch (Exception ex) when (!token.IsCancellationRequested && ex is not StorageOperationException)
                {
                    throw new StorageOperationException("download", key, ex);
                }
            });
}
