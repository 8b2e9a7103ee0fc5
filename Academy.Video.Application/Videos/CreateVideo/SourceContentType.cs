using System.Net.Http.Headers;

namespace Academy.Video.Application.Videos.CreateVideo;

/// <summary>
/// The media type a source is uploaded with. It is parsed as an HTTP Content-Type (RFC 9110), so a
/// list, a second header line or trailing garbage never gets into a signed upload URL, and it is
/// stored in one spelling: type and subtype in lower case, parameters as the parser writes them.
/// </summary>
public static class SourceContentType
{
    public const int MaxLength = 255;

    /// <summary>Parses <paramref name="value"/> as exactly one media type; null when it is not one.</summary>
    public static MediaTypeHeaderValue? Parse(string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= MaxLength
        && MediaTypeHeaderValue.TryParse(value, out var parsed) && parsed.MediaType is not null
            ? parsed
            : null;

    /// <summary>A concrete video type (<c>video/&lt;subtype&gt;</c>, no wildcard) or <c>application/octet-stream</c>.</summary>
    public static bool IsAccepted(MediaTypeHeaderValue type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var (topLevel, subtype) = Split(type.MediaType!);
        return (topLevel == "video" && subtype != "*")
            || (topLevel == "application" && subtype == "octet-stream");
    }

    /// <summary>The stored and signed spelling of an accepted media type.</summary>
    public static string Normalize(string value)
    {
        var parsed = Parse(value);
        if (parsed is null || !IsAccepted(parsed))
        {
            throw new ArgumentException($"'{value}' is not an accepted source media type; the validator should have refused it.", nameof(value));
        }

        var normalized = new MediaTypeHeaderValue(parsed.MediaType!.ToLowerInvariant());
        foreach (var parameter in parsed.Parameters)
        {
            normalized.Parameters.Add(new NameValueHeaderValue(parameter.Name.ToLowerInvariant(), parameter.Value));
        }

        return normalized.ToString();
    }

    private static (string TopLevel, string Subtype) Split(string mediaType)
    {
        var slash = mediaType.IndexOf('/', StringComparison.Ordinal);
        return (mediaType[..slash].ToLowerInvariant(), mediaType[(slash + 1)..].ToLowerInvariant());
    }
}
