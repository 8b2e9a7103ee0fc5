using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Academy.Video.Application.Common;
using Academy.Video.Application.Videos;
using Academy.Video.Domain.Captions;
using Academy.Video.Domain.Videos;
using FluentValidation;
using Mediator;

namespace Academy.Video.Application.Transcripts;

/// <summary>A video's cues in time order (docs/api.md, Transcripts and search); only those containing <paramref name="Q"/> when it is given.</summary>
/// <param name="Language">Only this language's tracks (a BCP 47 tag); null for all.</param>
public sealed record GetTranscriptQuery(Guid VideoId, string? Q, string? Language) : IQuery<Transcript>;

public sealed record Transcript(Guid VideoId, IReadOnlyList<TranscriptCueView> Items);

public sealed record TranscriptCueView(double StartSeconds, double EndSeconds, string Text, string Language, string Kind);

/// <summary>Videos whose cues contain <paramref name="Q"/>, most matching cues first, each with its matching moments.</summary>
/// <param name="Cursor">The <see cref="TranscriptSearchPage.NextCursor"/> of the previous page.</param>
public sealed record SearchTranscriptsQuery(string? Q, string? Cursor, int Limit = 10) : IQuery<TranscriptSearchPage>;

public sealed record TranscriptSearchPage(IReadOnlyList<TranscriptSearchHit> Items, string? NextCursor);

/// <param name="Matches">How many of the video's cues contain the text; <see cref="Moments"/> holds the first <see cref="TranscriptSearch.MomentsPerVideo"/> of them.</param>
public sealed record TranscriptSearchHit(Guid VideoId, string Title, int Matches, IReadOnlyList<TranscriptMoment> Moments);

/// <param name="PlayerUrl">The console's page of the video, starting the player at the cue (whole seconds).</param>
public sealed record TranscriptMoment(double StartSeconds, double EndSeconds, string Text, string Language, string Kind, string PlayerUrl);

/// <summary>A stored cue with its track.</summary>
public sealed record StoredCue(string Language, string Kind, int StartMs, int EndMs, string Text);

/// <summary>A search position: after the video with these matches and id, in the order matches descending, id ascending.</summary>
public sealed record TranscriptCursor(int Matches, Guid VideoId);

/// <param name="Contains">The text a cue contains, ignoring case.</param>
/// <param name="Fetch">Videos to return (one more than the page, to tell whether another follows).</param>
public sealed record TranscriptSearch(string Contains, TranscriptCursor? After, int Fetch, int MomentsPerVideo)
{
    /// <summary>How many of the videos, from the first, get their moments: the page's, not the one that only says another page follows.</summary>
    public int WithMoments { get; init; } = Fetch;
}

public sealed record VideoCueMatches(Guid VideoId, string Title, int Matches, IReadOnlyList<StoredCue> Moments);

/// <summary>
/// Reads the cues the caption track store writes. Only cues of the tracks' current uploads, and of videos that are not
/// deleted (DELETING or DELETED), are ever returned.
/// </summary>
public interface ITranscriptStore
{
    /// <summary>The video's cues by start time, then language, kind and order in the file.</summary>
    Task<IReadOnlyList<StoredCue>> ListAsync(Guid videoId, string? language, string? contains, CancellationToken cancellationToken);

    /// <summary>Videos ranked by their number of matching cues (descending), then id; each with its first matching cues by time.</summary>
    Task<IReadOnlyList<VideoCueMatches>> SearchAsync(TranscriptSearch search, CancellationToken cancellationToken);
}

public static class TranscriptRules
{
    public const int MinQueryLength = 2;

    public const int MaxQueryLength = 200;

    /// <summary>The console's video page (console/src/main.ts routes <c>/admin/videos/:id</c>; its player starts at <c>t</c> seconds).</summary>
    public static string PlayerUrl(Guid videoId, int startMs) =>
        string.Create(CultureInfo.InvariantCulture, $"/admin/videos/{videoId}?t={startMs / 1000}");

    public static IRuleBuilderOptions<T, string> SearchText<T>(this IRuleBuilder<T, string> rule) =>
        rule.Must(q => q is not null && q.Trim().Length is >= MinQueryLength and <= MaxQueryLength)
            .WithMessage($"'q' must be {MinQueryLength} to {MaxQueryLength} characters.")
            .SingleLine()
            .OverridePropertyName("q");

