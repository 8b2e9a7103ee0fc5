using Academy.Video.Application.Common;
using Academy.Video.Application.Playback;
using Academy.Video.Application.Videos;
using Academy.Video.Domain.Captions;
using Academy.Video.Domain.Videos;
using FluentValidation;
using Mediator;
using Microsoft.Extensions.Options;

namespace Academy.Video.Application.Captions;

/// <summary>Uploads (or replaces) the READY video's track of this language and kind, and republishes its master (docs/api.md, Captions).</summary>
/// <param name="Content">The uploaded file's bytes, at most <c>Captions:MaxBytes</c>.</param>
public sealed record AddCaptionCommand(Guid VideoId, string Language, string Kind, string Label, byte[] Content) : ICommand<CaptionView>;

public sealed record ListCaptionsQuery(Guid VideoId) : IQuery<CaptionList>;

/// <param name="Generation">The video's caption generation when <c>Captions:Engine</c> is on, else null (docs/api.md, Captions: generated tracks).</param>
public sealed record CaptionList(IReadOnlyList<CaptionView> Items, CaptionGenerationView? Generation = null);

public sealed record CaptionGenerationView(string Status, string? Language, int Attempts, int MaxAttempts, string? ErrorCode, string? ErrorMessage, DateTimeOffset UpdatedAt);

public sealed record RemoveCaptionCommand(Guid VideoId, string Language, string Kind) : ICommand<Unit>;

public sealed class AddCaptionValidator : AbstractValidator<AddCaptionCommand>
{
    public AddCaptionValidator(IOptions<CaptionOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        RuleFor(c => c.Language).Must(l => CaptionLanguage.TryNormalize(l, out _))
            .WithMessage("'Language' must be a BCP 47 tag: a language with an optional script and region, e.g. ko, en, en-US, zh-Hant-TW.");
        RuleFor(c => c.Kind).Must(k => CaptionKinds.TryParse(k, out _)).WithMessage("'Kind' must be subtitles or captions.");
        RuleFor(c => c.Label).Cascade(CascadeMode.Stop).NotEmpty().MaximumLength(100).SingleLine()
            .Must(l => !l.Contains('"', StringComparison.Ordinal)).WithMessage("'Label' must not contain a double quote (it is an HLS quoted string).");
        RuleFor(c => c.Content).Must(c => c is { Length: > 0 }).WithMessage("'File' must be a non-empty caption file.")
            .Must(c => c is null || c.Length <= options.Value.MaxBytes)
            .WithMessage($"'File' must be at most {options.Value.MaxBytes} bytes (Captions:MaxBytes).");
    }
}

public sealed class RemoveCaptionValidator : AbstractValidator<RemoveCaptionCommand>
{
    public RemoveCaptionValidator()
    {
        RuleFor(c => c.Language).Must(l => CaptionLanguage.TryNormalize(l, out _)).WithMessage("'Language' must be a BCP 47 tag such as ko, en or en-US.");
        RuleFor(c => c.Kind).Must(k => CaptionKinds.TryParse(k, out _)).WithMessage("'Kind' must be subtitles or captions.");
    }
}

public static class CaptionErrors
{
    public const string Invalid = "CAPTION_INVALID";

    /// <summary>
    /// Captions are published into the tree of a READY video only: the worker writes its master from what it transcoded
    /// and knows nothing of tracks (docs/api.md, Captions).
    /// </summary>
    public static async Task<LectureVideo> ReadyVideoAsync(IVideoStore videos, Guid videoId, CancellationToken cancellationToken)
    {
        var video = await videos.FindAsync(videoId, cancellationToken);
        if (video is null || video.Status is VideoStatus.Deleting or VideoStatus.Deleted)
        {
            throw new NotFoundException("Video", videoId);
        }

        return video is { Status: VideoStatus.Ready, HlsPath: not null }
            ? video
            : throw new ConflictException(ConflictException.InvalidVideoState, $"Video {video.Id} is {video.Status.ToWire()}; captions are added to a READY video only.");
    }
}

