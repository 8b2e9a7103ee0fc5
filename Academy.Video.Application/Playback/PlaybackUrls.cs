using Academy.Video.Application.Storage;
using Academy.Video.Domain.Videos;
using Microsoft.Extensions.Options;

namespace Academy.Video.Application.Playback;

/// <summary>A READY video's poster and storyboard as a client loads them; null where the video has none.</summary>
public sealed record MediaUrls(Uri? PosterUrl, Uri? StoryboardUrl);

/// <summary>
/// The URLs of a READY video's published objects. Public mode: their public URLs. Signed mode: the master and the
/// storyboard index through the API's signed route (both name other objects, which the route signs as it serves them),
/// the poster as a signed download URL; every one expires with the grant.
/// </summary>
public sealed class PlaybackUrls(IObjectStorage storage, IOptions<PlaybackOptions> options)
{
    /// <summary>The route that serves signed playlists and storyboard indexes: <c>/playback/{videoId}/{path under the HLS tree}</c>.</summary>
    public const string RoutePrefix = "/playback";

    public bool Signed => options.Value.Mode == PlaybackMode.Signed;

    /// <summary>A file of the video's tree (<paramref name="key"/>, under the master's folder) through the signed route.</summary>
    public Uri SignedRoute(LectureVideo video, string key, PlaybackGrant grant)
    {
        ArgumentNullException.ThrowIfNull(video);
        ArgumentNullException.ThrowIfNull(grant);
        var path = string.Join('/', PathUnderTree(video, key).Split('/').Select(Uri.EscapeDataString));
        return new Uri($"{options.Value.ApiBaseUrl.TrimEnd('/')}{RoutePrefix}/{video.Id}/{path}?{grant.Query}", UriKind.Absolute);
    }

    /// <param name="grant">Signed mode: the grant the URLs carry (and expire with). Ignored in Public mode.</param>
    public async Task<MediaUrls> MediaAsync(LectureVideo video, PlaybackGrant? grant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(video);
        if (video is not { Status: VideoStatus.Ready, HlsPath: not null })
        {
            return new MediaUrls(null, null);
        }

        if (!Signed)
        {
            return new MediaUrls(
                video.PosterKey is { } poster ? storage.GetPlaybackUrl(poster) : null,
                video.StoryboardKey is { } storyboard ? storage.GetPlaybackUrl(storyboard) : null);
        }

        ArgumentNullException.ThrowIfNull(grant);
        return new MediaUrls(
            video.PosterKey is { } signedPoster ? await storage.CreateDownloadUrlAsync(signedPoster, grant.ExpiresAt, cancellationToken) : null,
            video.StoryboardKey is { } signedStoryboard ? SignedRoute(video, signedStoryboard, grant) : null);
    }

    /// <summary>The key's path relative to the folder of the video's master playlist (the root of its tree).</summary>
    private static string PathUnderTree(LectureVideo video, string key)
    {
        var hlsPath = video.PlaybackPath ?? throw new InvalidOperationException($"Video {video.Id} is not playable.");
        var root = hlsPath[..(hlsPath.LastIndexOf('/') + 1)];
        return key.StartsWith(root, StringComparison.Ordinal)
            ? key[root.Length..]
            : throw new ArgumentException($"'{key}' is not under the video's tree '{root}'.", nameof(key));
    }
}
