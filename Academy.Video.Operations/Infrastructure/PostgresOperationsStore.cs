using Academy.Video.Application.Jobs;
using Academy.Video.Domain.Jobs;
using Academy.Video.Infrastructure.Persistence;
using Academy.Video.Operations.Application;
using Dapper;
using Npgsql;

namespace Academy.Video.Operations.Infrastructure;

/// <summary>The operator checks' reads. Each one reads an index made for it; none locks a row.</summary>
public sealed class PostgresOperationsStore(NpgsqlDataSource dataSource, DatabaseMigrator migrator) : IOperationsStore
{
    private static readonly string LatestJobsSql = $"""
        SELECT {JobRow.Columns} FROM video_transcode_jobs ORDER BY created_at DESC LIMIT @Limit
        """;

    private static readonly string UnfinishedJobsSql = $"""
        SELECT {JobRow.ColumnsOf("j")}, v.status AS VideoStatus
        FROM video_transcode_jobs AS j
        LEFT JOIN videos AS v ON v.id = j.video_id
        WHERE j.state IN ('QUEUED', 'RUNNING', 'RETRY_WAIT')
        ORDER BY j.updated_at LIMIT @Limit
        """;

    // Deleted videos are excepted: deleting a READY video leaves its SUCCEEDED job behind on purpose.
    private static readonly string SucceededWithUnreadyVideoSql = $"""
        SELECT {JobRow.Columns}, video_status AS VideoStatus
        FROM (
            SELECT j.*, v.status AS video_status
            FROM videos AS v
            JOIN video_transcode_jobs AS j ON j.id = v.current_job_id
            WHERE v.status IN ('PENDING_UPLOAD', 'UPLOADED', 'PROCESSING', 'FAILED')
              AND j.state = 'SUCCEEDED' AND j.finished_at >= @Since
            ORDER BY j.finished_at DESC LIMIT @Limit
        ) AS broken
        """;

    private static readonly string SucceededWithUndoneChunksSql = $"""
        SELECT {JobRow.ColumnsOf("j")}, c.chunk AS Chunk, c.state AS ChunkState
        FROM video_transcode_jobs AS j
        JOIN video_job_chunks AS c ON c.job_id = j.id AND c.job_attempt = j.attempt_count
        WHERE j.state = 'SUCCEEDED' AND j.finished_at >= @Since AND c.state <> 'DONE'
        ORDER BY j.finished_at DESC, c.chunk
        LIMIT @Limit
        """;

    // The schema forbids the rows; they are looked for only when that constraint is gone.
    private const string ReadyConstraintSql = """
        SELECT EXISTS (
            SELECT 1 FROM pg_constraint
            WHERE conrelid = 'videos'::regclass AND conname = 'videos_ready_has_hls_path' AND convalidated)
        """;

    private const string ReadyWithoutHlsPathSql = """
        SELECT id FROM videos WHERE status = 'READY' AND hls_path IS NULL LIMIT @Limit
        """;

    private static readonly string JobsWithRunnerIdSql = $"""
        (SELECT {JobRow.Columns} FROM video_transcode_jobs
         WHERE state IN ('QUEUED', 'RUNNING', 'RETRY_WAIT') AND aws_batch_job_id IS NOT NULL
         ORDER BY updated_at LIMIT @Limit)
        UNION ALL
        (SELECT {JobRow.Columns} FROM video_transcode_jobs
         WHERE finished_at >= @Since AND aws_batch_job_id IS NOT NULL
         ORDER BY finished_at DESC LIMIT @Limit)
        LIMIT @Limit
        """;

    private const string NewestSucceededAttemptSql = """
        SELECT a.job_id AS JobId, j.video_id AS VideoId, a.attempt AS Attempt, a.batch_job_id AS RunnerJobId,
               a.started_at AS StartedAt, a.ended_at AS EndedAt
        FROM video_transcode_jobs AS j
        JOIN video_job_attempts AS a ON a.job_id = j.id AND a.attempt = j.attempt_count
        WHERE j.finished_at IS NOT NULL AND j.state = 'SUCCEEDED' AND a.outcome = 'SUCCEEDED'
        ORDER BY j.finished_at DESC LIMIT 1
        """;

