using Academy.Video.Application.Storage;

namespace Academy.Video.Application.Videos.Uploads;

/// <summary>
/// How the client uploads the source. Below <c>Upload:MultipartThreshold</c>: one <see cref="Method"/>
/// to <see cref="Url"/> with <see cref="Headers"/>. At or above it, <see cref="Url"/> is null and
/// <see cref="Multipart"/> lists a URL per part. Every URL lives until <see cref="ExpiresAt"/>, when the upload expires.
/// </summary>
public sealed record UploadView(Uri? Url, string Method, IReadOnlyDictionary<string, string> Headers, DateTimeOffset ExpiresAt, MultipartView? Multipart)
{
    public static UploadView Single(UploadTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new UploadView(target.Url, target.Method, target.Headers, target.ExpiresAt, null);
    }
}

/// <summary>PUT each part's exact <see cref="PartTargetView.SizeBytes"/> bytes to its URL, in any order, then call upload-complete.</summary>
public sealed record MultipartView(string UploadId, long PartSizeBytes, int PartCount, IReadOnlyList<PartTargetView> Parts);

public sealed record PartTargetView(int PartNumber, long SizeBytes, Uri Url);

/// <summary>A part storage holds.</summary>
public sealed record PartView(int PartNumber, long SizeBytes, string Etag);

/// <summary>
/// The state of an unfinished upload, for a client resuming after a dropped connection or a reload:
/// what storage holds (<see cref="Parts"/>, <see cref="StoredBytes"/>) and fresh URLs (<see cref="Upload"/>).
/// </summary>
public sealed record UploadStatusView(
    Guid VideoId,
    string Status,
    long SizeBytes,
    long StoredBytes,
    DateTimeOffset ExpiresAt,
    IReadOnlyList<PartView> Parts,
    IReadOnlyList<int> MissingPartNumbers,
    UploadView Upload);
