using System.Text.RegularExpressions;

namespace Academy.Video.Domain.Captions;

public enum CaptionKind
{
    Subtitles,
    Captions,
}

public static class CaptionKinds
{
    public static string ToWire(this CaptionKind kind) => kind == CaptionKind.Captions ? "captions" : "subtitles";

    public static bool TryParse(string? value, out CaptionKind kind)
    {
        switch (value)
        {
            case "subtitles":
                kind = CaptionKind.Subtitles;
                return true;
            case "captions":
                kind = CaptionKind.Captions;
                return true;
            default:
                kind = default;
                return false;
        }
    }
}

/// <summary>
/// The BCP 47 tags a track may carry: a language (2–3 letters), an optional script (4 letters) and an optional
/// region (2 letters or 3 digits), e.g. <c>ko</c>, <c>en-US</c>, <c>zh-Hant-TW</c>, in their canonical case. Variants,
/// extensions and private use are refused: the tag names an object key and an HLS LANGUAGE attribute.
/// </summary>
public static partial class CaptionLanguage
{
    public static bool TryNormalize(string? tag, out string normalized)
    {
        normalized = "";
        if (tag is null || Tag().Match(tag) is not { Success: true } match)
        {
            return false;
        }

        normalized = match.Groups["lang"].Value.ToLowerInvariant();
        if (match.Groups["script"].Success)
        {
            var script = match.Groups["script"].Value;
            normalized += "-" + char.ToUpperInvariant(script[0]) + script[1..].ToLowerInvariant();
        }

        if (match.Groups["region"].Success)
        {
            normalized += "-" + match.Groups["region"].Value.ToUpperInvariant();
        }

        return true;
    }

    [GeneratedRegex("^(?<lang>[A-Za-z]{2,3})(-(?<script>[A-Za-z]{4}))?(-(?<region>[A-Za-z]{2}|[0-9]{3}))?$")]
    private static partial Regex Tag();
}
