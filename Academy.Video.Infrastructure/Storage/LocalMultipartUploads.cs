using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Academy.Video.Application.Storage;

namespace Academy.Video.Infrastructure.Storage;

/// <summary>
/// Multipart uploads of the local store, with S3's contract. Each upload is a hidden folder beside its
/// object, <c>{folder of key}/.multipart/{uploadId}/</c>: <c>upload.json</c> names the key and each part is
/// <c>{nnnnn}.{etag}.part</c>, its name carrying the tag of its bytes. A re-sent part replaces the older
/// file of its number (when two arrive at once, the newer file wins on both sides). Completing
/// streams the parts in order into a temporary file that is renamed into place; nothing is held in memory.
/// Hidden folders are outside the key space, so parts are never listed, served or downloaded as objects.
/// </summary>
internal sealed class LocalMultipartUploads(string root, string temporaryFolder)
{
    public const string FolderName = ".multipart";
    private const string ManifestName = "upload.json";
    private const string PartExtension = ".part";
    private const int CopyBufferBytes = 1024 * 1024;
    private const long MinPartSizeBytes = 5L * 1024 * 1024;

    public async Task<string> StartAsync(string key, string objectPath, CancellationToken cancellationToken)
    {
        var uploadId = Guid.NewGuid().ToString("N");
        var folder = FolderOf(objectPath, uploadId);
        Directory.CreateDirectory(folder);
        await using var manifest = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(new Manifest(key)));
        await FileDownload.WriteAtomicallyAsync(manifest, Path.Combine(folder, ManifestName), TemporaryPath(), exactLength: null, cancellationToken).ConfigureAwait(false);
        return uploadId;
    }

    /// <summary>Stores a part's body of exactly <paramref name="sizeBytes"/> bytes; returns its ETag.</summary>
    /// <exception cref="MultipartUploadNotFoundException">No such upload of this key.</exception>
    /// <exception cref="InvalidDataException">The body is not <paramref name="sizeBytes"/> long; nothing was stored.</exception>
    public async Task<string> WritePartAsync(string key, string objectPath, string uploadId, int partNumber, Stream body, long sizeBytes, CancellationToken cancellationToken)
    {
        LocalFileObjectStorage.ThrowIfNotPartNumber(partNumber);
        var folder = await RequireAsync(key, objectPath, uploadId, cancellationToken).ConfigureAwait(false);
        var staged = TemporaryPath();
        using var hash = SHA256.Create();
        await using (var hashing = new CryptoStream(body, hash, CryptoStreamMode.Read, leaveOpen: true))
        {
            await FileDownload.WriteAtomicallyAsync(hashing, staged, TemporaryPath(), sizeBytes, cancellationToken).ConfigureAwait(false);
        }

        var etag = ETagOf(hash.Hash!);
        var partPath = Path.Combine(folder, PartName(partNumber, etag));
        try
        {
            File.Move(staged, partPath, overwrite: true);
        }
        catch (DirectoryNotFoundException)
        {
            File.Delete(staged);
            throw new MultipartUploadNotFoundException(key, uploadId);
        }

        // Older files of this part number go; a newer one (sent at the same time) stays and wins.
        var written = Part.Of(new FileInfo(partPath))!;
        foreach (var older in Parts(folder).Where(part => part.Number == partNumber && part.CompareTo(written) < 0))
        {
            older.File.Delete();
        }

        return etag;
    }

    /// <exception cref="MultipartUploadNotFoundException">No such upload of this key.</exception>
    public async Task<IReadOnlyList<UploadedPart>> ListPartsAsync(string key, string objectPath, string uploadId, CancellationToken cancellationToken)
    {
        var folder = await RequireAsync(key, objectPath, uploadId, cancellationToken).ConfigureAwait(false);
        return Current(folder).Select(part => new UploadedPart(part.Number, part.File.Length, part.ETag)).ToList();
    }

    /// <summary>Joins the named parts into the object at <paramref name="objectPath"/> and removes the upload.</summary>
    public async Task CompleteAsync(string key, string objectPath, string uploadId, IReadOnlyList<CompletedPart> parts, CancellationToken cancellationToken)
    {
        var folder = await RequireAsync(key, objectPath, uploadId, cancellationToken).ConfigureAwait(false);
        if (parts.Count == 0)
        {
            throw new MultipartUploadRejectedException("MalformedXML", "A multipart upload is completed with at least one part.");
        }

        // Checked in S3's order: the list's order, then that every part is held with that tag, then the sizes.
        if (parts.Zip(parts.Skip(1)).Any(pair => pair.Second.PartNumber <= pair.First.PartNumber))
        {
            throw new MultipartUploadRejectedException("InvalidPartOrder", "The parts must be listed in ascending part-number order, each once.");
        }

        var current = Current(folder).ToDictionary(part => part.Number);
        var files = new List<FileInfo>(parts.Count);
        foreach (var named in parts)
        {
            if (!current.TryGetValue(named.PartNumber, out var part) || part.ETag != named.ETag.Trim('"'))
            {
                throw new MultipartUploadRejectedException("InvalidPart", $"Part {named.PartNumber} was not uploaded or its ETag is not '{named.ETag}'.");
            }

            files.Add(part.File);
        }

        if (files.SkipLast(1).Zip(parts).FirstOrDefault(pair => pair.First.Length < MinPartSizeBytes) is ({ } small, { } smallPart))
        {
            throw new MultipartUploadRejectedException("EntityTooSmall", $"Part {smallPart.PartNumber} is {small.Length} bytes; every part but the last must be at least 5 MiB.");
        }

        var temporary = TemporaryPath();
        try
        {
            await using (var target = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, CopyBufferBytes, FileOptions.Asynchronous))
            {
                foreach (var file in files)
                {
                    await using var source = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, CopyBufferBytes, FileOptions.Asynchronous | FileOptions.SequentialScan);
                    await source.CopyToAsync(target, CopyBufferBytes, cancellationToken).ConfigureAwait(false);
                }
            }

            Directory.CreateDirectory(Path.GetDirectoryName(objectPath)!);
            File.Move(temporary, objectPath, overwrite: true);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            // A concurrent completion removed the upload while this one was reading it; that one stored the object.
            File.Delete(temporary);
            throw new MultipartUploadNotFoundException(key, uploadId);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        Remove(folder);
    }

    /// <summary>Removes every upload, with its parts, of a key that starts with <paramref name="prefix"/>; returns how many.</summary>
    public int AbortUnder(string prefix, string searchFolder)
    {
        if (!Directory.Exists(searchFolder))
        {
            return 0;
        }

        var aborted = 0;
        foreach (var uploads in Directory.EnumerateDirectories(searchFolder, FolderName, SearchOption.AllDirectories).ToList())
        {
            foreach (var folder in Directory.EnumerateDirectories(uploads))
            {
                if (ReadManifest(folder)?.Key is not { } key || key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    Remove(folder);
                    aborted++;
                }
            }
        }

        return aborted;
    }

    public static bool IsUploadId(string? uploadId) => Guid.TryParseExact(uploadId, "N", out _);

    private async Task<string> RequireAsync(string key, string objectPath, string uploadId, CancellationToken cancellationToken)
    {
        if (!IsUploadId(uploadId))
        {
            throw new MultipartUploadNotFoundException(key, uploadId);
        }

        var folder = FolderOf(objectPath, uploadId);
        var manifestPath = Path.Combine(folder, ManifestName);
        if (!File.Exists(manifestPath))
        {
            throw new MultipartUploadNotFoundException(key, uploadId);
        }

        await using var manifest = File.OpenRead(manifestPath);
        var stored = await JsonSerializer.DeserializeAsync<Manifest>(manifest, cancellationToken: cancellationToken).ConfigureAwait(false);
        return stored?.Key == key ? folder : throw new MultipartUploadNotFoundException(key, uploadId);
    }

    private static Manifest? ReadManifest(string folder)
    {
        try
        {
            return JsonSerializer.Deserialize<Manifest>(File.ReadAllBytes(Path.Combine(folder, ManifestName)));
        }
        catch (Exception exception) when (exception is IOException or JsonException)
        {
            return null;
        }
    }

    /// <summary>The newest file of each part number, in part-number order.</summary>
    private static IEnumerable<Part> Current(string folder) =>
        Parts(folder).GroupBy(part => part.Number).Select(group => group.Max()!).OrderBy(part => part.Number);

    private static IEnumerable<Part> Parts(string folder) =>
        new DirectoryInfo(folder).EnumerateFiles("*" + PartExtension).Select(Part.Of).OfType<Part>().ToList();

    /// <summary>An ETag is opaque to clients; the first 128 bits of the part's SHA-256 make one as long as S3's MD5 tags.</summary>
    private static string ETagOf(byte[] sha256) => Convert.ToHexStringLower(sha256.AsSpan(0, 16));

    private void Remove(string folder)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        // The emptied .multipart folder and the object folders above it go too, as objects' folders do.
        var directory = Path.GetDirectoryName(folder)!;
        while (directory.Length > root.Length && directory.StartsWith(root, StringComparison.Ordinal)
            && Directory.Exists(directory) && !Directory.EnumerateFileSystemEntries(directory).Any())
        {
            Directory.Delete(directory);
            directory = Path.GetDirectoryName(directory)!;
        }
    }

    private static string FolderOf(string objectPath, string uploadId) =>
        Path.Combine(Path.GetDirectoryName(objectPath)!, FolderName, uploadId);

    private static string PartName(int partNumber, string etag) =>
        string.Create(CultureInfo.InvariantCulture, $"{partNumber:D5}.{etag}{PartExtension}");

    private string TemporaryPath() => Path.Combine(temporaryFolder, $"{Guid.NewGuid():N}.partial");

    private sealed record Manifest(string Key);

    /// <summary>A part file; ordered by write time, then name, so every writer agrees which file of a number is newest.</summary>
    private sealed record Part(int Number, string ETag, FileInfo File) : IComparable<Part>
    {
        public static Part? Of(FileInfo file) =>
            file.Name.Split('.') is [var number, var etag, "part"]
            && int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var partNumber)
                ? new Part(partNumber, etag, file)
                : null;

        public int CompareTo(Part? other) =>
            other is null ? 1
            : File.LastWriteTimeUtc != other.File.LastWriteTimeUtc ? File.LastWriteTimeUtc.CompareTo(other.File.LastWriteTimeUtc)
            : string.CompareOrdinal(File.Name, other.File.Name);
    }
}
