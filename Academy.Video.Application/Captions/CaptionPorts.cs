using Academy.Video.Domain.Captions;

namespace Academy.Video.Application.Captions;

/// <summary>A video's uploaded caption track: one per language and kind (docs/api.md, Captions).</summary>
/// <param name="VttKey">The normalised WebVTT object.</param>
/// <param name="PlaylistKey">Its HLS media playlist, beside it.</param>
public sealed record CaptionTrack(
    Guid VideoId, string Language, CaptionKind Kind, string Label, string VttKey, string PlaylistKey, long SizeBytes, int CueCount,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>Whether a track was saved, and the replaced track's objects that no record names any more.</summary>
public sealed record CaptionSaveOutcome(bool Saved, IReadOnlyList<string> OrphanedKeys);

/// <summary>Caption track records. Each write is one statement.</summary>
public interface ICaptionTrackStore
{
    /// <summary>
    /// Inserts or replaces the video's track of this language and kind with its cues, and writes the <c>caption.ready</c>
    /// event, in one statement and only while the video is READY (not saved when it is not). The outcome names the
    /// objects of the track it replaced that the new track does not reuse (a generated track replaced by an upload).
    /// </summary>
    Task<CaptionSaveOutcome> SaveIfReadyAsync(CaptionTrack track, IReadOnlyList<TranscriptCue> cues, CancellationToken cancellationToken);

    /// <summary>The video's tracks by language, then kind.</summary>
    Task<IReadOnlyList<CaptionTrack>> ListAsync(Guid videoId, CancellationToken cancellationToken);

    /// <summary>Removes the track with its cues, writing the <c>caption.deleted</c> event at <paramref name="at"/> in the same statement, and returns it; null when there was none.</summary>
    Task<CaptionTrack?> RemoveAsync(Guid videoId, string language, CaptionKind kind, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Records a generated track, only while the video is READY and no uploaded track holds its language and kind:
    /// an uploaded track is never replaced by a generated one, and an upload replaces a generated one. False otherwise.
    /// </summary>
    Task<bool> SaveGeneratedIfReadyAsync(CaptionTrack track, IReadOnlyList<TranscriptCue> cues, CancellationToken cancellationToken);
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

    /// <summary>None: captions are uploaded only. Whisper: every READY video gets a generated track (docs/api.md, Captions: generated tracks).</summary>
    [System.ComponentModel.Description("None, or Whisper: a READY video gets a generated track (a caption generation) through Whisper.net.")]
    public CaptionEngine Engine { get; set; } = CaptionEngine.None;

    public WhisperCaptionOptions Whisper { get; set; } = new();

    public IEnumerable<string> Problems()
    {
        if (Engine == CaptionEngine.Whisper && string.IsNullOrWhiteSpace(Whisper.ModelPath))
        {
            yield return $"{Section}:Whisper:ModelPath must name a whisper.cpp ggml model file when {Section}:Engine is Whisper.";
        }

        if (Whisper.Language != WhisperCaptionOptions.AutoLanguage && !Domain.Captions.CaptionLanguage.TryNormalize(Whisper.Language, out _))
        {
            yield return $"{Section}:Whisper:Language must be auto or a language code such as ko or en (was '{Whisper.Language}').";
        }

        if (Whisper.MaxAttempts is < 1 or > 10)
        {
            yield return $"{Section}:Whisper:MaxAttempts must be from 1 to 10 (was {Whisper.MaxAttempts}).";
        }

        if (Whisper.Threads is < 0 or > 64)
        {
            yield return $"{Section}:Whisper:Threads must be from 0 (the engine's default) to 64 (was {Whisper.Threads}).";
        }

        if (Whisper.DispatchInterval <= TimeSpan.Zero)
        {
            yield return $"{Section}:Whisper:DispatchInterval must be more than zero (was {Whisper.DispatchInterval}).";
        }

        if (MaxBytes is < 1024 or > 64 * 1024 * 1024)
        {
            yield return $"{Section}:MaxBytes must be from 1 KiB to 64 MiB (was {MaxBytes}).";
        }
    }
}

public enum CaptionEngine
{
    None,
    Whisper,
}

/// <summary>Section <c>Captions:Whisper</c>: the generation engine (docs/operations.md, generated captions).</summary>
public sealed class WhisperCaptionOptions
{
    public const string AutoLanguage = "auto";

    [System.ComponentModel.Description("The whisper.cpp ggml model file the operator provides; missing or unreadable, a generation ends FAILED with CAPTION_MODEL_UNAVAILABLE.")]
    public string ModelPath { get; set; } = "";

    [System.ComponentModel.Description("auto (the engine detects the language) or a language code such as ko or en.")]
    public string Language { get; set; } = AutoLanguage;

    [System.ComponentModel.Description("Attempts a generation may start before it ends FAILED (CAPTION_ATTEMPTS_EXHAUSTED).")]
    public int MaxAttempts { get; set; } = 3;

    [System.ComponentModel.Description("CPU threads for the engine; 0 leaves the engine's default.")]
    public int Threads { get; set; }

    [System.ComponentModel.Description("How often the API queues generations for READY videos, submits queued ones and resubmits stuck ones.")]
    public TimeSpan DispatchInterval { get; set; } = TimeSpan.FromSeconds(15);
}
