using System.Text;

namespace Academy.Video.Infrastructure.Runners.Local;

/// <summary>
/// One attempt's log file: the child's stdout and stderr interleaved as they arrive, flushed per chunk so it can be
/// tailed while the attempt runs.
/// </summary>
internal sealed class AttemptLogSink : IDisposable
{
    private readonly Lock gate = new();
    private readonly FileStream file;
    private bool closed;

    /// <summary>Creates (or truncates) the file at <paramref name="path"/>; its folder must exist.</summary>
    public AttemptLogSink(string path) => file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite);

    /// <summary>Copies <paramref name="source"/> into the log until it ends or is closed under the copy.</summary>
    public async Task CopyFromAsync(Stream source)
    {
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                Write(buffer.AsSpan(0, read));
            }
        }
        catch (Exception error) when (error is IOException or ObjectDisposedException)
        {
            // The pipe was closed under us after the drain timeout; what was read is already in the file.
        }
    }

    public void WriteLine(string text) => Write(Encoding.UTF8.GetBytes(text + Environment.NewLine));

    public void Dispose()
    {
        lock (gate)
        {
            closed = true;
            file.Dispose();
        }
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        lock (gate)
        {
            if (closed)
            {
                return;
            }

            file.Write(bytes);
            file.Flush();
        }
    }
}
