using Academy.Video.Domain.Events;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;

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

    /// <summary>Where the client asked the poster to be taken; null: <see cref="Poster.DefaultFraction"/> of the way in.</summary>
    public double? PosterAtSeconds { get; init; }

    /// <summary>What the last probe of the source found; null until a worker has probed it.</summary>
    public SourceMetadata? Source { get; init; }

    /// <summary>The published poster JPEG, set with <see cref="HlsPath"/> when the video becomes READY.</summary>
    public string? PosterKey { get; init; }

    /// <summary>The published storyboard's WebVTT index (its sprite beside it), set with <see cref="HlsPath"/>.</summary>
    public string? StoryboardKey { get; init; }

    /// <summary>The chapters found at the slide changes or set by a person (docs/encoding.md, Chapters), set with <see cref="HlsPath"/>; empty when none.</summary>
    public VideoChapterList Chapters { get; init; } = VideoChapterList.Empty;

    /// <summary>The published WebVTT chapters track (kind chapters), under the tree; null when the video has no chapters.</summary>
    public string? ChaptersKey { get; init; }

    /// <summary>How many times the chapters were replaced by a person: a replacement is written only over the revision it read.</summary>
    public int ChaptersRevision { get; init; }

    /// <summary>
    /// The running attempt's master playlist, once it has published enough to be played while the rest is encoded
    /// (decision 0018); the published master at READY; null otherwise.
    /// </summary>
    public string? PlayablePath { get; init; }

    /// <summary>When the video first became playable (the attempt that made it so); kept at READY.</summary>
    public DateTimeOffset? PlayableAt { get; init; }

    /// <summary>The master a player loads: the published tree of a READY video, the growing one of a playable PROCESSING video.</summary>
    public string? PlaybackPath => Status switch
    {
        VideoStatus.Ready => HlsPath,
        VideoStatus.Processing => PlayablePath,
        _ => null,
    };

    public bool IsPlayable => PlaybackPath is not null;

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
    /// Whether the upload can still be completed, before storage is looked at: null when it can, otherwise the answer
    /// (already queued, expired, no longer uploading).
    /// </summary>
    public UploadCompletion? CheckUploadCompletion(TimeSpan uploadWindow, DateTimeOffset now)
    {
        if (CurrentJobId is { } jobId)
        {
            return new UploadCompletion.AlreadyQueued(jobId);
        }

        if (Status == VideoStatus.Expired || IsUploadExpired(uploadWindow, now))
        {
            return new UploadCompletion.Expired();
        }

        return Status == VideoStatus.PendingUpload ? null : new UploadCompletion.NotUploading(Status);
    }

    /// <summary>
    /// The client says the upload is done and storage holds <paramref name="stored"/>: a first job is queued when the
    /// source is what was declared. A repeated call answers with the job the first one queued.
    /// </summary>
    public UploadCompletion CompleteUpload(Guid newJobId, StoredSource? stored, TimeSpan uploadWindow, DateTimeOffset now)
    {
        if (CheckUploadCompletion(uploadWindow, now) is { } refused)
        {
            return refused;
        }

        return stored switch
        {
            null => new UploadCompletion.NothingUploaded(),
            { SizeBytes: 0 } => new UploadCompletion.EmptySource(),
            // Videos created before the size was recorded have none to compare with.
            _ when SourceSizeBytes is { } declared && stored.SizeBytes != declared => new UploadCompletion.WrongSize(declared, stored.SizeBytes),
            _ => new UploadCompletion.Queue(QueueNewJob(newJobId, stored.SizeBytes, now)),
        };
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

    /// <summary>
    /// Starts deletion: the video becomes DELETING, its unfinished <paramref name="currentJob"/>
    /// ends FAILED (VIDEO_DELETED), and the whole video prefix is queued for removal, all in one
    /// statement. Deleting twice is a no-op (null).
    /// </summary>
    public VideoDeletion? Delete(TranscodeJob? currentJob, DateTimeOffset now)
    {
        if (Status is VideoStatus.Deleting or VideoStatus.Deleted)
        {
            return null;
        }

        if (currentJob is not null && currentJob.Id != CurrentJobId)
        {
            throw new ArgumentException($"Job {currentJob.Id} is not the current job of video {Id}.", nameof(currentJob));
        }

        return new VideoDeletion(
            new VideoChange(Id, [Status], VideoStatus.Deleting, now) { Event = VideoEventType.VideoDeleted },
            currentJob?.CancelForDeletion(now),
            StorageKeys.VideoPrefix(Id));
    }

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
        IsUploadExpired(uploadWindow, now)
            ? new VideoChange(Id, [Status], VideoStatus.Expired, now) { Event = VideoEventType.VideoUploadExpired }
            : null;

    private QueueJob QueueNewJob(Guid newJobId, long sourceSizeBytes, DateTimeOffset now) =>
        new(
            new VideoChange(Id, [Status], VideoStatus.Uploaded, now) { CurrentJobId = newJobId, SourceSizeBytes = sourceSizeBytes, ClearHlsPath = true },
            TranscodeJob.Queue(newJobId, Id, now));
}

/// <summary>A compare-and-set on a video's status: it applies only while the status is one of <see cref="From"/>.</summary>
public sealed record VideoChange(Guid VideoId, IReadOnlyList<VideoStatus> From, VideoStatus To, DateTimeOffset At)
{
    /// <summary>Written when set.</summary>
    public Guid? CurrentJobId { get; init; }

    /// <summary>Written when set.</summary>
    public long? SourceSizeBytes { get; init; }

    public bool ClearHlsPath { get; init; }

    /// <summary>Written in the same statement when the change applies.</summary>
    public VideoEventType? Event { get; init; }
}

/// <summary>The video change and the new job that must be stored together, or not at all.</summary>
public sealed record QueueJob(VideoChange Video, TranscodeJob Job);

/// <summary>
/// A deletion, stored as one statement: the job's end (if it had not ended) is its compare-and-set,
/// and the video changes only if that won; then the whole <see cref="Prefix"/> is queued for removal.
/// </summary>
public sealed record VideoDeletion(VideoChange Video, JobTransition? EndJob, string Prefix);

public sealed class InvalidVideoTransitionException(LectureVideo video, string action)
    : DomainException("INVALID_VIDEO_TRANSITION", $"Video {video.Id} is {video.Status.ToWire()}; it cannot {action}.")
{
    public VideoStatus Status { get; } = video.Status;
}
