namespace Academy.Video.Infrastructure.Storage;

internal static class FileDownload
{
    private const int CopyBufferBytes = 1024 * 1024;

    /// <summary>
    /// Streams <paramref name="source"/> into a temporary file beside <paramref name="destinationPath"/>
    /// and renames it into place, so a reader never sees a half-written file. With <paramref name="exactLength"/>,
    /// a source longer or shorter than that throws <see cref="InvalidDataException"/> and nothing is renamed;
    /// reading stops at the first byte too many.
    /// </summary>
    public static Task WriteAtomicallyAsync(Stream source, string destinationPath, string temporaryPath, long? exactLength, CancellationToken cancellationToken) =>
        WriteAtomicallyAsync(destinationPath, temporaryPath, async temporary =>
        {
            await using var target = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, CopyBufferBytes, FileOptions.Asynchronous);
            if (exactLength is { } expected)
            {
                await CopyExactlyAsync(source, target, expected, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await source.CopyToAsync(target, CopyBufferBytes, cancellationToken).ConfigureAwait(false);
            }

            await target.FlushAsync(cancellationToken).ConfigureAwait(false);
        });

    /// <summary>
    /// Lets <paramref name="write"/> fill <paramref name="temporaryPath"/>, then renames it to <paramref name="destinationPath"/>;
    /// if it throws, the temporary file is removed and nothing is renamed.
    /// </summary>
    public static async Task WriteAtomicallyAsync(string destinationPath, string temporaryPath, Func<string, Task> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        Directory.CreateDirectory(Path.GetDirectoryName(destinationPath)!);
        Directory.CreateDirectory(Path.GetDirectoryName(temporaryPath)!);
        try
        {
            await write(temporaryPath).ConfigureAwait(false);
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

    private static async Task CopyExactlyAsync(Stream source, Stream target, long expected, CancellationToken cancellationToken)
    {
        var buffer = new byte[(int)Math.Min(CopyBufferBytes, expected + 1)];
        long copied = 0;
        int read;
        // Asking for one byte past the expected length is how a longer body shows itself without reading it all.
        while ((read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, expected - copied + 1)), cancellationToken).ConfigureAwait(false)) > 0)
        {
            copied += read;
            if (copied > expected)
            {
                throw new InvalidDataException($"The body is longer than the {expected} bytes expected.");
            }

            await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }

        if (copied != expected)
        {
            throw new InvalidDataException($"The body ended after {copied} of the {expected} bytes expected.");
        }
    }
}
