namespace Academy.Video.Infrastructure.Transcoding;

/// <summary>FFmpeg settings, bound from the <c>Transcoding</c> configuration section.</summary>
public sealed class TranscodingOptions
{
    public const string SectionName = "Transcoding";

    /// <summary>The libx264 presets, fastest first: anything else would fail every job, so it is refused at start-up.</summary>
    public static IReadOnlyList<string> X264Presets { get; } =
        ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo"];

    /// <summary>Directory holding the ffmpeg and ffprobe executables; empty means they are found on PATH.</summary>
    public string? FFmpegDirectory { get; set; }

    /// <summary>libx264 speed/quality trade-off.</summary>
    public string Preset { get; set; } = "veryfast";

    /// <summary>Encoder threads; 0 lets ffmpeg choose from the core count.</summary>
    public int Threads { get; set; }
}
