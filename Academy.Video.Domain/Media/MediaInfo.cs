namespace Academy.Video.Domain.Media;

/// <summary>What a probe learned of a source. Width and height are as stored; rotation is the display matrix's.</summary>
public sealed record MediaInfo(
    TimeSpan Duration,
    int Width,
    int Height,
    int RotationDegrees,
    double FramesPerSecond,
    bool HasAudio,
    string VideoCodec)
{
    /// <summary>The decoder's pixel format as ffprobe names it: <c>yuv420p</c> is 8-bit 4:2:0, <c>yuv420p10le</c> 10-bit.</summary>
    public string PixelFormat { get; init; } = "unknown";

    /// <summary><c>progressive</c>, an interlaced order (<c>tt</c>, <c>bb</c>, <c>tb</c>, <c>bt</c>) or <c>unknown</c>.</summary>
    public string FieldOrder { get; init; } = "unknown";

    /// <summary>The video stream's average bitrate as the container states it; null when it does not.</summary>
    public int? VideoBitrateKbps { get; init; }

    /// <summary>The RFC 6381 codec string of the video as stored (<c>avc1.640028</c>); null when it cannot be read.</summary>
    public string? VideoCodecString { get; init; }

    /// <summary>The first audio stream's codec as ffprobe names it (<c>aac</c>, <c>opus</c>); null without audio.</summary>
    public string? AudioCodec { get; init; }

    /// <summary>The whole file's average bitrate as the container states it; null when it does not.</summary>
    public int? BitrateKbps { get; init; }

    private bool IsQuarterTurn => Math.Abs(RotationDegrees % 180) == 90;

    /// <summary>The size a player shows: a phone video stored 1920x1080 with a 90° rotation is 1080x1920.</summary>
    public int DisplayWidth => IsQuarterTurn ? Height : Width;

    public int DisplayHeight => IsQuarterTurn ? Width : Height;
}
