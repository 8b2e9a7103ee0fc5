namespace Academy.Video.Application.Storage;

/// <summary>
/// The outbox of object deletions: a row per prefix to empty, retried with backoff until storage
/// holds nothing under it. Nothing is lost: each row is written in the same statement as the
/// change that makes the objects garbage (a deletion, or a job transition that orphans an attempt).
/// </summary>
public interface IStorageCleanupQueue
{
    /// <summary>
    /// Claims due items for <paramref name="lease"/> so two processors do not work the same one.
    /// An attempt prefix is held back while its job is unfinished (<c>OrphanCleanup.IsHeld</c>).
    /// </summary>
    Task<IReadOnlyList<StorageCleanup>> ClaimDueAsync(DateTimeOffset now, int limit, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>
    /// The prefix is empty: removes the item and, if it belongs to a deleted video and no other
    /// prefix of that video is left, marks the video DELETED in the same statement.
    /// </summary>
    Task CompleteAsync(StorageCleanup cleanup, DateTimeOffset now, CancellationToken cancellationToken);

    Task RescheduleAsync(Guid cleanupId, string error, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken);

    /// <summary>How many prefixes wait, and the oldest of them, for the operator checks.</summary>
    Task<CleanupBacklog> GetCleanupBacklogAsync(DateTimeOffset now, CancellationToken cancellationToken);
}

/// <param name="OldestCreatedAt">When the oldest waiting deletion was enqueued; null when nothing waits.</param>
public sealed record CleanupBacklog(int Count, DateTimeOffset? OldestCreatedAt, string? OldestPrefix, int OldestAttempts, string? OldestLastError)
{
    public static CleanupBacklog Empty { get; } = new(0, null, null, 0, null);
}

/// <param name="VideoId">Set when the whole video was deleted: completion marks it DELETED.</param>
/// <param name="JobId">Set for an attempt's prefix: held while that job is unfinished.</param>
public sealed record StorageCleanup(Guid Id, string Prefix, Guid? VideoId, Guid? JobId, string Reason, int Attempts, DateTimeOffset CreatedAt);
