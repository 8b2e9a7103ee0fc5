using Academy.Video.Domain.Captions;

namespace Academy.Video.Application.Captions;

/// <summary>A video's uploaded caption track: one per language and kind (docs/api.md, Captions).</summary>
/// <param name="VttKey">The normalised WebVTT object.</param>
/// <param name="PlaylistKey">Its HLS media playlist, beside it.</param>
public sealed record CaptionTrack(
    Guid VideoId, string Language, CaptionKind Kind, string Label, string VttKey, string PlaylistKey, long SizeBytes, int CueCount,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>Caption track records. Each write is one statement.</summary>
public interface ICaptionTrackStore
{
    /// <summary>
    /// Inserts or replaces the video's track of this language and kind with its cues, and writes the <c>caption.ready</c>
    /// event, in one statement and only while the video is READY; false when it is not.
    /// </summary>
    Task<bool> SaveIfReadyAsync(CaptionTrack track, IReadOnlyList<TranscriptCue> cues, CancellationToken cancellationToken);

    /// <summary>The video's tracks by language, then kind.</summary>
    Task<IReadOnlyList<CaptionTrack>> ListAsync(Guid videoId, CancellationToken cancellationToken);

    /// <summary>Removes the track with its cues, writing the <c>caption.deleted</c> event at <paramref name="at"/> in the same statement, and returns it; null when there was none.</summary>
    Task<CaptionTrack?> RemoveAsync(Guid videoId, string language, CaptionKind kind, DateTimeOffset at, CancellationToken cancellationToken);
}

/// <summary>Small published text objects (playlists, WebVTT) written whole and removed by key.</summary>
public interface IPublishedTextObjects
{
    /// <summary>Writes (or replaces) the object; a reader sees the old or the new object, never part of one.</summary>
    Task WriteTextAsync(string key, string text, string contentType, CancellationToken cancellationToken);

    /// <summary>Removes the object; removing a missing one is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);
}

/// <summary>Section <c>Captions</c>.</summary>
public sealed class CaptionOptions
{
    public const string Section = "Captions";

    /// <summary>The largest caption file accepted: 2 MiB holds tens of hours of dense captions.</summary>
    public long MaxBytes { get; set; } = 2 * 1024 * 1024;

    public IEnumerable<string> Problems()
    {
        if (MaxBytes is < 1024 or > 64 * 1024 * 1024)
        {
            yield return $"{Section}:MaxBytes must be from 1 KiB to 64 MiB (was {MaxBytes}).";
        }
    }
}
