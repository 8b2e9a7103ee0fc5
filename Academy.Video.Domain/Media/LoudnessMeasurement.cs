namespace Academy.Video.Domain.Media;

/// <summary>What the loudness step did to a job's audio (docs/encoding.md, Loudness), as stored with the job.</summary>
public static class LoudnessStatus
{
    /// <summary>Measured, and the shared audio encode normalised from these figures.</summary>
    public const string Normalized = "normalized";

    /// <summary>The source has no audio stream: nothing to measure or normalise.</summary>
    public const string NoAudio = "no_audio";

    /// <summary>Measured as silence (or too quiet to gate): the audio is left as it is.</summary>
    public const string Silent = "silent";

    /// <summary><c>Transcoding:NormalizeLoudness</c> is off: not measured, the audio left as it is.</summary>
    public const string Disabled = "disabled";
}

/// <summary>
/// The first pass of a two-pass <c>loudnorm</c>: the source's integrated loudness (LUFS), true peak (dBTP), loudness range
/// (LU), gating threshold (LUFS) and the offset the second pass applies. The figures are null when there were none to
/// measure (no audio, disabled) or when ffmpeg reported no finite value (silence).
/// </summary>
public sealed record LoudnessMeasurement(
    string Status,
    double? InputIntegrated = null,
    double? InputTruePeak = null,
    double? InputLoudnessRange = null,
    double? InputThreshold = null,
    double? TargetOffset = null)
{
    public static LoudnessMeasurement NoAudio { get; } = new(LoudnessStatus.NoAudio);

    public static LoudnessMeasurement Disabled { get; } = new(LoudnessStatus.Disabled);

    /// <summary>Whether the second pass runs with these figures.</summary>
    public bool Applies => Status == LoudnessStatus.Normalized;
}
