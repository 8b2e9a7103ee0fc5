using System.Text;
using Academy.Video.Application.Captions;
using Academy.Video.Application.Storage;

namespace Academy.Video.Infrastructure.Storage;

/// <summary>
/// Small text objects through <see cref="IObjectStorage"/>, whose bodies go from files: the text is written to a temporary file and uploaded in one PUT, which S3/R2 and the
/// local store both make visible whole or not at all.
/// </summary>
public sealed class PublishedTextObjects(IObjectStorage storage) : IPublishedTextObjects
{
    public async Task WriteTextAsync(string key, string text, string contentType, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), $"academy-video-text-{Guid.NewGuid():N}");
        try
        {
            await File.WriteAllTextAsync(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), cancellationToken);
            await storage.UploadFileAsync(path, key, contentType, cancellationToken);
        }
        finally
        {
            File.Delete(path);
        }
    }

    // The keys are exact names ending in their extension, so as a prefix each matches only itself.
    public Task DeleteAsync(string key, CancellationToken cancellationToken) => storage.DeletePrefixAsync(key, cancellationToken);
}
