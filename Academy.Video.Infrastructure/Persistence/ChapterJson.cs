using System.Text.Json;
using Academy.Video.Domain.Media;

namespace Academy.Video.Infrastructure.Persistence;

/// <summary>A video's chapters as stored in <c>videos.chapters</c> (migration 0020): a JSON array, read and replaced whole.</summary>
internal static class ChapterJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    private sealed record Row(double Start, double End, string Title, string? ThumbnailKey, bool Named);

    public static string Write(IReadOnlyList<VideoChapter> chapters) =>
        JsonSerializer.Serialize(chapters.Select(c => new Row(c.Start, c.End, c.Title, c.ThumbnailKey, c.Named)), Options);

    public static VideoChapterList Read(string json) =>
        new((JsonSerializer.Deserialize<List<Row>>(json, Options) ?? []).Select(r => new VideoChapter(r.Start, r.End, r.Title, r.ThumbnailKey, r.Named)));
}
