namespace Academy.Video.Application.Storage;

/// <summary>
/// The outbox of object deletions: a row per prefix to empty, retried with backoff until storage
/// holds nothing under it. Nothing is lost: the row is written in the same statement as the
/// change that makes the objects garbage.
/// </summary>
public interface IStorageCleanupQueue
{
    Task EnqueueAsync(StorageCleanup cleanup, CancellationToken cancellationToken);

    /// <summary>Claims due items for <paramref name="lease"/> so two processors do not work the same one.</summary>
    Task<IReadOnlyList<StorageCleanup>> ClaimDueAsync(DateTimeOffset now, int limit, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>The prefix is empty: removes the item and, if it belongs to a deleted video, marks that video DELETED in the same statement.</summary>
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
public sealed record StorageCleanup(Guid Id, string Prefix, Guid? VideoId, string Reason, int Attempts, DateTimeOffset CreatedAt);
