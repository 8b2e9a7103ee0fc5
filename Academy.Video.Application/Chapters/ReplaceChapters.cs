using Academy.Video.Application.Captions;
using Academy.Video.Application.Common;
using Academy.Video.Application.Playback;
using Academy.Video.Application.Videos;
using Academy.Video.Domain.Media;
using Academy.Video.Domain.Videos;
using FluentValidation;
using Mediator;

namespace Academy.Video.Application.Chapters;

/// <summary>One chapter of a person's list: where it starts (seconds) and its title.</summary>
public sealed record ChapterEdit(double Start, string? Title);

/// <summary>
/// A person's chapters in place of a READY video's (docs/api.md, Chapters): rename, merge (a start dropped) or add. The
/// WebVTT track is published under a new key first, then the list and the key are written in one statement fenced on the
/// video still READY at the same tree and chapters revision.
/// </summary>
public sealed record ReplaceChaptersCommand(Guid VideoId, IReadOnlyList<ChapterEdit>? Chapters) : ICommand<ChaptersView>;

/// <summary>The chapters as written, with their track and thumbnails' URLs (signed in Signed mode).</summary>
public sealed record ChaptersView(IReadOnlyList<ChapterView> Chapters, Uri? ChaptersUrl);

/// <summary>A replacement of a video's chapters, fenced on what it was made from.</summary>
/// <param name="ChaptersKey">The published track; null with an empty list.</param>
public sealed record ChaptersReplacement(Guid VideoId, string HlsPath, int ExpectedRevision, IReadOnlyList<VideoChapter> Chapters, string? ChaptersKey, DateTimeOffset At);

public interface IChapterStore
{
    /// <summary>One conditional statement: the video still READY at <see cref="ChaptersReplacement.HlsPath"/> and the revision read. Null when it lost.</summary>
    Task<LectureVideo?> TryReplaceAsync(ChaptersReplacement replacement, CancellationToken cancellationToken);
}

public sealed class ReplaceChaptersValidator : AbstractValidator<ReplaceChaptersCommand>
{
    public ReplaceChaptersValidator()
    {
        RuleFor(c => c.VideoId).NotEmpty();
        RuleFor(c => c.Chapters).NotNull().WithMessage("The body needs the full list of chapters, { \"chapters\": [{ \"start\", \"title\" }] }.");
    }
}

public sealed class ReplaceChaptersHandler(
    IVideoStore videos, IChapterStore chapters, IPublishedTextObjects objects, PlaybackUrls urls, PlaybackTokens tokens, TimeProvider time)
    : ICommandHandler<ReplaceChaptersCommand, ChaptersView>
{
    public const string VttContentType = "text/vtt; charset=utf-8";

    public async ValueTask<ChaptersView> Handle(ReplaceChaptersCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var video = await videos.FindAsync(command.VideoId, cancellationToken);
        if (video is null || video.Status == VideoStatus.Deleted)
        {
            throw new NotFoundException("Video", command.VideoId);
        }

        if (video is not { Status: VideoStatus.Ready, HlsPath: { } hlsPath })
        {
            throw new ConflictException(ConflictException.InvalidVideoState, $"Video {video.Id} is {video.Status.ToWire()}; chapters are edited on a READY video.");
        }

        var duration = video.Source?.DurationSeconds ?? video.Chapters.LastOrDefault()?.End ?? 0;
        var (list, error, message) = VideoChapter.Replace(video.Chapters, command.Chapters!.Select(c => (c.Start, c.Title)).ToList(), duration);
        if (list is null)
        {
            throw new InvalidContentException(error!, message!);
        }

        string? key = null;
        if (list.Count > 0)
        {
            // A new key per revision: the track before stays whole for whoever loaded it, and no cache serves it as this one.
            key = StorageKeys.ChaptersRevision(hlsPath[..(hlsPath.LastIndexOf('/') + 1)], video.ChaptersRevision + 1);
            await objects.WriteTextAsync(key, VideoChapter.RenderVtt(list), VttContentType, cancellationToken);
        }

        var written = await chapters.TryReplaceAsync(new ChaptersReplacement(video.Id, hlsPath, video.ChaptersRevision, list, key, time.GetUtcNow()), cancellationToken)
            ?? throw new ConflictException(ConflictException.InvalidVideoState, $"Video {video.Id} changed while its chapters were being replaced; reload it.");
        var media = await urls.MediaAsync(written, urls.Signed ? tokens.Issue(written.Id) : null, cancellationToken);
        return new ChaptersView(media.Chapters, media.ChaptersUrl);
    }
}
