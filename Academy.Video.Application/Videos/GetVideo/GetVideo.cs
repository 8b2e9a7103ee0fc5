using Academy.Video.Application.Captions;
using Academy.Video.Application.Common;
using Academy.Video.Application.Jobs;
using Academy.Video.Application.Playback;
using Academy.Video.Application.Storage;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using Mediator;

namespace Academy.Video.Application.Videos.GetVideo;

/// <param name="IncludeDeleted">Also a DELETED video (event bodies); clients get 404 for it.</param>
public sealed record GetVideoQuery(Guid VideoId, bool IncludeDeleted = false) : IQuery<VideoDetails>;

public sealed class GetVideoHandler(IVideoStore videos, IObjectStorage storage, JobPolicy policy, PlaybackUrls urls, PlaybackTokens tokens, CaptionPublisher captions)
    : IQueryHandler<GetVideoQuery, VideoDetails>
{
    public async ValueTask<VideoDetails> Handle(GetVideoQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var found = await videos.FindWithCurrentJobAsync(query.VideoId, cancellationToken);
        if (found is null || (found.Video.Status == VideoStatus.Deleted && !query.IncludeDeleted))
        {
            throw new NotFoundException("Video", query.VideoId);
        }

        var (video, job, attempts) = found;
        // In Signed mode the tree is private: players get an expiring URL from GET .../playback instead.
        // A playable PROCESSING video plays its running attempt's growing tree, under the URIs READY keeps (decision 0018).
        var playbackUrl = video.PlaybackPath is { } path && !urls.Signed
            ? storage.GetPlaybackUrl(path)
            : null;
        // The poster and storyboard are shown beside the video, so in Signed mode they come signed here, expiring like playback URLs.
        var grant = urls.Signed && video.Status == VideoStatus.Ready ? tokens.Issue(video.Id) : null;
        var media = await urls.MediaAsync(video, grant, cancellationToken);
        return new VideoDetails(
            video.Id,
            video.Title,
            video.Status.ToWire(),
            video.SourceSizeBytes,
            video.HlsPath,
            playbackUrl,
            media.PosterUrl,
            media.StoryboardUrl,
            video.PosterAtSeconds,
            SourceView.From(video.Source),
            video.Status == VideoStatus.Ready ? 100 : job?.ProgressPercent ?? 0,
            job is null ? null : JobView.From(job, policy),
            attempts.Select(AttemptView.From).ToList(),
            video.CreatedAt,
            video.UpdatedAt)
        {
            Playable = video.IsPlayable,
            Captions = await captions.ViewsAsync(video, found.CaptionTracks, grant, cancellationToken),
            Chapters = media.Chapters,
            ChaptersUrl = media.ChaptersUrl,
        };
    }
}
