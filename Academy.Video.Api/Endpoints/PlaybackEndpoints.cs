using Academy.Video.Application.Playback;
using Academy.Video.Application.Playback.GetPlayback;
using Academy.Video.Application.Playback.GetSignedPlaylist;
using Academy.Video.Domain.Media;
using Mediator;
using Microsoft.Extensions.Options;

namespace Academy.Video.Api.Endpoints;

/// <summary>
/// Signed playback (<c>Playback:Mode=Signed</c>): the playlists of a READY video, for players holding the
/// grant from <c>GET /api/v1/videos/{id}/playback</c>. Players send no API key; the grant in the URL is the key.
/// </summary>
public static class PlaybackEndpoints
{
    public const string PlaylistContentType = "application/vnd.apple.mpegurl";

    public const string StoryboardContentType = "text/vtt";

    public static IEndpointRouteBuilder MapPlaybackEndpoints(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        if (routes.ServiceProvider.GetRequiredService<IOptions<PlaybackOptions>>().Value.Mode != PlaybackMode.Signed)
        {
            return routes;
        }

        routes.MapMethods(GetPlaybackHandler.RoutePrefix + "/{id}/{**path}", [HttpMethods.Get, HttpMethods.Head], PlaylistAsync)
            .WithTags("Playback")
            .WithSummary("A playlist or the storyboard index of a READY or playable video with every URI signed and expiring (signed playback)")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return routes;
    }

    private static async Task<IResult> PlaylistAsync(string id, string path, long? expires, string? signature, HttpContext context, IMediator mediator, CancellationToken cancellationToken)
    {
        // Browser players (hls.js) fetch playlists cross-origin, as from a CDN.
        context.Response.Headers.AccessControlAllowOrigin = "*";
        var playlist = await mediator.Send(new GetSignedPlaylistQuery(VideoIds.Parse(id), path, expires, signature), cancellationToken);
        // The grant is in the URL: a shared cache must not hand this playlist to anyone else.
        // A playable PROCESSING video's playlists grow (EVENT, decision 0018) and its master gains rungs: no reuse until READY.
        context.Response.Headers.CacheControl = playlist.Contains("#EXT-X-ENDLIST", StringComparison.Ordinal) ? "private, max-age=60" : "private, no-cache";
        return TypedResults.Text(playlist, StoryboardIndex.IsIndex(path) ? StoryboardContentType : PlaylistContentType);
    }
}
