using Academy.Video.Application.Playback;
using Academy.Video.Application.Storage;
using Academy.Video.Domain.Captions;
using Academy.Video.Domain.Media;
using Academy.Video.Domain.Videos;
using Microsoft.Extensions.Logging;

namespace Academy.Video.Application.Captions;

/// <summary>A caption track as a client sees it; <paramref name="Url"/> loads the WebVTT (signed and expiring in Signed mode).</summary>
public sealed record CaptionView(string Language, string Label, string Kind, Uri? Url, long SizeBytes, int CueCount, DateTimeOffset UpdatedAt);

/// <summary>
/// Publishes a READY video's tracks into its HLS tree: the master is rewritten from the master in storage with the
/// subtitle renditions of the recorded tracks, and written over it whole; variant playlists and segments are not touched.
/// </summary>
public sealed partial class CaptionPublisher(
    ICaptionTrackStore tracks, IObjectStorage storage, IPublishedTextObjects objects, PlaybackUrls urls, ILogger<CaptionPublisher> logger)
{
    public const string PlaylistContentType = "application/vnd.apple.mpegurl";

    public const string VttContentType = "text/vtt";

    /// <summary>The master is the worker's output: tens of lines. Anything near this is not ours.</summary>
    private const int MaxMasterBytes = 1024 * 1024;

    /// <summary>The lowest PTS is among the first frames; this many bytes of the segment (a ranged read) hold them.</summary>
    private const int SegmentBytesRead = 1024 * 1024;

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

    /// <summary>
    /// Writes the track's WebVTT object, its header mapping cue time 0 to the start of the video's MPEG-TS timeline
    /// (docs/api.md, Captions); every track's .vtt is written here. Returns the text written.
    /// </summary>
    public async Task<string> WriteTrackAsync(LectureVideo video, string vttKey, CaptionTrackFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(video);
        ArgumentNullException.ThrowIfNull(file);
        var vtt = file.ToWebVtt(await MediaStartPtsAsync(video, cancellationToken));
        await objects.WriteTextAsync(vttKey, vtt, VttContentType, cancellationToken);
        return vtt;
    }

    /// <summary>
    /// The lowest PTS of the first segment of the master's lowest-bandwidth variant (variants are video only), read from
    /// storage; null, with a warning, when it cannot be read: the track is then published without the map.
    /// </summary>
    public async Task<long?> MediaStartPtsAsync(LectureVideo video, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(video);
        var step = "master";
        try
        {
            var master = await storage.ReadTextAsync(video.HlsPath!, MaxMasterBytes, cancellationToken);
            step = "variant";
            var variantKey = Resolve(video.HlsPath!, SubtitlePlaylists.LowestBandwidthVariant(master), "the master names no variant");
            var variant = await storage.ReadTextAsync(variantKey, MaxMasterBytes, cancellationToken);
            step = "segment";
            var segmentKey = Resolve(variantKey, SubtitlePlaylists.FirstSegment(variant), "the variant playlist names no segment");
            var bytes = await storage.ReadStartAsync(segmentKey, SegmentBytesRead, cancellationToken);
            var pts = MpegTsTimestamps.LowestPts(bytes);
            if (pts is null)
            {
                LogNoTimestampMap(logger, video.Id, step, $"no PES packet in the first {bytes.Length} bytes of {segmentKey} carries a PTS");
            }

            return pts;
        }
        catch (Exception failure) when (failure is ObjectNotFoundException or InvalidDataException or MpegTsFormatException or StorageOperationException)
        {
            LogNoTimestampMap(logger, video.Id, step, failure.Message);
            return null;
        }
    }

    private static string Resolve(string playlistKey, string? uri, string missing)
    {
        if (uri is null)
        {
            throw new InvalidDataException(missing);
        }

        return HlsPlaylist.ResolveRelative(playlistKey, uri) ?? throw new InvalidDataException($"'{uri}' is not a relative URI in {playlistKey}.");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Captions of video {video_id} published without X-TIMESTAMP-MAP ({step}): {reason}; players show the cues early by the segments' start time")]
    private static partial void LogNoTimestampMap(ILogger logger, Guid video_id, string step, string reason);

    /// <summary>The video's tracks with their URLs: public URLs, or in Signed mode download URLs expiring with <paramref name="grant"/>.</summary>
    public async Task<IReadOnlyList<CaptionView>> ViewsAsync(LectureVideo video, PlaybackGrant? grant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(video);
        return video.Status != VideoStatus.Ready
            ? []
            : await ViewsAsync(video, await tracks.ListAsync(video.Id, cancellationToken), grant, cancellationToken);
    }

    /// <summary>As above, for <paramref name="recorded"/>, the video's tracks already read (with the video, on the video page).</summary>
    public async Task<IReadOnlyList<CaptionView>> ViewsAsync(LectureVideo video, IReadOnlyList<CaptionTrack> recorded, PlaybackGrant? grant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(video);
        ArgumentNullException.ThrowIfNull(recorded);
        if (video.Status != VideoStatus.Ready)
        {
            return [];
        }

        var views = new List<CaptionView>(recorded.Count);
        foreach (var track in recorded)
        {
            Uri? url = !urls.Signed ? storage.GetPlaybackUrl(track.VttKey)
                : grant is null ? null
                : await storage.CreateDownloadUrlAsync(track.VttKey, grant.ExpiresAt, cancellationToken);
            views.Add(new CaptionView(track.Language, track.Label, track.Kind.ToWire(), url, track.SizeBytes, track.CueCount, track.UpdatedAt));
        }

        return views;
    }
}
