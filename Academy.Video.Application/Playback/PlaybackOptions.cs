using Academy.Video.Application.Common;

namespace Academy.Video.Application.Playback;

public enum PlaybackMode
{
    /// <summary>Players load the published HLS tree from its public URL (a public bucket, a CDN, or the API's /media route).</summary>
    Public,

    /// <summary>Players get an expiring signed URL from <c>GET /api/v1/videos/{id}/playback</c>; nothing else plays.</summary>
    Signed,
}

/// <summary>Section <c>Playback</c>.</summary>
public sealed class PlaybackOptions
{
    public const string Section = "Playback";

    public PlaybackMode Mode { get; set; } = PlaybackMode.Public;

    /// <summary>
    /// How long a signed playback URL, and every playlist and segment URL reached from it, works: 6 hours, so a
    /// long lecture watched with pauses plays to the end (a player loads a VOD variant's segment URLs once).
    /// </summary>
    public TimeSpan UrlValidFor { get; set; } = TimeSpan.FromHours(6);

    /// <summary>
    /// HMAC-SHA256 key of the playlist URLs the API signs. With local storage it defaults to
    /// <c>Storage:Local:SigningKey</c>; with S3/R2 it is required in Signed mode.
    /// </summary>
    [Secret]
    public string SigningKey { get; set; } = string.Empty;

    /// <summary>
    /// The API's public base URL, which signed playlist URLs point at. With local storage it defaults to
    /// <c>Storage:Local:PublicBaseUrl</c>; with S3/R2 it is required in Signed mode.
    /// </summary>
    public string ApiBaseUrl { get; set; } = string.Empty;

    /// <summary>Key length that makes an HMAC key unguessable.</summary>
    public const int MinSigningKeyLength = 32;

    public IEnumerable<string> Problems()
    {
        if (UrlValidFor <= TimeSpan.Zero || UrlValidFor > TimeSpan.FromDays(7))
        {
            yield return $"{Section}:UrlValidFor must be more than zero and at most 7 days, the longest a presigned URL lives (was {UrlValidFor}).";
        }

        if (Mode != PlaybackMode.Signed)
        {
            yield break;
        }

        if (SigningKey.Length < MinSigningKeyLength)
        {
            yield return $"{Section}:SigningKey must be a secret of at least {MinSigningKeyLength} characters in Signed mode (e.g. `openssl rand -hex 32`).";
        }

        if (!Uri.TryCreate(ApiBaseUrl, UriKind.Absolute, out var baseUrl) || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
        {
            yield return $"{Section}:ApiBaseUrl must be the API's absolute http(s) base URL in Signed mode (was '{ApiBaseUrl}').";
        }
    }
}
