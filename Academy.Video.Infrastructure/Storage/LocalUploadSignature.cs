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
}

/// <summary>
/// Signs and verifies local upload URLs the way a presigned S3 URL works: the HMAC covers the method,
/// the key, the expiry, the content type and the size, so none of them can be changed by the holder of the URL.
/// Hand-written because a local presigned URL is a few lines of HMAC, not worth a dependency.
/// </summary>
public sealed class LocalUploadSignature(string signingKey, TimeProvider timeProvider)
{
    private readonly byte[] _signingKey = Encoding.UTF8.GetBytes(signingKey);

    public string Sign(string method, string key, long expiresUnixSeconds, string contentType, long sizeBytes)
    {
        var canonical = string.Join('\n',
            method.ToUpperInvariant(),
            key,
            expiresUnixSeconds.ToString(CultureInfo.InvariantCulture),
            NormalizeContentType(contentType),
            sizeBytes.ToString(CultureInfo.InvariantCulture));
        return Convert.ToHexStringLower(HMACSHA256.HashData(_signingKey, Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>Checks an incoming upload: call with the request's method, key, <c>expires</c>, <c>size</c> and <c>signature</c> query values and Content-Type header.</summary>
    /// <returns><see cref="UploadCheck.Valid"/>, <see cref="UploadCheck.Expired"/> or <see cref="UploadCheck.Invalid"/>.</returns>
    public UploadCheck Verify(string method, string key, long expiresUnixSeconds, string? contentType, long sizeBytes, string? signature)
    {
        if (string.IsNullOrEmpty(signature) || string.IsNullOrEmpty(contentType))
        {
            return UploadCheck.Invalid;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(method, key, expiresUnixSeconds, contentType, sizeBytes));
        var actual = Encoding.ASCII.GetBytes(signature.ToLowerInvariant());
        if (!CryptographicOperations.FixedTimeEquals(expected, actual))
        {
            return UploadCheck.Invalid;
        }

        return timeProvider.GetUtcNow().ToUnixTimeSeconds() > expiresUnixSeconds
            ? UploadCheck.Expired
            : UploadCheck.Valid;
    }

    // Media types are case-insensitive and clients differ in spacing; the signature must not depend on either.
    private static string NormalizeContentType(string contentType) => contentType.Trim().ToLowerInvariant();
}
