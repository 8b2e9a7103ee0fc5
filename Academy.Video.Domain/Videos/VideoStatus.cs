namespace Academy.Video.Domain.Videos;

public enum VideoStatus
{
    /// <summary>Created; the client is uploading the source straight to storage.</summary>
    PendingUpload,
    /// <summary>The source is verified in storage and a job is queued.</summary>
    Uploaded,
    Processing,
    Ready,
    Failed,
    /// <summary>Deleted by the client; its objects are being removed.</summary>
    Deleting,
    Deleted,
    /// <summary>The upload was not completed within <c>Upload:Expiry</c>; its parts and objects are removed. Terminal.</summary>
    Expired,
}

public static class VideoStatusNames
{
    public static string ToWire(this VideoStatus status) => status switch
    {
        VideoStatus.PendingUpload => "PENDING_UPLOAD",
        VideoStatus.Uploaded => "UPLOADED",
        VideoStatus.Processing => "PROCESSING",
        VideoStatus.Ready => "READY",
        VideoStatus.Failed => "FAILED",
        VideoStatus.Deleting => "DELETING",
        VideoStatus.Deleted => "DELETED",
        VideoStatus.Expired => "EXPIRED",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static bool TryParseVideoStatus(string? wire, out VideoStatus status)
    {
        foreach (var candidate in Enum.GetValues<VideoStatus>())
        {
            if (string.Equals(candidate.ToWire(), wire, StringComparison.OrdinalIgnoreCase))
            {
                status = candidate;
                return true;
            }
        }

        status = default;
        return false;
    }

    public static VideoStatus ParseVideoStatus(string wire) =>
        TryParseVideoStatus(wire, out var status)
            ? status
            : throw new ArgumentOutOfRangeException(nameof(wire), wire, "Unknown video status.");
}
