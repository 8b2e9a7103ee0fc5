using Academy.Video.Domain.Videos;
using Academy.Video.Application.Storage;

namespace Academy.Video.Application.Videos;

/// <summary>Videos in the database. Every write is one conditional statement that reports whether it won.</summary>
public interface IVideoStore
{
    Task AddAsync(LectureVideo video, CancellationToken cancellationToken);

    Task<LectureVideo?> FindAsync(Guid videoId, CancellationToken cancellationToken);

    /// <summary>Applies the change if the video is still in <see cref="VideoChange.FromStatus"/>.</summary>
    Task<bool> TryChangeAsync(VideoChange change, CancellationToken cancellationToken);

    /// <summary>Applies the video change and inserts its new QUEUED job together; false if the video's status moved.</summary>
    Task<bool> TryQueueJobAsync(QueueJob queue, CancellationToken cancellationToken);

    /// <summary>Moves the video to DELETING and enqueues the removal of its objects together; false if the status moved.</summary>
    Task<bool> TryStartDeletionAsync(VideoChange change, StorageCleanup cleanup, CancellationToken cancellationToken);

    /// <summary>
    /// Newest first; <see cref="VideoListQuery.After"/> continues after the last item of the previous page.
    /// DELETED videos are listed only when asked for by status (a GET of one is a 404).
    /// </summary>
    Task<VideoPage> ListAsync(VideoListQuery query, CancellationToken cancellationToken);
}

/// <param name="TitleContains">Only titles containing this text, ignoring case (SQL ILIKE, the text taken literally); null for all.</param>
public sealed record VideoListQuery(VideoStatus? Status, VideoCursor? After, int Limit, string? TitleContains = null);

/// <summary>Position in the (created_at DESC, id DESC) order.</summary>
public sealed record VideoCursor(DateTimeOffset CreatedAt, Guid Id);

public sealed record VideoPage(IReadOnlyList<LectureVideo> Items, VideoCursor? Next);
