using System.Globalization;
using System.Text;

namespace Academy.Video.Domain.Videos;

/// <summary>
/// The name a file for download is saved under: the title, made safe for every file system and for a Content-Disposition
/// header (letters and digits of any script, spaces and <c>-_.,()</c>; anything else a space; runs of spaces one; at most
/// <see cref="MaxLength"/> characters), or <c>lecture</c> when nothing is left.
/// </summary>
public static class DownloadFileName
{
    public const int MaxLength = 100;

    public static string FromTitle(string? title, string extension)
    {
        ArgumentNullException.ThrowIfNull(extension);
        var text = new StringBuilder();
        foreach (var rune in (title ?? "").Normalize(NormalizationForm.FormC).EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            var keep = Rune.IsLetterOrDigit(rune) || category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark
                || (rune.IsAscii && "-_.,()".Contains((char)rune.Value, StringComparison.Ordinal));
            if (keep)
            {
                text.Append(rune.ToString());
            }
            else if (text.Length > 0 && text[^1] != ' ')
            {
                text.Append(' ');
            }
        }

        var name = text.ToString().Trim(' ', '.');
        if (name.Length > MaxLength)
        {
            // Cut on a whole character: a surrogate pair is not split.
            var cut = char.IsLowSurrogate(name[MaxLength]) ? MaxLength - 1 : MaxLength;
            name = name[..cut].TrimEnd(' ', '.');
        }

        return (name.Length == 0 ? "lecture" : name) + extension;
    }

    /// <summary>
    /// <c>attachment</c> with the name twice (RFC 6266): an ASCII <c>filename</c> (others as <c>_</c>) for old clients, and the
    /// UTF-8 <c>filename*</c> (RFC 8187) that browsers prefer.
    /// </summary>
    public static string ContentDisposition(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var ascii = new string(fileName.Select(c => c is >= ' ' and < (char)127 and not '"' and not '\\' ? c : '_').ToArray());
        return $"attachment; filename=\"{ascii}\"; filename*=UTF-8''{Uri.EscapeDataString(fileName)}";
    }
}
