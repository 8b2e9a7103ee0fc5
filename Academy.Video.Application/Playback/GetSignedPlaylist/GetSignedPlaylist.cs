using Academy.Video.Application.Common;
using Academy.Video.Application.Storage;
using Academy.Video.Application.Videos;
using Academy.Video.Domain.Media;
using Academy.Video.Domain.Videos;
using Mediator;

namespace Academy.Video.Application.Playback.GetSignedPlaylist;

/// <summary>
/// A playlist of a READY (or playable PROCESSING, decision 0018) video's HLS tree, for the holder of a valid playback grant, with every URI
/// rewritten: playlists to this route with the same grant, segments (and keys, init sections) to signed
/// download URLs of storage that expire with the grant. The storyboard's WebVTT index is served the same
/// way: its sprite URI becomes a signed download URL, the tile fragment (<c>#xywh=…</c>) kept.
/// </summary>
/// <param name="Path">The playlist's path under the HLS tree, e.g. <c>master.m3u8</c>, <c>360p/index.m3u8</c> or <c>storyboard.vtt</c>.</param>
public sealed record GetSignedPlaylistQuery(Guid VideoId, string Path, long? Expires, string? Signature) : IQuery<string>;

public sealed class GetSignedPlaylistHandler(IVideoStore videos, IObjectStorage storage, PlaybackTokens tokens)
    : IQueryHandler<GetSignedPlaylistQuery, string>
{
    /// <summary>A ten-hour lecture in 6 s segments is about 50 KB of playlist; anything near this is not ours.</summary>
    private const int MaxPlaylistBytes = 4 * 1024 * 1024;

    public async ValueTask<string> Handle(GetSignedPlaylistQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        // The grant is checked before anything is looked up, so a request without one learns nothing.
        var expiresAt = tokens.Demand(query.VideoId, query.Expires, query.Signature);
        var grant = new PlaybackGrant(query.Expires!.Value, query.Signature!.ToLowerInvariant());
        var storyboard = StoryboardIndex.IsIndex(query.Path);
        if (!(HlsPlaylist.IsPlaylist(query.Path) || storyboard)
            || query.Path.Split('/').Any(segment => segment.Length == 0 || segment[0] == '.' || segment.Contains('\\', StringComparison.Ordinal)))
        {
            throw new NotFoundException("Playlist", query.Path);
        }

        var video = await videos.FindAsync(query.VideoId, cancellationToken);
        if (video?.PlaybackPath is not { } hlsPath)
        {
            throw new NotFoundException("Playlist", query.Path);
        }

        var root = hlsPath[..(hlsPath.LastIndexOf('/') + 1)];
        string playlist;
        try
        {
            playlist = await storage.ReadTextAsync(root + query.Path, MaxPlaylistBytes, cancellationToken);
        }
        catch (ObjectNotFoundException)
        {
            throw new NotFoundException("Playlist", query.Path);
        }

        var signed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var uri in Uris(playlist, storyboard).Distinct(StringComparer.Ordinal))
        {
            var target = HlsPlaylist.ResolveRelative(query.Path, uri);
            signed[uri] = target is null ? uri
                : HlsPlaylist.IsPlaylist(target) ? $"{uri}?{grant.Query}"
                : (await storage.CreateDownloadUrlAsync(root + target, expiresAt, cancellationToken)).AbsoluteUri;
        }

        return storyboard ? StoryboardIndex.RewriteImageUris(playlist, uri => signed[uri]) : HlsPlaylist.RewriteUris(playlist, uri => signed[uri]);
    }

    private static List<string> Uris(string text, bool storyboard)
    {
        var uris = new List<string>();
        string Collect(string uri)
        {
            uris.Add(uri);
            return uri;
        }

        _ = storyboard ? StoryboardIndex.RewriteImageUris(text, Collect) : HlsPlaylist.RewriteUris(text, Collect);
        return uris;
    }
}
