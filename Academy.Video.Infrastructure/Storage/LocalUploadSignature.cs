using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Academy.Video.Infrastructure.Storage;

/// <summary>What the local upload route answers an upload with; only <see cref="Valid"/> stores anything.</summary>
public enum UploadCheck
{
    Valid,
    Expired,
    Invalid,
    LengthRequired,
    TooLarge,
    TooSmall,
    /// <summary>A part for a multipart upload that does not exist (completed, aborted, or never started).</summary>
    NoSuchUpload,

    /// <summary>A part number outside 1..10000, S3's range (<see cref="Domain.Videos.UploadPlan.IsPartNumber"/>).</summary>
    PartNumberOutOfRange,
}

/// <summary>
/// Signs and verifies local storage URLs the way presigned S3 URLs work. An upload's HMAC covers the method,
/// the key, the expiry, the content type and the size; a part's covers the key, the upload id, the part
/// number, the expiry and the size; a download's covers the key and the expiry. None of them can be
/// changed by the holder of the URL, and no one kind passes for another.
/// Hand-written because a local presigned URL is a few lines of HMAC, not worth a dependency.
/// </summary>
public sealed class LocalUploadSignature(string signingKey, TimeProvider timeProvider)
{
    private readonly byte[] _signingKey = Encoding.UTF8.GetBytes(signingKey);

    public string Sign(string method, string key, long expiresUnixSeconds, string contentType, long sizeBytes) =>
        Hmac(string.Join('\n',
            method.ToUpperInvariant(),
            key,
            expiresUnixSeconds.ToString(CultureInfo.InvariantCulture),
            NormalizeContentType(contentType),
            sizeBytes.ToString(CultureInfo.InvariantCulture)));

    /// <summary>A PUT of part <paramref name="partNumber"/> of multipart upload <paramref name="uploadId"/>; parts carry no content type, as in S3.</summary>
    public string SignPart(string key, string uploadId, int partNumber, long expiresUnixSeconds, long sizeBytes) =>
        Hmac(string.Join('\n',
            "PUT-PART",
            key,
            uploadId,
            partNumber.ToString(CultureInfo.InvariantCulture),
            expiresUnixSeconds.ToString(CultureInfo.InvariantCulture),
            sizeBytes.ToString(CultureInfo.InvariantCulture)));

    /// <summary>A GET of <paramref name="key"/> (signed playback of local media).</summary>
    public string SignDownload(string key, long expiresUnixSeconds) =>
        Hmac(string.Join('\n', "GET", key, expiresUnixSeconds.ToString(CultureInfo.InvariantCulture)));

    /// <summary>A GET of <paramref name="key"/> answered as an attachment named <paramref name="fileName"/> (a file for download).</summary>
    public string SignAttachment(string key, long expiresUnixSeconds, string fileName) =>
        Hmac(string.Join('\n', "GET-ATTACHMENT", key, expiresUnixSeconds.ToString(CultureInfo.InvariantCulture), fileName));

    public UploadCheck VerifyAttachment(string key, long expiresUnixSeconds, string fileName, string? signature) =>
        Check(SignAttachment(key, expiresUnixSeconds, fileName), expiresUnixSeconds, signature);

    /// <summary>Checks an incoming upload: call with the request's method, key, <c>expires</c>, <c>size</c> and <c>signature</c> query values and Content-Type header.</summary>
    /// <returns><see cref="UploadCheck.Valid"/>, <see cref="UploadCheck.Expired"/> or <see cref="UploadCheck.Invalid"/>.</returns>
    public UploadCheck Verify(string method, string key, long expiresUnixSeconds, string? contentType, long sizeBytes, string? signature) =>
        string.IsNullOrEmpty(contentType)
            ? UploadCheck.Invalid
            : Check(Sign(method, key, expiresUnixSeconds, contentType, sizeBytes), expiresUnixSeconds, signature);

    public UploadCheck VerifyPart(string key, string uploadId, int partNumber, long expiresUnixSeconds, long sizeBytes, string? signature) =>
        Check(SignPart(key, uploadId, partNumber, expiresUnixSeconds, sizeBytes), expiresUnixSeconds, signature);

    public UploadCheck VerifyDownload(string key, long expiresUnixSeconds, string? signature) =>
        Check(SignDownload(key, expiresUnixSeconds), expiresUnixSeconds, signature);

    private UploadCheck Check(string expectedSignature, long expiresUnixSeconds, string? signature)
    {
        if (string.IsNullOrEmpty(signature))
        {
            return UploadCheck.Invalid;
        }

        var expected = Encoding.ASCII.GetBytes(expectedSignature);
        var actual = Encoding.ASCII.GetBytes(signature.ToLowerInvariant());
        if (!CryptographicOperations.FixedTimeEquals(expected, actual))
        {
            return UploadCheck.Invalid;
        }

        return timeProvider.GetUtcNow().ToUnixTimeSeconds() > expiresUnixSeconds
            ? UploadCheck.Expired
            : UploadCheck.Valid;
    }

    private string Hmac(string canonical) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_signingKey, Encoding.UTF8.GetBytes(canonical)));

    // Media types are case-insensitive and clients differ in spacing; the signature must not depend on either.
    private static string NormalizeContentType(string contentType) => contentType.Trim().ToLowerInvariant();
}
