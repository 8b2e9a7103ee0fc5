using Academy.Video.Application.Storage;
using Academy.Video.Domain.Jobs;
using Dapper;
using Npgsql;
using Polly.Registry;

namespace Academy.Video.Infrastructure.Persistence;

/// <summary>
/// The deletion outbox on PostgreSQL. A claim is a lease: it pushes <c>next_attempt_at</c> past the
/// lease and counts the attempt, so a processor that dies mid-way lets the item come due again.
/// Rows are written by the statements that orphan their prefix (job transitions, video deletion).
/// </summary>
public sealed class PostgresStorageCleanupQueue(NpgsqlDataSource dataSource, ResiliencePipelineProvider<string> pipelines) : IStorageCleanupQueue
{
    // An attempt prefix waits while its job is unfinished (OrphanCleanup.HoldingStates).
    private const string ClaimDueSql = $"""
        WITH due AS (
            SELECT c.id AS due_id FROM storage_cleanups AS c
            WHERE c.next_attempt_at <= @Now
              AND NOT EXISTS (
                  SELECT 1 FROM video_transcode_jobs AS j
                  WHERE j.id = c.job_id AND j.state = ANY(@HoldingStates::text[]))
            ORDER BY c.next_attempt_at
            LIMIT @Limit
            FOR UPDATE OF c SKIP LOCKED
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

    // Held rows (an attempt prefix whose job is unfinished) wait by design and are not backlog.
    private const string BacklogSql = """
        WITH pending AS (
            SELECT c.created_at, c.prefix, c.attempts, c.last_error FROM storage_cleanups AS c
            WHERE NOT EXISTS (
                SELECT 1 FROM video_transcode_jobs AS j
                WHERE j.id = c.job_id AND j.state = ANY(@HoldingStates::text[]))
        )
        SELECT
            (SELECT count(*) FROM pending)::int AS Count,
            oldest.created_at AS OldestCreatedAt, oldest.prefix AS OldestPrefix,
            coalesce(oldest.attempts, 0) AS OldestAttempts, oldest.last_error AS OldestLastError
        FROM (SELECT 1) AS one
        LEFT JOIN LATERAL (SELECT * FROM pending ORDER BY created_at LIMIT 1) AS oldest ON true
        """;

    private static readonly string[] HoldingStates = OrphanCleanup.HoldingStates.Select(s => s.ToWire()).ToArray();

    private readonly PostgresConnections connections = new(dataSource, pipelines);

    public Task<IReadOnlyList<StorageCleanup>> ClaimDueAsync(
        DateTimeOffset now, int limit, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        return connections.RunAsync<IReadOnlyList<StorageCleanup>>(async (connection, token) =>
        {
            var rows = await connection.QueryAsync<CleanupRow>(new CommandDefinition(
                ClaimDueSql,
                new { Now = DbTime.ToDb(now), Limit = limit, LeaseUntil = DbTime.ToDb(now + lease), HoldingStates },
                cancellationToken: token));
            return rows.Select(r => r.ToDomain()).ToList();
        }, cancellationToken);
    }

    public Task CompleteAsync(StorageCleanup cleanup, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cleanup);
        return connections.RunAsync(
            (connection, token) => connection.ExecuteAsync(new CommandDefinition(
                CompleteSql, new { cleanup.Id, Now = DbTime.ToDb(now) }, cancellationToken: token)),
            cancellationToken);
    }

    public Task RescheduleAsync(Guid cleanupId, string error, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken) =>
        connections.RunAsync(
            (connection, token) => connection.ExecuteAsync(new CommandDefinition(
                RescheduleSql,
                new { Id = cleanupId, Error = error, NextAttemptAt = DbTime.ToDb(nextAttemptAt) },
                cancellationToken: token)),
            cancellationToken);

    public Task<CleanupBacklog> GetCleanupBacklogAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        connections.RunAsync(
            async (connection, token) =>
            {
                var row = await connection.QuerySingleAsync<BacklogRow>(new CommandDefinition(BacklogSql, new { HoldingStates }, cancellationToken: token));
                return row.Count == 0
                    ? CleanupBacklog.Empty
                    : new CleanupBacklog(row.Count, DbTime.FromDb(row.OldestCreatedAt), row.OldestPrefix, row.OldestAttempts, row.OldestLastError);
            },
            cancellationToken);

    private sealed record BacklogRow
    {
        public int Count { get; init; }
        public DateTime? OldestCreatedAt { get; init; }
        public string? OldestPrefix { get; init; }
        public int OldestAttempts { get; init; }
        public string? OldestLastError { get; init; }
    }
}
