namespace Academy.Video.Domain.Events;

/// <summary>
/// What a client platform is told about (decision 0010). Each is written by the statement of the change
/// that causes it, so an event exists exactly when its change was stored: never lost, never invented.
/// </summary>
public enum VideoEventType
{
    /// <summary>The first attempt of a job started: the video moved to PROCESSING (not repeated for retries).</summary>
    VideoProcessing,

    /// <summary>The video is finished: READY with its complete HLS tree.</summary>
    VideoReady,

    /// <summary>The video's job ended without a playable tree (FAILED or DEAD): the video is FAILED and can be retried.</summary>
    VideoFailed,

    /// <summary>The video was deleted (DELETING; its objects are being removed).</summary>
    VideoDeleted,

    /// <summary>The upload was not completed in time: the video is EXPIRED, with nothing kept.</summary>
    VideoUploadExpired,

    /// <summary>A job used up its attempts (or submissions): an operator's alert; the video is FAILED too.</summary>
    JobDead,

    /// <summary>A caption track was published (uploaded or replaced); its cues are searchable.</summary>
    CaptionReady,

    /// <summary>A caption track was removed.</summary>
    CaptionDeleted,

    /// <summary>A caption generation ended FAILED (its code is in the captions' <c>generation</c>); the video stays READY.</summary>
    CaptionFailed,

    /// <summary>
    /// A PROCESSING video can be played already: the running attempt published the first segments under the URIs the
    /// finished tree keeps (decision 0018). Sent once per attempt that gets there; READY keeps it playable.
    /// </summary>
    VideoPlayable,
}

public static class VideoEventTypeNames
{
    public static IReadOnlyList<VideoEventType> All { get; } = Enum.GetValues<VideoEventType>();

    /// <summary>The names in event bodies, endpoint subscriptions and the database.</summary>
    public static string ToWire(this VideoEventType type) => type switch
    {
        VideoEventType.VideoProcessing => "video.processing",
        VideoEventType.VideoReady => "video.ready",
        VideoEventType.VideoFailed => "video.failed",
        VideoEventType.VideoDeleted => "video.deleted",
        VideoEventType.VideoUploadExpired => "video.upload_expired",
        VideoEventType.JobDead => "job.dead",
        VideoEventType.CaptionReady => "caption.ready",
        VideoEventType.CaptionDeleted => "caption.deleted",
        VideoEventType.CaptionFailed => "caption.failed",
        VideoEventType.VideoPlayable => "video.playable",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static bool TryParseVideoEventType(string? wire, out VideoEventType type)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.ToWire(), wire, StringComparison.Ordinal))
            {
                type = candidate;
                return true;
            }
        }

        type = default;
        return false;
    }

    public static VideoEventType ParseVideoEventType(string wire) =>
        TryParseVideoEventType(wire, out var type)
            ? type
            : throw new ArgumentOutOfRangeException(nameof(wire), wire, "Unknown event type.");
}
