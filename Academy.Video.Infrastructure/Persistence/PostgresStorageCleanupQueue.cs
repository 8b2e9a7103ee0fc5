using Academy.Video.Application.Storage;
using Dapper;
using Npgsql;

namespace Academy.Video.Infrastructure.Persistence;

/// <summary>
/// The deletion outbox on PostgreSQL. A claim is a lease: it pushes <c>next_attempt_at</c> past the
/// lease and counts the attempt, so a processor that dies mid-way lets the item come due again.
/// </summary>
public sealed class PostgresStorageCleanupQueue(NpgsqlDataSource dataSource) : IStorageCleanupQueue
{
    private const string EnqueueSql = """
        INSERT INTO storage_cleanups (id, prefix, video_id, reason, attempts, next_attempt_at, created_at)
        VALUES (@Id, @Prefix, @VideoId, @Reason, @Attempts, @CreatedAt, @CreatedAt)
        """;

    private const string ClaimDueSql = $"""
        WITH due AS (
            SELECT id AS due_id FROM storage_cleanups
            WHERE next_attempt_at <= @Now
            ORDER BY next_attempt_at
            LIMIT @Limit
            FOR UPDATE SKIP LOCKED
        )
        UPDATE storage_cleanups AS c SET
            next_attempt_at = @LeaseUntil,
            attempts = c.attempts + 1
        FROM due
        WHERE c.id = due.due_id
        RETURNING {CleanupRow.Columns}
        """;

    // The video becomes DELETED only from DELETING and only when no other prefix of it is left.
    private const string CompleteSql = """
        WITH removed AS (
            DELETE FROM storage_cleanups WHERE id = @Id RETURNING id, video_id
        )
        UPDATE videos AS v SET status = 'DELETED', updated_at = @Now
        FROM removed
        WHERE v.id = removed.video_id
          AND v.status = 'DELETING'
          AND NOT EXISTS (
              SELECT 1 FROM storage_cleanups AS other
              WHERE other.video_id = removed.video_id AND other.id <> removed.id)
        """;

    private const string RescheduleSql = """
        UPDATE storage_cleanups SET last_error = @Error, next_attempt_at = @NextAttemptAt WHERE id = @Id
        """;

    // Reads the due index (next_attempt_at) for the count; the oldest entry by creation is one row.
    private const string BacklogSql = """
        SELECT
            (SELECT count(*) FROM storage_cleanups)::int AS Count,
            oldest.created_at AS OldestCreatedAt, oldest.prefix AS OldestPrefix,
            coalesce(oldest.attempts, 0) AS OldestAttempts, oldest.last_error AS OldestLastError
        FROM (SELECT 1) AS one
        LEFT JOIN LATERAL (
            SELECT created_at, prefix, attempts, last_error FROM storage_cleanups ORDER BY created_at LIMIT 1
        ) AS oldest ON true
        """;

    public async Task EnqueueAsync(StorageCleanup cleanup, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cleanup);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            EnqueueSql,
            new { cleanup.Id, cleanup.Prefix, cleanup.VideoId, cleanup.Reason, cleanup.Attempts, CreatedAt = DbTime.ToDb(cleanup.CreatedAt) },
            cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<StorageCleanup>> ClaimDueAsync(
        DateTimeOffset now, int limit, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<CleanupRow>(new CommandDefinition(
            ClaimDueSql,
            new { Now = DbTime.ToDb(now), Limit = limit, LeaseUntil = DbTime.ToDb(now + lease) },
            cancellationToken: cancellationToken));
        return rows.Select(r => r.ToDomain()).ToList();
    }

    public async Task CompleteAsync(StorageCleanup cleanup, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cleanup);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            CompleteSql, new { cleanup.Id, Now = DbTime.ToDb(now) }, cancellationToken: cancellationToken));
    }

    public async Task RescheduleAsync(Guid cleanupId, string error, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            RescheduleSql,
            new { Id = cleanupId, Error = error, NextAttemptAt = DbTime.ToDb(nextAttemptAt) },
            cancellationToken: cancellationToken));
    }

    public async Task<CleanupBacklog> GetCleanupBacklogAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleAsync<BacklogRow>(new CommandDefinition(BacklogSql, cancellationToken: cancellationToken));
        return row.Count == 0
            ? CleanupBacklog.Empty
            : new CleanupBacklog(row.Count, DbTime.FromDb(row.OldestCreatedAt), row.OldestPrefix, row.OldestAttempts, row.OldestLastError);
    }

    private sealed record BacklogRow
    {
        public int Count { get; init; }
        public DateTime? OldestCreatedAt { get; init; }
        public string? OldestPrefix { get; init; }
        public int OldestAttempts { get; init; }
        public string? OldestLastError { get; init; }
    }
}
