using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Academy.Video.Application.Common;
using Academy.Video.Domain.Videos;
using FluentValidation;
using Mediator;

namespace Academy.Video.Application.Videos.ListVideos;

/// <param name="Status">A wire status name (READY, FAILED, ...) or null for all.</param>
/// <param name="Cursor">The <see cref="VideoListPage.NextCursor"/> of the previous page.</param>
/// <param name="TitleContains">Only videos whose title contains this text, ignoring case; null or blank for all.</param>
public sealed record ListVideosQuery(string? Status, string? Cursor, int Limit = 20, string? TitleContains = null) : IQuery<VideoListPage>;

public sealed record VideoListPage(IReadOnlyList<VideoSummary> Items, string? NextCursor);

public sealed class ListVideosValidator : AbstractValidator<ListVideosQuery>
{
    public ListVideosValidator()
    {
        RuleFor(q => q.Limit).InclusiveBetween(1, 100);
        RuleFor(q => q.Status)
            .Must(s => s is null || VideoStatusNames.TryParseVideoStatus(s, out _))
            .WithMessage(q => $"'{q.Status}' is not a video status; use one of {string.Join(", ", Enum.GetValues<VideoStatus>().Select(s => s.ToWire()))}.");
        RuleFor(q => q.TitleContains!).MaximumLength(200).SingleLine().OverridePropertyName("q");
        RuleFor(q => q.Cursor)
            .Must(c => c is null || VideoCursorToken.TryDecode(c, out _))
            .WithMessage("The cursor is not one this API issued.");
    }
}

public sealed class ListVideosHandler(IVideoStore videos) : IQueryHandler<ListVideosQuery, VideoListPage>
{
    public async ValueTask<VideoListPage> Handle(ListVideosQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        VideoStatus? status = query.Status is null ? null : VideoStatusNames.ParseVideoStatus(query.Status);
        VideoCursor? after = query.Cursor is null ? null : VideoCursorToken.TryDecode(query.Cursor, out var cursor) ? cursor : null;
        var title = string.IsNullOrWhiteSpace(query.TitleContains) ? null : query.TitleContains.Trim();
        var page = await videos.ListAsync(new VideoListQuery(status, after, query.Limit, title), cancellationToken);
        return new VideoListPage(
            page.Items.Select(VideoSummary.From).ToList(),
            page.Next is null ? null : VideoCursorToken.Encode(page.Next));
    }
}

/// <summary>An opaque, URL-safe cursor: base64url of "ticks:id".</summary>
public static class VideoCursorToken
{
    public static string Encode(VideoCursor cursor)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        var raw = string.Create(CultureInfo.InvariantCulture, $"{cursor.CreatedAt.UtcTicks}:{cursor.Id:N}");
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(raw));
    }

    public static bool TryDecode(string token, out VideoCursor cursor)
    {
        cursor = null!;
        if (string.IsNullOrEmpty(token) || token.Length > 128 || !Base64Url.IsValid(token))
        {
            return false;
        }

        var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token)).Split(':');
        if (parts.Length != 2
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks
            || !Guid.TryParseExact(parts[1], "N", out var id))
        {
            return false;
        }

        cursor = new VideoCursor(new DateTimeOffset(ticks, TimeSpan.Zero), id);
        return true;
    }
}
