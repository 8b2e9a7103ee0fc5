using Academy.Video.Infrastructure.Storage;
using Microsoft.Extensions.Options;

namespace Academy.Video.IntegrationTests.Storage;

/// <summary>
/// A configured temporary directory holds a write until it is complete: the local runner points each worker
/// attempt at its own, so a killed attempt's partial files are removed with its workspace.
/// </summary>
public sealed class LocalStorageTemporaryDirectoryTests : IDisposable
{
    private readonly TestFiles files = new();

    public void Dispose() => files.Dispose();

    [Fact]
    public async Task A_write_in_progress_lives_in_the_configured_temporary_directory_until_it_is_renamed_into_place()
    {
        var root = files.PathOf("root");
        var temporary = files.PathOf("attempt-uploads");
        var storage = new LocalFileObjectStorage(
            Options.Create(new LocalStorageOptions { RootPath = root, TemporaryDirectory = temporary }), TimeProvider.System);
        var first = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        var rest = Enumerable.Range(0, 3000).Select(i => (byte)(i * 7)).ToArray();
        await using var body = new PausingStream(first, rest);

        var write = storage.WriteAsync("videos/v1/hls/seg_000.ts", body, CancellationToken.None);
        await body.Paused.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Single(Directory.GetFiles(temporary, "*.partial"));
        Assert.False(Directory.Exists(Path.Combine(root, ".tmp")), "the default temporary folder was used anyway");
        Assert.Null(storage.FindFile("videos/v1/hls/seg_000.ts"));

        body.Resume();
        await write;

        var stored = await File.ReadAllBytesAsync(storage.FindFile("videos/v1/hls/seg_000.ts")!.FullName);
        Assert.Equal(first.Concat(rest), stored);
        Assert.Empty(Directory.GetFiles(temporary));
    }

    /// <summary>Yields its first part, then waits until resumed before the rest: a write caught mid-way.</summary>
    private sealed class PausingStream(byte[] first, byte[] rest) : Stream
    {
        private readonly TaskCompletionSource paused = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource resumed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly MemoryStream content = new([.. first, .. rest]);

        public Task Paused => paused.Task;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public void Resume() => resumed.TrySetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (content.Position == first.Length)
            {
                paused.TrySetResult();
                await resumed.Task.WaitAsync(cancellationToken);
            }

            var limit = content.Position < first.Length ? first.Length - (int)content.Position : buffer.Length;
            return content.Read(buffer.Span[..Math.Min(limit, buffer.Length)]);
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read asynchronously.");

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                content.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
