using Academy.Video.Application.Storage;
using Academy.Video.Domain.Media;
using Academy.Video.Domain.Videos;
using Microsoft.Extensions.Options;

namespace Academy.Video.Application.Playback;

/// <summary>A READY video's poster and storyboard as a client loads them; null where the video has none.</summary>
public sealed record MediaUrls(Uri? PosterUrl, Uri? StoryboardUrl)
{
    /// <summary>The chapters with their thumbnails' URLs (docs/api.md, Chapters); empty when the video has none.</summary>
    public IReadOnlyList<ChapterView> Chapters { get; init; } = [];

    /// <summary>The WebVTT chapters track (kind chapters); null when the video has no chapters.</summary>
    public Uri? ChaptersUrl { get; init; }
}

/// <summary>One chapter as a client shows it: from <see cref="Start"/> to <see cref="End"/> seconds.</summary>
/// <param name="Named">Whether a person gave the title (else it is "Slide N").</param>
public sealed record ChapterView(double Start, double End, string Title, Uri? ThumbnailUrl, bool Named);

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
                video.StoryboardKey is { } storyboard ? storage.GetPlaybackUrl(storyboard) : null)
            {
                Chapters = video.Chapters.Select(c => View(c, c.ThumbnailKey is { } key ? storage.GetPlaybackUrl(key) : null)).ToList(),
                ChaptersUrl = video.ChaptersKey is { } track ? storage.GetPlaybackUrl(track) : null,
            };
        }

        ArgumentNullException.ThrowIfNull(grant);
        // The chapters track names no other object, and the thumbnails are images: signed download URLs like the poster's.
        var chapters = new List<ChapterView>(video.Chapters.Count);
        foreach (var c in video.Chapters)
        {
            chapters.Add(View(c, c.ThumbnailKey is { } key ? await storage.CreateDownloadUrlAsync(key, grant.ExpiresAt, cancellationToken) : null));
        }

        return new MediaUrls(
            video.PosterKey is { } signedPoster ? await storage.CreateDownloadUrlAsync(signedPoster, grant.ExpiresAt, cancellationToken) : null,
            video.StoryboardKey is { } signedStoryboard ? SignedRoute(video, signedStoryboard, grant) : null)
        {
            Chapters = chapters,
            ChaptersUrl = video.ChaptersKey is { } signedTrack ? await storage.CreateDownloadUrlAsync(signedTrack, grant.ExpiresAt, cancellationToken) : null,
        };
    }

    private static ChapterView View(VideoChapter chapter, Uri? thumbnail) => new(chapter.Start, chapter.End, chapter.Title, thumbnail, chapter.Named);

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
