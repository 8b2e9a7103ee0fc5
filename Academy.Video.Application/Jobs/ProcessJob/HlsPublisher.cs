using Academy.Video.Application.Common;
using Academy.Video.Application.Storage;
using Academy.Video.Application.Transcoding;
using Microsoft.Extensions.Options;

namespace Academy.Video.Application.Jobs.ProcessJob;

/// <summary>
/// Uploads an HLS tree under its attempt's prefix: segments and variant playlists in parallel
/// (bounded), the master playlist last, so a reader never finds a master whose parts are missing.
/// </summary>
public sealed class HlsPublisher(IObjectStorage storage, IOptions<WorkerOptions> options)
{
    public async Task<string> PublishAsync(HlsOutput output, string prefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        var parts = output.Files.Where(f => f != output.MasterPlaylist).ToList();
        await Parallel.ForEachAsync(
            parts,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Value.UploadParallelism), CancellationToken = cancellationToken },
            async (file, ct) => await UploadAsync(output, prefix, file, ct));

        await UploadAsync(output, prefix, output.MasterPlaylist, cancellationToken);
        return prefix + output.MasterPlaylist;
    }

    private async Task UploadAsync(HlsOutput output, string prefix, string relativePath, CancellationToken cancellationToken)
    {
        var key = prefix + relativePath;
        try
        {
            await storage.UploadFileAsync(Path.Combine(output.OutputDirectory, relativePath), key, ContentTypeOf(relativePath), cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new StorageOperationException("upload", key, ex);
        }
    }

    public static string ContentTypeOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".m3u8" => "application/vnd.apple.mpegurl",
        ".ts" => "video/mp2t",
        ".m4s" => "video/iso.segment",
        ".mp4" => "video/mp4",
        _ => "application/octet-stream",
    };
}
