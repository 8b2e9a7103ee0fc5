using System.Text;

namespace Academy.Video.Application.Common;

/// <summary>
/// The one place a URL is made fit for a log line (docs/operations.md, Logs): the values of query parameters
/// that grant something are replaced by <see cref="Mask"/>, and so is a user:password part. The names stay, so
/// a reader still sees which URL it was. Covered: S3/R2 presigned URLs (<c>X-Amz-Signature</c>,
/// <c>X-Amz-Credential</c>, <c>X-Amz-Security-Token</c>), CloudFront-style signed URLs (<c>Signature</c>,
/// <c>Policy</c>, <c>Key-Pair-Id</c>), this product's own signed upload, media and playback URLs
/// (<c>signature</c>), API keys sent as query parameters, and any name holding "signature", "token", "secret",
/// "password", "credential" or "apikey"/"api-key"/"api_key". Expiries, sizes and ids are not secrets and stay.
/// </summary>
public static class UrlRedaction
{
    public const string Mask = "REDACTED";

    private static readonly HashSet<string> SensitiveNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "sig", "policy", "key-pair-id", "x-api-key", "x-internal-api-key", "key", "auth", "authorization", "code",
    };

    private static readonly string[] SensitiveParts = ["signature", "token", "secret", "password", "credential", "apikey", "api-key", "api_key"];

    /// <summary>Whether a query parameter of this name carries a grant or a key, so its value is never logged.</summary>
    public static bool IsSensitiveParameter(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return SensitiveNames.Contains(name) || SensitiveParts.Any(part => name.Contains(part, StringComparison.OrdinalIgnoreCase));
    }

    public static string Redact(Uri? url) => url is null ? "" : Redact(url.OriginalString);

    /// <summary>An absolute URL, or a path with a query (<c>/media/a.m3u8?expires=1&amp;signature=…</c>), with its secrets masked.</summary>
    public static string Redact(string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            return url ?? "";
        }

        var fragmentAt = url.IndexOf('#', StringComparison.Ordinal);
        var fragment = fragmentAt < 0 ? "" : url[fragmentAt..];
        var beforeFragment = fragmentAt < 0 ? url : url[..fragmentAt];
        var queryAt = beforeFragment.IndexOf('?', StringComparison.Ordinal);
        var head = RedactUserInfo(queryAt < 0 ? beforeFragment : beforeFragment[..queryAt]);
        return queryAt < 0 ? head + fragment : head + "?" + RedactQuery(beforeFragment[(queryAt + 1)..]) + fragment;
    }

    /// <summary>A query string without or with its leading '?', with the values of sensitive parameters masked.</summary>
    public static string RedactQuery(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var leading = query.StartsWith('?') ? "?" : "";
        var pairs = query[leading.Length..].Split('&');
        var builder = new StringBuilder(query.Length);
        builder.Append(leading);
        for (var i = 0; i < pairs.Length; i++)
        {
            if (i > 0)
            {
                builder.Append('&');
            }

            var pair = pairs[i];
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? pair : pair[..equals];
            if (equals >= 0 && IsSensitiveParameter(Decode(name)))
            {
                builder.Append(name).Append('=').Append(Mask);
            }
            else
            {
                builder.Append(pair);
            }
        }

        return builder.ToString();
    }

    private static string RedactUserInfo(string head)
    {
        var scheme = head.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0)
        {
            return head;
        }

        var authorityStart = scheme + 3;
        var authorityEnd = head.IndexOf('/', authorityStart);
        var authority = authorityEnd < 0 ? head[authorityStart..] : head[authorityStart..authorityEnd];
        var at = authority.LastIndexOf('@');
        return at < 0 ? head : head[..authorityStart] + Mask + authority[at..] + (authorityEnd < 0 ? "" : head[authorityEnd..]);
    }

    private static string Decode(string name)
    {
        try
        {
            return Uri.UnescapeDataString(name.Replace('+', ' '));
        }
        catch (UriFormatException)
        {
            return name;
        }
    }
}
