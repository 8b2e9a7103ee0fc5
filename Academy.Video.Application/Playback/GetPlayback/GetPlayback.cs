using Academy.Video.Application.Common;
using Academy.Video.Application.Storage;
using Academy.Video.Application.Videos;
using Academy.Video.Domain.Videos;
using Mediator;
using Microsoft.Extensions.Options;

namespace Academy.Video.Application.Playback.GetPlayback;

/// <summary>
/// Where a player loads a READY video: its public master playlist URL in Public mode; in Signed mode an
/// expiring URL of the API's playlist route, whose playlists hand out only signed, expiring URLs.
/// </summary>
public sealed record GetPlaybackQuery(Guid VideoId) : IQuery<PlaybackView>;

/// <param name="ExpiresAt">When the URL stops working; null for a public URL.</param>
public sealed record PlaybackView(Uri Url, DateTimeOffset? ExpiresAt);

public sealed class GetPlaybackHandler(IVideoStore videos, IObjectStorage storage, PlaybackTokens tokens, IOptions<PlaybackOptions> options)
    : IQueryHandler<GetPlaybackQuery, PlaybackView>
{
    /// <summary>The route that serves signed playlists: <c>/playback/{videoId}/{path under the HLS tree}</c>.</summary>
    public const string RoutePrefix = "/playback";

    public async ValueTask<PlaybackView> Handle(GetPlaybackQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var video = await videos.FindAsync(query.VideoId, cancellationToken);
        if (video is null || video.Status is VideoStatus.Deleting or VideoStatus.Deleted)
        {
            throw new NotFoundException("Video", query.VideoId);
        }

        if (video is not { Status: VideoStatus.Ready, HlsPath: { } hlsPath })
        {
            throw new ConflictException("VIDEO_NOT_READY", $"Video {video.Id} is {video.Status.ToWire()}; only a READY video plays.");
        }

        if (options.Value.Mode == PlaybackMode.Public)
        {
            return new PlaybackView(storage.GetPlaybackUrl(hlsPath), null);
        }

        var grant = tokens.Issue(video.Id);
        var master = hlsPath[(hlsPath.LastIndexOf('/') + 1)..];
        var url = new Uri($"{options.Value.ApiBaseUrl.TrimEnd('/')}{RoutePrefix}/{video.Id}/{Uri.EscapeDataString(master)}?{grant.Query}", UriKind.Absolute);
        return new PlaybackView(url, grant.ExpiresAt);
    }
}
