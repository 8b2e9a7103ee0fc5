using Academy.Video.Domain.Media;

namespace Academy.Video.Domain.Videos;

/// <summary>What the worker's probe found in a video's source, kept with the video and shown with it.</summary>
/// <param name="Width">The picture's width as stored; <see cref="RotationDegrees"/> says how it is displayed.</param>
/// <param name="AudioCodec">Null when the source has no audio.</param>
/// <param name="BitrateKbps">The whole file's average rate as its container states it; null when it does not.</param>
public sealed record SourceMetadata(
    double DurationSeconds,
    int Width,
    int Height,
    int RotationDegrees,
    string VideoCodec,
    string? AudioCodec,
    double FramesPerSecond,
    int? BitrateKbps)
{
    public static SourceMetadata From(MediaInfo probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        return new SourceMetadata(
            Math.Round(probe.Duration.TotalSeconds, 3),
            probe.Width,
            probe.Height,
            probe.RotationDegrees,
            probe.VideoCodec,
            probe.HasAudio ? probe.AudioCodec ?? "unknown" : null,
            Math.Round(probe.FramesPerSecond, 3),
            probe.BitrateKbps);
    }
}
