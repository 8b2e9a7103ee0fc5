using System.Globalization;

namespace Academy.Video.Domain.Videos;

/// <summary>Every object key is made here, from ids only: no client-supplied path reaches storage.</summary>
public static class StorageKeys
{
    private static readonly HashSet<string> KnownExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".mp4", ".mov", ".m4v", ".mkv", ".webm", ".avi", ".mpg", ".mpeg", ".ts", ".wmv", ".flv", ".3gp",
    };

    public static string VideoPrefix(Guid videoId) => $"videos/{videoId:N}/";

    public static string Source(Guid videoId, string fileName)
    {
        var extension = Path.GetExtension(fileName ?? string.Empty);
        var safeExtension = KnownExtensions.Contains(extension) ? extension.ToLowerInvariant() : ".bin";
        return $"{VideoPrefix(videoId)}source/original{safeExtension}";
    }

    /// <summary>Each attempt publishes under its own prefix, so a zombie attempt never overwrites a published tree.</summary>
    public static string HlsPrefix(Guid videoId, Guid jobId, int attempt) =>
        string.Create(CultureInfo.InvariantCulture, $"{VideoPrefix(videoId)}hls/{jobId:N}-a{attempt}/");

    public const string MasterPlaylistName = "master.m3u8";

    /// <summary>The poster JPEG, at the root of an HLS tree.</summary>
    public const string PosterName = "poster.jpg";

    /// <summary>The storyboard's WebVTT index, at the root of an HLS tree; its sprite is <see cref="StoryboardImageName"/> beside it.</summary>
    public const string StoryboardName = "storyboard.vtt";

    public const string StoryboardImageName = "storyboard.jpg";

    /// <summary>The WebVTT chapters track (kind chapters) at the root of an HLS tree; a person's edit publishes <see cref="ChaptersRevision"/>.</summary>
    public const string ChaptersName = "chapters.vtt";

    /// <summary>A replaced chapters track: a new key per revision, so no cache serves the list before.</summary>
    public static string ChaptersRevision(string treeRoot, int revision) =>
        string.Create(CultureInfo.InvariantCulture, $"{treeRoot}chapters-r{revision}.vtt");

    /// <summary>The chapter thumbnails, in a folder of the HLS tree: <c>chapters/0001.jpg</c>, ….</summary>
    public const string ChapterThumbnailsFolder = "chapters/";

    /// <summary>
    /// An attempt's record of what it has stored (decision 0011), at the root of its tree. No playlist names it, and the
    /// signed playback route serves playlists and the storyboard index only.
    /// </summary>
    public const string ProgressName = "progress.json";

    /// <summary>Uploaded caption tracks, in a folder of the HLS tree (beside the master): <c>captions/{language}-{kind}.vtt</c> and its media playlist.</summary>
    public const string CaptionsFolder = "captions/";

    /// <param name="language">A tag normalised by <c>CaptionLanguage</c>: letters, digits and '-' only.</param>
    public static string CaptionTrack(string treeRoot, string language, string kind) => $"{treeRoot}{CaptionsFolder}{language}-{kind}.vtt";

    public static string CaptionPlaylist(string treeRoot, string language, string kind) => $"{treeRoot}{CaptionsFolder}{language}-{kind}.m3u8";

    /// <summary>
    /// The files made for download (docs/encoding.md, Downloads), in a folder of the HLS tree beside the master, so they go
    /// with the tree: an MP4 of one rung with the audio, and the audio alone.
    /// </summary>
    public const string DownloadsFolder = "downloads/";

    public const string DownloadVideoName = DownloadsFolder + "video.mp4";

    public const string DownloadAudioName = DownloadsFolder + "audio.m4a";

    /// <summary>Reserved for the operator checks' storage round trip: no video key starts with it.</summary>
    public const string OperationsProbePrefix = "ops-probe/";

    public static string OperationsProbe(Guid probeId) => $"{OperationsProbePrefix}{probeId:N}.bin";
}