    public static TranscriptCueView View(StoredCue cue)
    {
        ArgumentNullException.ThrowIfNull(cue);
        return new TranscriptCueView(cue.StartMs / 1000.0, cue.EndMs / 1000.0, cue.Text, cue.Language, cue.Kind);
    }

    internal static async Task<LectureVideo> LiveVideoAsync(IVideoStore videos, Guid videoId, CancellationToken cancellationToken)
    {
        var video = await videos.FindAsync(videoId, cancellationToken);
        return video is null || video.Status is VideoStatus.Deleting or VideoStatus.Deleted
            ? throw new NotFoundException("Video", videoId)
            : video;
    }
}

public sealed class GetTranscriptValidator : AbstractValidator<GetTranscriptQuery>
{
    public GetTranscriptValidator()
    {
        RuleFor(q => q.Q!).Cascade(CascadeMode.Stop).SearchText().When(q => q.Q is not null);
        RuleFor(q => q.Language).Must(l => l is null || CaptionLanguage.TryNormalize(l, out _))
            .WithMessage("'language' must be a BCP 47 tag such as ko, en or en-US.").OverridePropertyName("language");
    }
}

public sealed class SearchTranscriptsValidator : AbstractValidator<SearchTranscriptsQuery>
{
    public SearchTranscriptsValidator()
    {
        RuleFor(q => q.Q!).Cascade(CascadeMode.Stop).SearchText();
        RuleFor(q => q.Limit).InclusiveBetween(1, 50).OverridePropertyName("limit");
        RuleFor(q => q.Cursor).Must(c => c is null || TranscriptCursorToken.TryDecode(c, out _))
            .WithMessage("The cursor is not one this API issued.").OverridePropertyName("cursor");
    }
}

public sealed class GetTranscriptHandler(IVideoStore videos, ITranscriptStore transcripts) : IQueryHandler<GetTranscriptQuery, Transcript>
{
    public async ValueTask<Transcript> Handle(GetTranscriptQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var video = await TranscriptRules.LiveVideoAsync(videos, query.VideoId, cancellationToken);
        string? language = query.Language is not null && CaptionLanguage.TryNormalize(query.Language, out var normalized) ? normalized : null;
        var cues = await transcripts.ListAsync(video.Id, language, query.Q?.Trim(), cancellationToken);
        return new Transcript(video.Id, cues.Select(TranscriptRules.View).ToList());
    }
}

public sealed class SearchTranscriptsHandler(ITranscriptStore transcripts) : IQueryHandler<SearchTranscriptsQuery, TranscriptSearchPage>
{
    /// <summary>A result names a video's first moments; its transcript (with <c>q</c>) has them all.</summary>
    public const int MomentsPerVideo = 20;

    public async ValueTask<TranscriptSearchPage> Handle(SearchTranscriptsQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var after = query.Cursor is not null && TranscriptCursorToken.TryDecode(query.Cursor, out var cursor) ? cursor : null;
        var found = await transcripts.SearchAsync(new TranscriptSearch(query.Q!.Trim(), after, query.Limit + 1, MomentsPerVideo) { WithMoments = query.Limit }, cancellationToken);
        var page = found.Take(query.Limit).ToList();
        var items = page.Select(v => new TranscriptSearchHit(v.VideoId, v.Title, v.Matches, v.Moments
                .Select(m => new TranscriptMoment(m.StartMs / 1000.0, m.EndMs / 1000.0, m.Text, m.Language, m.Kind, TranscriptRules.PlayerUrl(v.VideoId, m.StartMs)))
                .ToList()))
            .ToList();
        var next = found.Count > query.Limit ? TranscriptCursorToken.Encode(new TranscriptCursor(page[^1].Matches, page[^1].VideoId)) : null;
        return new TranscriptSearchPage(items, next);
    }
}

/// <summary>An opaque, URL-safe cursor: base64url of "matches:id".</summary>
public static class TranscriptCursorToken
{
    public static string Encode(TranscriptCursor cursor)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{cursor.Matches}:{cursor.VideoId:N}")));
    }

    public static bool TryDecode(string token, out TranscriptCursor cursor)
    {
        cursor = null!;
        if (string.IsNullOrEmpty(token) || token.Length > 128 || !Base64Url.IsValid(token))
        {
            return false;
        }

        var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token)).Split(':');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var matches)
            || !Guid.TryParseExact(parts[1], "N", out var id))
        {
            return false;
        }

        cursor = new TranscriptCursor(matches, id);
        return true;
    }
}
