namespace Academy.Video.Infrastructure.Storage;

internal static class FileDownload
{
    private const int CopyBufferBytes = 1024 * 1024;

    /// <summary>
    /// Streams <paramref name="source"/> into a temporary file beside <paramref name="destinationPath"/>
    /// and renames it into place, so a reader never sees a half-written file.
    /// </summary>
    public static async Task WriteAtomicallyAsync(Stream source, string destinationPath, string temporaryPath, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(destinationPath)!);
        Directory.CreateDirectory(Path.GetDirectoryName(temporaryPath)!);
        try
        {
            await using (var target = new FileStream(temporaryPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, CopyBufferBytes, FileOptions.Asynchronous))
            {
                await source.CopyToAsync(target, CopyBufferBytes, cancellationToken).ConfigureAwait(false);
                await target.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            File.Move(temporaryPath, destinationPath, overwrite: true);
        }
        catch
        {
            File.Delete(temporaryPath);
            throw;
        }
    }

    public static string TemporaryPathBeside(string destinationPath) =>
        $"{destinationPath}.{Guid.NewGuid():N}.partial";
}
