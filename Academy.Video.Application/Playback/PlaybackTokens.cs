using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Academy.Video.Application.Common;
using Microsoft.Extensions.Options;

namespace Academy.Video.Application.Playback;

/// <summary>
/// The grant in a signed playback URL: <c>expires</c> (unix seconds) and <c>signature</c>, an HMAC-SHA256 of
/// the video id and the expiry under <c>Playback:SigningKey</c>. One grant opens every playlist of one video
/// until it expires; a grant for another video, a changed expiry or a changed signature opens nothing.
/// Hand-written: a signed URL is an HMAC over two values, not worth a token library.
/// </summary>
public sealed class PlaybackTokens(IOptions<PlaybackOptions> options, TimeProvider time)
{
    public const string ExpiresParameter = "expires";
    public const string SignatureParameter = "signature";

    public const string MissingCode = "PLAYBACK_TOKEN_MISSING";
    public const string InvalidCode = "PLAYBACK_TOKEN_INVALID";
    public const string ExpiredCode = "PLAYBACK_TOKEN_EXPIRED";

    public PlaybackGrant Issue(Guid videoId)
    {
        var expires = time.GetUtcNow().Add(options.Value.UrlValidFor).ToUnixTimeSeconds();
        return new PlaybackGrant(expires, Sign(videoId, expires));
    }

    /// <summary>Returns the grant's expiry; throws 403 with <c>PLAYBACK_TOKEN_MISSING</c>, <c>_INVALID</c> or <c>_EXPIRED</c>.</summary>
    public DateTimeOffset Demand(Guid videoId, long? expires, string? signature)
    {
        if (expires is not { } expiresAt || string.IsNullOrEmpty(signature))
        {
            throw new ForbiddenException(MissingCode, $"Playback URLs carry '{ExpiresParameter}' and '{SignatureParameter}': ask GET /api/v1/videos/{videoId}/playback for one.");
        }

        var expected = Encoding.ASCII.GetBytes(Sign(videoId, expiresAt));
        var actual = Encoding.ASCII.GetBytes(signature.ToLowerInvariant());
        if (!CryptographicOperations.FixedTimeEquals(expected, actual))
        {
            throw new ForbiddenException(InvalidCode, "The playback URL's signature does not match this video and expiry.");
        }

        if (time.GetUtcNow().ToUnixTimeSeconds() > expiresAt)
        {
            throw new ForbiddenException(ExpiredCode, $"The playback URL expired at {DateTimeOffset.FromUnixTimeSeconds(expiresAt):O}: ask GET /api/v1/videos/{videoId}/playback for a new one.");
        }

        return DateTimeOffset.FromUnixTimeSeconds(expiresAt);
    }

    private string Sign(Guid videoId, long expires)
    {
        // The purpose comes first so that no other signature made with the same key can pass for this one.
        var canonical = string.Create(CultureInfo.InvariantCulture, $"academy-video-playback\n{videoId:N}\n{expires}");
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(options.Value.SigningKey), Encoding.UTF8.GetBytes(canonical)));
    }
}

public sealed record PlaybackGrant(long ExpiresUnixSeconds, string Signature)
{
    public DateTimeOffset ExpiresAt => DateTimeOffset.FromUnixTimeSeconds(ExpiresUnixSeconds);

    public string Query => string.Create(CultureInfo.InvariantCulture,
        $"{PlaybackTokens.ExpiresParameter}={ExpiresUnixSeconds}&{PlaybackTokens.SignatureParameter}={Signature}");
}
