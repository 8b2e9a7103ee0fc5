namespace Academy.Video.Domain.Videos;

/// <summary>What storage holds under a video's source key once its upload is joined: nothing is <c>null</c>.</summary>
public sealed record StoredSource(long SizeBytes);

/// <summary>What completing a video's upload comes to (<see cref="LectureVideo.CompleteUpload"/>).</summary>
public abstract record UploadCompletion
{
    private UploadCompletion()
    {
    }

    /// <summary>The source is complete: store the video change and its first job together.</summary>
    public sealed record Queue(QueueJob Job) : UploadCompletion;

    /// <summary>The upload was completed before: the answer is the job it queued then (no second job).</summary>
    public sealed record AlreadyQueued(Guid JobId) : UploadCompletion;

    /// <summary>The upload window closed before the upload was completed.</summary>
    public sealed record Expired : UploadCompletion;

    /// <summary>The video is not waiting for its upload (and never queued a job from one).</summary>
    public sealed record NotUploading(VideoStatus Status) : UploadCompletion;

    /// <summary>Storage holds nothing under the source key.</summary>
    public sealed record NothingUploaded : UploadCompletion;

    /// <summary>Storage holds an empty object.</summary>
    public sealed record EmptySource : UploadCompletion;

    /// <summary>
    /// Storage holds another size than the one declared: the object can never be used (this check would refuse it every
    /// time) and holds bytes the client was not granted, so it goes.
    /// </summary>
    public sealed record WrongSize(long DeclaredBytes, long StoredBytes) : UploadCompletion;
}
