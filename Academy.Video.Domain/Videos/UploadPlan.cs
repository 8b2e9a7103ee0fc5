namespace Academy.Video.Domain.Videos;

/// <summary>
/// How a source of a declared size goes up: one PUT below the multipart threshold, numbered parts at
/// or above it. The part size follows S3's and R2's limits (every part but the last at least 5 MiB, at
/// most 10,000 parts, at most 5 GiB a part) and is otherwise <see cref="PreferredPartSizeBytes"/>.
/// </summary>
public sealed record UploadPlan
{
    public const long MinPartSizeBytes = 5L * 1024 * 1024;
    public const long MaxPartSizeBytes = 5L * 1024 * 1024 * 1024;
    public const int MaxParts = 10_000;

    /// <summary>S3's part numbers: 1 to <see cref="MaxParts"/>. Every place that takes a part number checks this range.</summary>
    public static bool IsPartNumber(int partNumber) => partNumber is >= 1 and <= MaxParts;

    /// <summary>
    /// 16 MiB: a dropped connection costs at most 16 MiB of re-sending, the smallest multipart source
    /// (64 MiB by default) still has four parts to resume between, the 20 GiB default maximum needs
    /// 1,280 part URLs, and per-request overhead stays under a percent on any link fast enough for video.
    /// </summary>
    public const long PreferredPartSizeBytes = 16L * 1024 * 1024;

    private const long Mebibyte = 1024 * 1024;

    private UploadPlan(long sizeBytes, long? partSizeBytes)
    {
        SizeBytes = sizeBytes;
        PartSizeBytes = partSizeBytes;
    }

    public long SizeBytes { get; }

    /// <summary>Null for a single PUT.</summary>
    public long? PartSizeBytes { get; }

    public bool IsMultipart => PartSizeBytes is not null;

    public int PartCount => PartSizeBytes is { } part ? (int)((SizeBytes + part - 1) / part) : 1;

    public static UploadPlan For(long sizeBytes, long multipartThresholdBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sizeBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(multipartThresholdBytes);
        return sizeBytes >= multipartThresholdBytes ? new UploadPlan(sizeBytes, PartSizeFor(sizeBytes)) : new UploadPlan(sizeBytes, null);
    }

    /// <summary>The plan of a multipart upload already started with <paramref name="partSizeBytes"/> (settings may have changed since).</summary>
    public static UploadPlan Multipart(long sizeBytes, long partSizeBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sizeBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(partSizeBytes, MinPartSizeBytes);
        return new UploadPlan(sizeBytes, partSizeBytes);
    }

    /// <summary>16 MiB, or the whole MiB that keeps the part count at 10,000 for sources above 156 GiB.</summary>
    public static long PartSizeFor(long sizeBytes)
    {
        var forPartLimit = (sizeBytes + MaxParts - 1) / MaxParts;
        var roundedUp = (forPartLimit + Mebibyte - 1) / Mebibyte * Mebibyte;
        var partSize = Math.Max(PreferredPartSizeBytes, roundedUp);
        return partSize <= MaxPartSizeBytes
            ? partSize
            : throw new ArgumentOutOfRangeException(nameof(sizeBytes), sizeBytes, $"A source of {sizeBytes} bytes cannot be uploaded in {MaxParts} parts of at most 5 GiB.");
    }

    /// <summary>The exact size of part <paramref name="partNumber"/> (1-based): the part size, the remainder for the last.</summary>
    public long SizeOfPart(int partNumber)
    {
        var part = PartSizeBytes ?? SizeBytes;
        ArgumentOutOfRangeException.ThrowIfLessThan(partNumber, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partNumber, PartCount);
        return partNumber < PartCount ? part : SizeBytes - (part * (PartCount - 1));
    }

    /// <summary>Part numbers with their exact sizes, in order.</summary>
    public IEnumerable<(int PartNumber, long SizeBytes)> Parts() =>
        Enumerable.Range(1, PartCount).Select(number => (number, SizeOfPart(number)));

    /// <summary>
    /// What stands between the held parts and a complete upload: parts not held, and parts held whose size
    /// is not the planned one. Empty when exactly parts 1..<see cref="PartCount"/> are held at their sizes.
    /// </summary>
    public PartsCheck Check(IEnumerable<(int PartNumber, long SizeBytes)> held)
    {
        ArgumentNullException.ThrowIfNull(held);
        var byNumber = held.ToDictionary(part => part.PartNumber, part => part.SizeBytes);
        var missing = Parts().Where(part => !byNumber.ContainsKey(part.PartNumber)).Select(part => part.PartNumber).ToList();
        var wrongSize = Parts().Where(part => byNumber.TryGetValue(part.PartNumber, out var size) && size != part.SizeBytes)
            .Select(part => part.PartNumber).ToList();
        var unexpected = byNumber.Keys.Where(number => number < 1 || number > PartCount).Order().ToList();
        return new PartsCheck(missing, wrongSize, unexpected);
    }
}

/// <param name="Missing">Planned parts not held.</param>
/// <param name="WrongSize">Held parts whose size is not the planned one (send them again).</param>
/// <param name="Unexpected">Held part numbers outside the plan.</param>
public sealed record PartsCheck(IReadOnlyList<int> Missing, IReadOnlyList<int> WrongSize, IReadOnlyList<int> Unexpected)
{
    public bool IsComplete => Missing.Count == 0 && WrongSize.Count == 0 && Unexpected.Count == 0;
}

/// <summary>A started multipart upload of a video's source: storage's upload id and the part size it was planned with.</summary>
public sealed record MultipartUpload(Guid VideoId, string UploadId, long PartSizeBytes, DateTimeOffset CreatedAt)
{
    public UploadPlan PlanFor(long sizeBytes) => UploadPlan.Multipart(sizeBytes, PartSizeBytes);
}
