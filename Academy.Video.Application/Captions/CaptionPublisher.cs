using Academy.Video.Application.Playback;
using Academy.Video.Application.Storage;
using Academy.Video.Domain.Captions;
using Academy.Video.Domain.Videos;

namespace Academy.Video.Application.Captions;

/// <summary>A caption track as a client sees it; <paramref name="Url"/> loads the WebVTT (signed and expiring in Signed mode).</summary>
public sealed record CaptionView(string Language, string Label, string Kind, Uri? Url, long SizeBytes, int CueCount, DateTimeOffset UpdatedAt);

/// <summary>
/// Publishes a READY video's tracks into its HLS tree: the master is rewritten from the master in storage with the
/// subtitle renditions of the recorded tracks, and written over it whole; variant playlists and segments are not touched.
/// </summary>
public sealed class CaptionPublisher(ICaptionTrackStore tracks, IObjectStorage storage, IPublishedTextObjects objects, PlaybackUrls urls)
{
    public const string PlaylistContentType = "application/vnd.apple.mpegurl";

    public const string VttContentType = "text/vtt";

    /// <summary>The master is the worker's output: tens of lines. Anything near this is not ours.</summary>
    private const int MaxMasterBytes = 1024 * 1024;

    public static string TreeRoot(LectureVideo video)
    {
        ArgumentNullException.ThrowIfNull(video);
        var hlsPath = video.HlsPath ?? throw new InvalidOperationException($"Video {video.Id} has no published tree.");
        return hlsPath[..(hlsPath.LastIndexOf('/') + 1)];
    }

    /// <summary>
    /// Writes the master naming every recorded track. The tracks are read after the caller's write, so of two
    /// concurrent changes the later master names both.
    /// </summary>
    public async Task RepublishMasterAsync(LectureVideo video, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(video);
        var root = TreeRoot(video);
        var recorded = await tracks.ListAsync(video.Id, cancellationToken);
        var master = await storage.ReadTextAsync(video.HlsPath!, MaxMasterBytes, cancellationToken);
        var renditions = recorded
            .Select(t => new SubtitleRendition(t.Language, t.Kind, t.Label, t.PlaylistKey[root.Length..]))
            .ToList();
        await objects.WriteTextAsync(video.HlsPath!, SubtitlePlaylists.RewriteMaster(master, renditions), PlaylistContentType, cancellationToken);
    }

    /// <summary>The video's tracks with their URLs: public URLs, or in Signed mode download URLs expiring with <paramref name="grant"/>.</summary>
    public async Task<IReadOnlyList<CaptionView>> ViewsAsync(LectureVideo video, PlaybackGrant? grant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(video);
        if (video.Status != VideoStatus.Ready)
        {
            return [];
        }

        var views = new List<CaptionView>();
        foreach (var track in await tracks.ListAsync(video.Id, cancellationToken))
        {
            Uri? url = !urls.Signed ? storage.GetPlaybackUrl(track.VttKey)
                : grant is null ? null
                : await storage.CreateDownloadUrlAsync(track.VttKey, grant.ExpiresAt, cancellationToken);
            views.Add(new CaptionView(track.Language, track.Label, track.Kind.ToWire(), url, track.SizeBytes, track.CueCount, track.UpdatedAt));
        }

        return views;
    }
}
