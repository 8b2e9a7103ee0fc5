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
    private bool IsQuarterTurn => Math.Abs(RotationDegrees % 180) == 90;

    /// <summary>The size a player shows: a phone video stored 1920x1080 with a 90° rotation is 1080x1920.</summary>
    public int DisplayWidth => IsQuarterTurn ? Height : Width;

    public int DisplayHeight => IsQuarterTurn ? Width : Height;
}
