using FluentValidation;

namespace Academy.Video.Application.Common;

/// <summary>Rules for the short, single-line strings a client sends (titles, file names, media types).</summary>
public static class TextRules
{
    /// <summary>
    /// Refuses the C0 and C1 controls (NUL, TAB, CR, LF, ESC, DEL, U+0080–U+009F) and the Unicode line
    /// and paragraph separators. TAB is refused too: every such field is one line, a tab in it is paste
    /// debris, and in a media type it is header whitespace that a signed URL would have to match exactly.
    /// </summary>
    public static IRuleBuilderOptions<T, string> SingleLine<T>(this IRuleBuilder<T, string> rule) =>
        rule.Must(value => value is null || !value.Any(IsForbidden))
            .WithMessage("'{PropertyName}' must not contain control characters (NUL, tab, CR, LF, …) or line breaks.");

    private static bool IsForbidden(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
}
