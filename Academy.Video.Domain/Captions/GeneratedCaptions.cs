using System.Text;

namespace Academy.Video.Domain.Captions;

/// <summary>One stretch of recognised speech, as a speech-to-text engine returns it.</summary>
public sealed record TranscriptSegment(TimeSpan Start, TimeSpan End, string Text);

/// <summary>A generated track's WebVTT and label (docs/api.md, Captions: generated tracks).</summary>
public static class GeneratedCaptions
{
    /// <summary>The storage kind of a generated track's objects: beside, never over, an uploaded track of the same language.</summary>
    public const string StorageKind = "subtitles-auto";

    private static readonly Dictionary<string, string> Endonyms = new(StringComparer.Ordinal)
    {
        ["ko"] = "한국어", ["en"] = "English", ["ja"] = "日本語", ["zh"] = "中文", ["es"] = "Español", ["fr"] = "Français",
        ["de"] = "Deutsch", ["pt"] = "Português", ["ru"] = "Русский", ["it"] = "Italiano", ["vi"] = "Tiếng Việt", ["th"] = "ไทย",
        ["id"] = "Bahasa Indonesia", ["ar"] = "العربية", ["hi"] = "हिन्दी", ["tr"] = "Türkçe", ["nl"] = "Nederlands", ["pl"] = "Polski",
    };

    /// <summary>"한국어 (auto)", "English (auto)"; a language without a name here is labelled by its code.</summary>
    public static string Label(string language)
    {
        ArgumentNullException.ThrowIfNull(language);
        var primary = language.Split('-')[0];
        return $"{(Endonyms.TryGetValue(primary, out var name) ? name : language)} (auto)";
    }

    /// <summary>
    /// The segments as WebVTT: one cue each, text on one line with the characters WebVTT reserves escaped, empty
    /// segments left out, an end never before its start. Parsed back by <see cref="CaptionTrackFile"/>, like an upload.
    /// Null when no segment holds text: no speech, no track.
    /// </summary>
    public static CaptionTrackFile? ToTrack(IEnumerable<TranscriptSegment> segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        var text = new StringBuilder("WEBVTT\n");
        var cues = 0;
        foreach (var segment in segments.OrderBy(s => s.Start))
        {
            var line = string.Join(' ', segment.Text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal)
                .Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var start = segment.Start < TimeSpan.Zero ? TimeSpan.Zero : segment.Start;
            var end = segment.End > start ? segment.End : start + TimeSpan.FromMilliseconds(500);
            text.Append('\n').Append(CaptionTrackFile.FormatTime(start)).Append(" --> ").Append(CaptionTrackFile.FormatTime(end)).Append('\n')
                .Append(line).Append('\n');
            cues++;
        }

        return cues == 0 ? null : CaptionTrackFile.Parse(Encoding.UTF8.GetBytes(text.ToString()));
    }
}