    public async Task<DatabaseStatus> ProbeAsync(CancellationToken cancellationToken)
    {
        var target = DatabaseFailure.Target(dataSource.ConnectionString);
        try
        {
            var pending = await migrator.ListPendingAsync(cancellationToken);
            return new DatabaseStatus(true, null, target, pending.Select(m => $"{m.Version:0000}_{m.Name}").ToList(), DatabaseMigrator.Migrations.Count);
        }
        catch (Exception ex) when (DatabaseFailure.IsUnavailable(ex) || ex is TimeoutException)
        {
            return new DatabaseStatus(false, DatabaseFailure.Describe(ex, dataSource.ConnectionString), target, [], DatabaseMigrator.Migrations.Count);
        }
    }

    public Task<IReadOnlyList<TranscodeJob>> ListLatestJobsAsync(int limit, CancellationToken cancellationToken) =>
        QueryJobsAsync(LatestJobsSql, new { Limit = limit }, cancellationToken);

    public async Task<IReadOnlyList<RecoveryCandidate>> ListUnfinishedJobsAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<CandidateRow>(
            new CommandDefinition(UnfinishedJobsSql, new { Limit = limit }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToCandidate()).ToList();
    }

    public Task<IReadOnlyList<TranscodeJob>> ListJobsWithRunnerIdAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken) =>
        QueryJobsAsync(JobsWithRunnerIdSql, new { Since = DbTime.ToDb(since), Limit = limit }, cancellationToken);

    public async Task<IReadOnlyList<(TranscodeJob Job, string VideoStatus)>> ListSucceededJobsWithUnreadyVideoAsync(
        DateTimeOffset since, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<JobRow, VideoStatusRow, (TranscodeJob, string)>(
            new CommandDefinition(SucceededWithUnreadyVideoSql, new { Since = DbTime.ToDb(since), Limit = limit }, cancellationToken: cancellationToken),
            (job, video) => (job.ToDomain(), video.VideoStatus),
            splitOn: nameof(VideoStatusRow.VideoStatus));
        return rows.ToList();
    }

    public async Task<IReadOnlyList<(TranscodeJob Job, int Chunk, string ChunkState)>> ListSucceededJobsWithUndoneChunksAsync(
        DateTimeOffset since, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<JobRow, UndoneChunkRow, (TranscodeJob, int, string)>(
            new CommandDefinition(SucceededWithUndoneChunksSql, new { Since = DbTime.ToDb(since), Limit = limit }, cancellationToken: cancellationToken),
            (job, chunk) => (job.ToDomain(), chunk.Chunk, chunk.ChunkState),
            splitOn: nameof(UndoneChunkRow.Chunk));
        return rows.ToList();
    }

    private sealed record UndoneChunkRow
    {
        public int Chunk { get; init; }
        public string ChunkState { get; init; } = "";
    }

    public async Task<IReadOnlyList<Guid>> ListReadyVideosWithoutHlsPathAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition(ReadyConstraintSql, cancellationToken: cancellationToken)))
        {
            return [];
        }

        return (await connection.QueryAsync<Guid>(new CommandDefinition(ReadyWithoutHlsPathSql, new { Limit = limit }, cancellationToken: cancellationToken))).ToList();
    }

    public async Task<SucceededAttempt?> FindNewestSucceededAttemptAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<SucceededAttemptRow>(
            new CommandDefinition(NewestSucceededAttemptSql, cancellationToken: cancellationToken));
        return row is null
            ? null
            : new SucceededAttempt(row.JobId, row.VideoId, row.Attempt, row.RunnerJobId, DbTime.FromDb(row.StartedAt), DbTime.FromDb(row.EndedAt));
    }

    private async Task<IReadOnlyList<TranscodeJob>> QueryJobsAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<JobRow>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToDomain()).ToList();
    }

    private sealed record VideoStatusRow
    {
        public string VideoStatus { get; init; } = "";
    }

    private sealed record SucceededAttemptRow
    {
        public Guid JobId { get; init; }
        public Guid VideoId { get; init; }
        public int Attempt { get; init; }
        public string? RunnerJobId { get; init; }
        public DateTime StartedAt { get; init; }
        public DateTime? EndedAt { get; init; }
    }
}