public sealed class AddCaptionHandler(IVideoStore videos, ICaptionTrackStore tracks, IPublishedTextObjects objects, CaptionPublisher publisher, PlaybackTokens tokens, PlaybackUrls urls, TimeProvider time)
    : ICommandHandler<AddCaptionCommand, CaptionView>
{
    public async ValueTask<CaptionView> Handle(AddCaptionCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        CaptionLanguage.TryNormalize(command.Language, out var language);
        CaptionKinds.TryParse(command.Kind, out var kind);
        CaptionTrackFile file;
        try
        {
            file = CaptionTrackFile.Parse(command.Content);
        }
        catch (CaptionFormatException broken)
        {
            throw new InvalidContentException(CaptionErrors.Invalid, $"The caption file does not parse: {broken.Message}");
        }

        var video = await CaptionErrors.ReadyVideoAsync(videos, command.VideoId, cancellationToken);
        var root = CaptionPublisher.TreeRoot(video);
        var vttKey = StorageKeys.CaptionTrack(root, language, kind.ToWire());
        var playlistKey = StorageKeys.CaptionPlaylist(root, language, kind.ToWire());
        var seconds = video.Source?.DurationSeconds is > 0 and var d ? d : file.End.TotalSeconds;
        // The objects first, the record second: a record always names objects that exist.
        var vtt = await publisher.WriteTrackAsync(video, vttKey, file, cancellationToken);
        await objects.WriteTextAsync(playlistKey, SubtitlePlaylists.MediaPlaylist(vttKey[(vttKey.LastIndexOf('/') + 1)..], seconds), CaptionPublisher.PlaylistContentType, cancellationToken);
        var now = time.GetUtcNow();
        var track = new CaptionTrack(video.Id, language, kind, command.Label.Trim(), vttKey, playlistKey,
            System.Text.Encoding.UTF8.GetByteCount(vtt), file.Cues.Count, now, now);
        var outcome = await tracks.SaveIfReadyAsync(track, file.Cues.Select(TranscriptCue.From).ToList(), cancellationToken);
        if (!outcome.Saved)
        {
            throw new ConflictException(ConflictException.InvalidVideoState, $"Video {video.Id} is no longer READY.");
        }

        await publisher.RepublishMasterAsync(video, cancellationToken);
        // A generated track replaced by an upload lives under other names; they go once the master no longer names them.
        foreach (var orphaned in outcome.OrphanedKeys)
        {
            await objects.DeleteAsync(orphaned, cancellationToken);
        }

        var views = await publisher.ViewsAsync(video, urls.Signed ? tokens.Issue(video.Id) : null, cancellationToken);
        return views.First(v => v.Language == language && v.Kind == kind.ToWire());
    }
}

public sealed class ListCaptionsHandler(IVideoStore videos, CaptionPublisher publisher, ICaptionGenerationStore generations, PlaybackTokens tokens, PlaybackUrls urls)
    : IQueryHandler<ListCaptionsQuery, CaptionList>
{
    public async ValueTask<CaptionList> Handle(ListCaptionsQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var video = await videos.FindAsync(query.VideoId, cancellationToken);
        if (video is null || video.Status is VideoStatus.Deleting or VideoStatus.Deleted)
        {
            throw new NotFoundException("Video", query.VideoId);
        }

        var grant = urls.Signed && video.Status == VideoStatus.Ready ? tokens.Issue(video.Id) : null;
        var generation = await generations.FindByVideoAsync(video.Id, cancellationToken);
        return new CaptionList(await publisher.ViewsAsync(video, grant, cancellationToken), generation is null ? null
            : new CaptionGenerationView(generation.Status, generation.Language, generation.Attempts, generation.MaxAttempts, generation.ErrorCode, generation.ErrorMessage, generation.UpdatedAt));
    }
}

public sealed class RemoveCaptionHandler(IVideoStore videos, ICaptionTrackStore tracks, IPublishedTextObjects objects, CaptionPublisher publisher, TimeProvider time)
    : ICommandHandler<RemoveCaptionCommand, Unit>
{
    public async ValueTask<Unit> Handle(RemoveCaptionCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        CaptionLanguage.TryNormalize(command.Language, out var language);
        CaptionKinds.TryParse(command.Kind, out var kind);
        var video = await CaptionErrors.ReadyVideoAsync(videos, command.VideoId, cancellationToken);
        var removed = await tracks.RemoveAsync(video.Id, language, kind, time.GetUtcNow(), cancellationToken)
                      ?? throw new NotFoundException("Caption", $"{language}/{kind.ToWire()}");
        // The master stops naming the track before its objects go, so no player is sent to a missing playlist.
        await publisher.RepublishMasterAsync(video, cancellationToken);
        await objects.DeleteAsync(removed.PlaylistKey, cancellationToken);
        await objects.DeleteAsync(removed.VttKey, cancellationToken);
        return Unit.Value;
    }
}
