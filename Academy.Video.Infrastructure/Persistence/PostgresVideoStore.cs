using Academy.Video.Application.Storage;
using Academy.Video.Application.Videos;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using Dapper;
using Npgsql;

namespace Academy.Video.Infrastructure.Persistence;

public sealed class PostgresVideoStore(NpgsqlDataSource dataSource) : IVideoStore
{
    private const string InsertSql = """
        INSERT INTO videos (id, title, status, source_key, source_content_type, source_size_bytes,
                            hls_path, current_job_id, created_at, updated_at)
        VALUES (@Id, @Title, @Status, @SourceKey, @SourceContentType, @SourceSizeBytes,
                @HlsPath, @CurrentJobId, @CreatedAt, @UpdatedAt)
        """;

    private const string FindSql = $"""
        SELECT {VideoRow.Columns} FROM videos WHERE id = @VideoId
        """;

    // The SET list mirrors VideoChange.ApplyTo; every write below is fenced on the expected status.
    private const string ChangeVideoSql = """
        UPDATE videos SET
            status = @ToStatus,
            updated_at = @At,
            current_job_id = COALESCE(@CurrentJobId, current_job_id),
            source_size_bytes = COALESCE(@SourceSizeBytes, source_size_bytes),
            hls_path = CASE WHEN @ClearHlsPath THEN NULL ELSE hls_path END
        WHERE id = @VideoId AND status = @FromStatus
        """;

    private const string QueueJobSql = $"""
        WITH changed AS (
            {ChangeVideoSql}
            RETURNING id
        )
        INSERT INTO video_transcode_jobs (id, video_id, state, attempt_count, progress_percent, created_at, updated_at)
        SELECT @JobId, changed.id, @JobState, @JobAttemptCount, @JobProgressPercent, @JobCreatedAt, @JobUpdatedAt
        FROM changed
        """;

    private const string StartDeletionSql = $"""
        WITH changed AS (
            {ChangeVideoSql}
            RETURNING id
        )
        INSERT INTO storage_cleanups (id, prefix, video_id, reason, attempts, next_attempt_at, created_at)
        SELECT @CleanupId, @Prefix, @CleanupVideoId, @Reason, @Attempts, @CleanupCreatedAt, @CleanupCreatedAt
        FROM changed
        """;

    private const string ListSql = $"""
        SELECT {VideoRow.Columns} FROM videos
        WHERE (@Status::text IS NULL OR status = @Status::text)
          AND (@Status::text IS NOT NULL OR status <> 'DELETED')
          AND (@TitlePattern::text IS NULL OR title ILIKE @TitlePattern::text)
          AND (NOT @HasCursor OR (created_at, id) < (@AfterCreatedAt, @AfterId))
        ORDER BY created_at DESC, id DESC
        LIMIT @Fetch
        """;

    public async Task AddAsync(LectureVideo video, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(video);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            InsertSql,
            new
            {
                video.Id,
                video.Title,
                Status = video.Status.ToWire(),
                video.SourceKey,
                video.SourceContentType,
                video.SourceSizeBytes,
                video.HlsPath,
                video.CurrentJobId,
                CreatedAt = DbTime.ToDb(video.CreatedAt),
                UpdatedAt = DbTime.ToDb(video.UpdatedAt),
            },
            cancellationToken: cancellationToken));
    }

    public async Task<LectureVideo?> FindAsync(Guid videoId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<VideoRow>(
            new CommandDefinition(FindSql, new { VideoId = videoId }, cancellationToken: cancellationToken));
        return row?.ToDomain();
    }

    public async Task<bool> TryChangeAsync(VideoChange change, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var parameters = new DynamicParameters(ChangeParameters(change));
        return await connection.ExecuteAsync(
            new CommandDefinition(ChangeVideoSql, parameters, cancellationToken: cancellationToken)) == 1;
    }

    public async Task<bool> TryQueueJobAsync(QueueJob queue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queue);
        var job = queue.Job;
        if (job.VideoId != queue.Video.VideoId)
        {
            throw new ArgumentException($"Job {job.Id} belongs to video {job.VideoId}, not {queue.Video.VideoId}.", nameof(queue));
        }

        var parameters = new DynamicParameters(ChangeParameters(queue.Video));
        parameters.AddDynamicParams(new
        {
            JobId = job.Id,
            JobState = job.State.ToWire(),
            JobAttemptCount = job.AttemptCount,
            JobProgressPercent = job.ProgressPercent,
            JobCreatedAt = DbTime.ToDb(job.CreatedAt),
            JobUpdatedAt = DbTime.ToDb(job.UpdatedAt),
        });

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(
            new CommandDefinition(QueueJobSql, parameters, cancellationToken: cancellationToken)) == 1;
    }

    public async Task<bool> TryStartDeletionAsync(VideoChange change, StorageCleanup cleanup, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cleanup);
        var parameters = new DynamicParameters(ChangeParameters(change));
        parameters.AddDynamicParams(new
        {
            CleanupId = cleanup.Id,
            cleanup.Prefix,
            CleanupVideoId = cleanup.VideoId,
            cleanup.Reason,
            cleanup.Attempts,
            CleanupCreatedAt = DbTime.ToDb(cleanup.CreatedAt),
        });

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(
            new CommandDefinition(StartDeletionSql, parameters, cancellationToken: cancellationToken)) == 1;
    }

    public async Task<VideoPage> ListAsync(VideoListQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<VideoRow>(new CommandDefinition(
            ListSql,
            new
            {
                Status = query.Status?.ToWire(),
                TitlePattern = query.TitleContains is { } title ? ContainsPattern(title) : null,
                HasCursor = query.After is not null,
                AfterCreatedAt = DbTime.ToDb(query.After?.CreatedAt ?? DateTimeOffset.MinValue),
                AfterId = query.After?.Id ?? Guid.Empty,
                // One row beyond the page says whether another page follows.
                Fetch = query.Limit + 1,
            },
            cancellationToken: cancellationToken))).ToList();

        var items = rows.Take(query.Limit).Select(r => r.ToDomain()).ToList();
        var next = rows.Count > query.Limit ? new VideoCursor(items[^1].CreatedAt, items[^1].Id) : null;
        return new VideoPage(items, next);
    }

    /// <summary>A LIKE pattern matching the text anywhere, with LIKE's own characters (backslash, %, _) taken literally.</summary>
    private static string ContainsPattern(string text) =>
        "%" + text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal) + "%";

    private static object ChangeParameters(VideoChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return new
        {
            change.VideoId,
            FromStatus = change.FromStatus.ToWire(),
            ToStatus = change.ToStatus.ToWire(),
            At = DbTime.ToDb(change.At),
            change.CurrentJobId,
            change.SourceSizeBytes,
            change.ClearHlsPath,
        };
    }
}
