using Academy.Video.Domain.Jobs;

namespace Academy.Video.Domain.Videos;

/// <summary>
/// A lecture video. Immutable like <see cref="TranscodeJob"/>: intent methods return the
/// <see cref="VideoChange"/> a store applies as a compare-and-set on the current status.
/// </summary>
public sealed record LectureVideo
{
    public required Guid Id { get; init; }
    public required string Title { get; init; }
    public VideoStatus Status { get; init; } = VideoStatus.PendingUpload;
    public required string SourceKey { get; init; }
    public required string SourceContentType { get; init; }
    public long? SourceSizeBytes { get; init; }
    public string? HlsPath { get; init; }
    public Guid? CurrentJobId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    public static LectureVideo Create(Guid id, string title, string fileName, string contentType, DateTimeOffset now) => new()
    {
        Id = id,
        Title = title,
        SourceKey = StorageKeys.Source(id, fileName),
        SourceContentType = contentType,
        CreatedAt = now,
        UpdatedAt = now,
    };

    /// <summary>
    /// The source is in storage: a first job is queued. Returns null when this very upload was
    /// already completed with a job (a repeated call must not create a second job).
    /// </summary>
    public QueueJob? CompleteUpload(Guid newJobId, long sourceSizeBytes, DateTimeOffset now)
    {
        if (Status != VideoStatus.PendingUpload && CurrentJobId is not null)
        {
            return null;
        }

        if (Status != VideoStatus.PendingUpload)
        {
            throw new InvalidVideoTransitionException(this, "complete its upload");
        }

        return QueueNewJob(newJobId, sourceSizeBytes, now);
    }

    /// <summary>A FAILED video (its job FAILED or DEAD) gets a new job.</summary>
    public QueueJob Retry(Guid newJobId, DateTimeOffset now)
    {
        if (Status != VideoStatus.Failed)
        {
            throw new InvalidVideoTransitionException(this, "be retried (only FAILED videos can)");
        }

        return QueueNewJob(newJobId, SourceSizeBytes ?? 0, now);
    }

    /// <summary>Starts deletion. Deleting twice is a no-op (null).</summary>
    public VideoChange? Delete(DateTimeOffset now) =>
        Status is VideoStatus.Deleting or VideoStatus.Deleted
            ? null
            : new VideoChange(Id, Status, VideoStatus.Deleting, now);

    /// <summary>Every object is gone from storage.</summary>
    public VideoChange? MarkDeleted(DateTimeOffset now) => Status switch
    {
        VideoStatus.Deleted => null,
        VideoStatus.Deleting => new VideoChange(Id, Status, VideoStatus.Deleted, now),
        _ => throw new InvalidVideoTransitionException(this, "be marked deleted before deletion started"),
    };

    /// <summary>An upload must be completed within <paramref name="uploadWindow"/> of the video's creation.</summary>
    public DateTimeOffset UploadExpiresAt(TimeSpan uploadWindow) => CreatedAt + uploadWindow;

    /// <summary>Still uploading, and the upload window has closed.</summary>
    public bool IsUploadExpired(TimeSpan uploadWindow, DateTimeOffset now) =>
        Status == VideoStatus.PendingUpload && CurrentJobId is null && now >= UploadExpiresAt(uploadWindow);

    /// <summary>
    /// The upload was left unfinished: EXPIRED, a terminal status (there is no source to retry from).
    /// Null when the window is still open or the video is no longer uploading (a repeat is a no-op).
    /// </summary>
    public VideoChange? ExpireUpload(TimeSpan uploadWindow, DateTimeOffset now) =>
        IsUploadExpired(uploadWindow, now) ? new VideoChange(Id, Status, VideoStatus.Expired, now) : null;

    private QueueJob QueueNewJob(Guid newJobId, long sourceSizeBytes, DateTimeOffset now) =>
        new(
            new VideoChange(Id, Status, VideoStatus.Uploaded, now) { CurrentJobId = newJobId, SourceSizeBytes = sourceSizeBytes, ClearHlsPath = true },
            TranscodeJob.Queue(newJobId, Id, now));
}

/// <summary>A compare-and-set on a video's status.</summary>
public sealed record VideoChange(Guid VideoId, VideoStatus FromStatus, VideoStatus ToStatus, DateTimeOffset At)
{
    public Guid? CurrentJobId { get; init; }
    public long? SourceSizeBytes { get; init; }
    public bool ClearHlsPath { get; init; }

    public LectureVideo ApplyTo(LectureVideo video)
    {
        ArgumentNullException.ThrowIfNull(video);
        return video with
        {
            Status = ToStatus,
            UpdatedAt = At,
            CurrentJobId = CurrentJobId ?? video.CurrentJobId,
            SourceSizeBytes = SourceSizeBytes ?? video.SourceSizeBytes,
            HlsPath = ClearHlsPath ? null : video.HlsPath,
        };
    }
}

/// <summary>The video change and the new job that must be stored together, or not at all.</summary>
public sealed record QueueJob(VideoChange Video, TranscodeJob Job);

public sealed class InvalidVideoTransitionException(LectureVideo video, string action)
    : DomainException("INVALID_VIDEO_TRANSITION", $"Video {video.Id} is {video.Status.ToWire()}; it cannot {action}.")
{
    public VideoStatus Status { get; } = video.Status;
}
