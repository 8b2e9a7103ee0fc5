namespace Academy.Video.Infrastructure.Storage;

internal static class StreamPrefix
{
    /// <summary>Up to <paramref name="maxBytes"/> bytes from the stream, fewer when it ends first; never more, whatever the stream holds.</summary>
    public static async Task<byte[]> ReadAsync(Stream stream, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        var buffer = new byte[maxBytes];
        var read = await stream.ReadAtLeastAsync(buffer, maxBytes, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        return read == maxBytes ? buffer : buffer[..read];
    }
}
