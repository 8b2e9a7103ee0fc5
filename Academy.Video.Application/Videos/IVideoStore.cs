using Academy.Video.Application.Jobs;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;

namespace Academy.Video.Application.Videos;

/// <summary>Videos in the database. Every write is one conditional statement that returns what it wrote, or null when it lost.</summary>
public interface IVideoStore
{
    Task AddAsync(LectureVideo video, CancellationToken cancellationToken);

    Task<LectureVideo?> FindAsync(Guid videoId, CancellationToken cancellationToken);

    /// <summary>
    /// The video with its current job and that job's attempts oldest first, and its caption tracks, read together (one
    /// round trip in PostgreSQL: the video page is the hottest read); null if there is no such video.
    /// </summary>
    Task<VideoWithCurrentJob?> FindWithCurrentJobAsync(Guid videoId, CancellationToken cancellationToken);

    /// <summary>Applies the video change and inserts its new QUEUED job together; null if the video's status moved.</summary>
    Task<QueuedJob?> TryQueueJobAsync(QueueJob queue, CancellationToken cancellationToken);

    /// <summary>
    /// One statement: the current job's end (<see cref="VideoDeletion.EndJob"/>, a compare-and-set
    /// like any transition), then, only if that won or there was none, the video to DELETING and a
    /// cleanup row for <see cref="VideoDeletion.Prefix"/>. Returns the video as written; null if anything moved.
    /// </summary>
    Task<LectureVideo?> TryStartDeletionAsync(VideoDeletion deletion, CancellationToken cancellationToken);

    /// <summary>
    /// Newest first; <see cref="VideoListQuery.After"/> continues after the last item of the previous page.
    /// DELETED videos are listed only when asked for by status (a GET of one is a 404).
    /// </summary>
    Task<VideoPage> ListAsync(VideoListQuery query, CancellationToken cancellationToken);
}

/// <summary>A video, its current job (null when it has none) and the job's attempt timeline, oldest first.</summary>
public sealed record VideoWithCurrentJob(LectureVideo Video, TranscodeJob? Job, IReadOnlyList<JobAttempt> Attempts)
{
    /// <summary>The video's caption tracks by language and kind, as <see cref="Captions.ICaptionTrackStore.ListAsync"/> lists them.</summary>
    public IReadOnlyList<Captions.CaptionTrack> CaptionTracks { get; init; } = [];
}

/// <summary>The rows a queueing wrote: the changed video and its new job.</summary>
public sealed record QueuedJob(LectureVideo Video, TranscodeJob Job);

/// <param name="TitleContains">Only titles containing this text, ignoring case (SQL ILIKE, the text taken literally); null for all.</param>
public sealed record VideoListQuery(VideoStatus? Status, VideoCursor? After, int Limit, string? TitleContains = null);

/// <summary>Position in the (created_at DESC, id DESC) order.</summary>
public sealed record VideoCursor(DateTimeOffset CreatedAt, Guid Id);

public sealed record VideoPage(IReadOnlyList<LectureVideo> Items, VideoCursor? Next);
