using System.Security.Cryptography;

namespace Academy.Video.IntegrationTests.Storage;

internal sealed class TestFiles : IDisposable
{
    public TestFiles()
    {
        Directory.CreateDirectory(FolderPath);
    }

    public string FolderPath { get; } = Path.Combine(Path.GetTempPath(), "academy-video-storage-tests", Guid.NewGuid().ToString("N"));

    public string PathOf(string name) => Path.Combine(FolderPath, name);

    /// <summary>Every byte value 0..255, repeated.</summary>
    public string AllByteValues(string name, int repetitions)
    {
        var path = PathOf(name);
        using var stream = File.Create(path);
        var block = Enumerable.Range(0, 256).Select(value => (byte)value).ToArray();
        for (var i = 0; i < repetitions; i++)
        {
            stream.Write(block);
        }

        return path;
    }

    public string Random(string name, long sizeBytes, int seed)
    {
        var path = PathOf(name);
        var random = new Random(seed);
        var buffer = new byte[1024 * 1024];
        using var stream = File.Create(path);
        for (var remaining = sizeBytes; remaining > 0; remaining -= buffer.Length)
        {
            random.NextBytes(buffer);
            stream.Write(buffer, 0, (int)Math.Min(buffer.Length, remaining));
        }

        return path;
    }

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }

    public void Dispose()
    {
        if (Directory.Exists(FolderPath))
        {
            Directory.Delete(FolderPath, recursive: true);
        }
    }
}
