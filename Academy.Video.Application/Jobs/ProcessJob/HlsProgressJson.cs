using System.Text.Json;
using System.Text.Json.Serialization;
using Academy.Video.Domain.Media;

namespace Academy.Video.Application.Jobs.ProcessJob;

/// <summary>
/// The stored form of an attempt's <see cref="HlsProgress"/>: compact JSON (a 3-hour lecture in 6 s segments is about
/// 150 KB for five variants), with a version so a later worker can refuse a record it does not understand.
/// </summary>
public static class HlsProgressJson
{
    /// <summary>A 16-hour lecture in 1 s segments, five variants, is about 16 MB: anything larger is not a record of ours.</summary>
    public const int MaxBytes = 32 * 1024 * 1024;

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Write(HlsProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var document = new Document(
            HlsProgress.CurrentVersion,
            progress.Plan,
            progress.Attempt,
            progress.Variants.ToDictionary(
                v => v.Key,
                v => new VariantDocument(v.Value.SegmentCount, v.Value.Segments.Select(s => new SegmentDocument(s.Index, s.Uri, s.DurationSeconds, s.Bytes)).ToList())));
        return JsonSerializer.Serialize(document, Options);
    }

    /// <summary>The record, or null when the text is not a record this worker understands (another version, damaged).</summary>
    public static HlsProgress? Read(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            var document = JsonSerializer.Deserialize<Document>(json, Options);
            if (document is not { Version: HlsProgress.CurrentVersion, Plan: { Length: > 0 } plan, Variants: { } variants })
            {
                return null;
            }

            return new HlsProgress(
                plan,
                document.Attempt,
                variants.ToDictionary(
                    v => v.Key,
                    v => new VariantProgress(
                        (v.Value.Segments ?? []).Select(s => new HlsSegmentRecord(s.Index, s.Uri ?? "", s.Duration, s.Bytes)).ToList(),
                        v.Value.SegmentCount)));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record Document(int Version, string? Plan, int Attempt, Dictionary<string, VariantDocument>? Variants);

    private sealed record VariantDocument(int? SegmentCount, List<SegmentDocument>? Segments);

    private sealed record SegmentDocument(int Index, string? Uri, double Duration, long Bytes);
}
