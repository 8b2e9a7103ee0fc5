using Academy.Video.Application.Common;
using Academy.Video.Application.Storage;
using Academy.Video.Application.Videos;
using Academy.Video.Domain.Videos;
using Mediator;

namespace Academy.Video.Application.Playback.GetPlayback;

/// <summary>
/// Where a player loads a READY video, or a PROCESSING one that is playable already (decision 0018): its public master playlist URL in Public mode; in Signed mode an
/// expiring URL of the API's playlist route, whose playlists hand out only signed, expiring URLs.
/// </summary>
public sealed record GetPlaybackQuery(Guid VideoId) : IQuery<PlaybackView>;

/// <param name="ExpiresAt">When the URL stops working; null for a public URL.</param>
/// <param name="PosterUrl">The poster JPEG (signed and expiring with the rest in Signed mode); null when the video has none.</param>
/// <param name="StoryboardUrl">The storyboard's WebVTT index of scrub thumbnails; null when the video has none.</param>
public sealed record PlaybackView(Uri Url, DateTimeOffset? ExpiresAt, Uri? PosterUrl = null, Uri? StoryboardUrl = null);

public sealed class GetPlaybackHandler(IVideoStore videos, IObjectStorage storage, PlaybackTokens tokens, PlaybackUrls urls)
    : IQueryHandler<GetPlaybackQuery, PlaybackView>
{
    /// <summary>The route that serves signed playlists: <c>/playback/{videoId}/{path under the HLS tree}</c>.</summary>
    public const string RoutePrefix = PlaybackUrls.RoutePrefix;

    public async ValueTask<PlaybackView> Handle(GetPlaybackQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var video = await videos.FindAsync(query.VideoId, cancellationToken);
        if (video is null || video.Status is VideoStatus.Deleting or VideoStatus.Deleted)
        {
            throw new NotFoundException("Video", query.VideoId);
        }

        if (video.PlaybackPath is not { } hlsPath)
        {
            throw new ConflictException("VIDEO_NOT_READY", $"Video {video.Id} is {video.Status.ToWire()} and not playable yet; a READY or playable video plays.");
        }

        if (!urls.Signed)
        {
            var media = await urls.MediaAsync(video, null, cancellationToken);
            return new PlaybackView(storage.GetPlaybackUrl(hlsPath), null, media.PosterUrl, media.StoryboardUrl);
        }

        var grant = tokens.Issue(video.Id);
        var signed = await urls.MediaAsync(video, grant, cancellationToken);
        return new PlaybackView(urls.SignedRoute(video, hlsPath, grant), grant.ExpiresAt, signed.PosterUrl, signed.StoryboardUrl);
    }
}
