using System.ComponentModel;

namespace Academy.Video.Infrastructure.Transcoding;

/// <summary>FFmpeg settings, bound from the <c>Transcoding</c> configuration section.</summary>
public sealed class TranscodingOptions
{
    public const string SectionName = "Transcoding";

    /// <summary>The libx264 presets, fastest first: anything else would fail every job, so it is refused at start-up.</summary>
    public static IReadOnlyList<string> X264Presets { get; } =
        ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo"];

    /// <summary>Directory holding the ffmpeg and ffprobe executables; empty means they are found on PATH.</summary>
    [Description("Directory holding the ffmpeg and ffprobe executables; empty means they are found on PATH.")]
    public string? FFmpegDirectory { get; set; }

    /// <summary>libx264 speed/quality trade-off.</summary>
    [Description("libx264 speed/quality trade-off.")]
    public string Preset { get; set; } = "veryfast";

    /// <summary>Encoder threads; 0 lets ffmpeg choose from the core count.</summary>
    [Description("Encoder threads; 0 lets ffmpeg choose from the core count.")]
    public int Threads { get; set; }

    /// <summary>
    /// libx264's constant rate factor for every encoded rung (0–51, lower is better), capped by the rung's bitrate.
    /// 21 keeps a lecture's slides within 0.005 SSIM of an encode at the full bitrate, at a fraction of its bytes.
    /// </summary>
    public int Crf { get; set; } = 21;

    /// <summary>Copy the source's video as the top rung when it already qualifies (the fast path); off encodes every rung.</summary>
    [Description("Copy the source's video as the top rung when it already qualifies (the fast path); off encodes every rung.")]
    public bool SourceCopy { get; set; } = true;

    /// <summary>
    /// Make an MP4 (one rung, 720p or lower) and an M4A for download from the finished segments, by a remux without a
    /// re-encode, published with the tree (docs/encoding.md, Downloads). Off: no downloads, and the API answers DOWNLOADS_NOT_FOUND.
    /// </summary>
    [Description("Make an MP4 (one rung, 720p or lower) and an M4A for download from the finished segments by a remux, published with the tree; off makes none.")]
    public bool Downloads { get; set; } = true;

    /// <summary>Normalise every output's audio by a measured two-pass loudnorm (docs/encoding.md, Loudness); off leaves the audio's level as it is.</summary>
    [Description("Normalise every output's audio to Transcoding:LoudnessTarget by a measured two-pass loudnorm; off leaves the audio's level as it is.")]
    public bool NormalizeLoudness { get; set; } = true;

    /// <summary>Integrated loudness every output is normalised to, in LUFS (−31 to −5).</summary>
    [Description("Integrated loudness every output's audio is normalised to, in LUFS (-31 to -5).")]
    public double LoudnessTarget { get; set; } = -16;

    /// <summary>The highest true peak a normalised output may reach, in dBTP (−9 to 0).</summary>
    [Description("The highest true peak a normalised output's audio may reach, in dBTP (-9 to 0).")]
    public double TruePeakCeiling { get; set; } = -1.5;

    /// <summary>Decide from the source whether a lecture is slides or camera, and encode slides with the slides settings (docs/encoding.md, Slides profile); off encodes every lecture as camera.</summary>
    [Description("Decide from the source whether a lecture is slides or camera and encode slides with still-image settings (docs/encoding.md, Slides profile); off encodes every lecture as camera.")]
    public bool SlidesProfile { get; set; } = true;

    /// <summary>The most frames a second a slides encode keeps (5 to 30): a slide's pointer moves at this rate, a still slide costs a frame's container overhead per frame.</summary>
    [Description("The most frames a second a slides encode keeps (5 to 30).")]
    public int SlidesFrameRate { get; set; } = 10;

    /// <summary>A source longer than this is encoded as chunks on several worker runs at once (docs/decisions/0023-chunked-encoding.md); 0 turns chunking off.
    /// It plays from chunk 0's run before READY (decision 0026).</summary>
    [Description("A source longer than this is encoded as chunks on several worker runs at once (docs/decisions/0023-chunked-encoding.md), playable from its first segments before READY (decision 0026); 00:00:00 turns chunking off.")]
    public TimeSpan ChunkThreshold { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>The length a chunk aims at: a chunked source gets ceil(duration / ChunkLength) chunks, cut at segment boundaries.</summary>
    [Description("The length a chunk aims at: a chunked source gets ceil(duration / ChunkLength) chunks, each cut at segment boundaries.")]
    public TimeSpan ChunkLength { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The most chunks one source is split into (1 to 64).</summary>
    [Description("The most chunks one source is split into (1 to 64).")]
    public int MaxChunks { get; set; } = 16;
}
