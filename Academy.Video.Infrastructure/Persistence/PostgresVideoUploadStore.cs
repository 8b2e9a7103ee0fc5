using Academy.Video.Application.Storage;
using Academy.Video.Application.Videos.Uploads;
using Academy.Video.Domain.Events;
using Academy.Video.Domain.Videos;
using Dapper;
using Npgsql;

namespace Academy.Video.Infrastructure.Persistence;

public sealed class PostgresVideoUploadStore(NpgsqlDataSource dataSource) : IVideoUploadStore
{
    private const string InsertMultipartSql = """
        INSERT INTO video_multipart_uploads (video_id, upload_id, part_size_bytes, created_at)
        VALUES (@VideoId, @UploadId, @PartSizeBytes, @CreatedAt)
        """;

    private const string FindMultipartSql = """
        SELECT video_id AS VideoId, upload_id AS UploadId, part_size_bytes AS PartSizeBytes, created_at AS CreatedAt
        FROM video_multipart_uploads WHERE video_id = @VideoId
        """;

    private const string ReplaceMultipartSql = """
        UPDATE video_multipart_uploads SET upload_id = @NewUploadId, part_size_bytes = @PartSizeBytes, created_at = @At
        WHERE video_id = @VideoId AND upload_id = @ExpectedUploadId
        """;

    private static readonly string PendingUploadsSql = $"""
        SELECT {VideoRow.Columns} FROM videos
        WHERE status = 'PENDING_UPLOAD' AND created_at <= @CreatedBefore
        ORDER BY created_at
        LIMIT @Limit
        """;

    // The expiry, the removal of everything under the video's prefix and the expiry's event are stored
    // together, fenced on the status the domain decided from: an upload completed meanwhile is never expired.
    private const string ExpireSql = """
        WITH expired AS (
            UPDATE videos SET status = @ToStatus, updated_at = @At
            WHERE id = @VideoId AND status = ANY(@FromStatuses::text[]) AND current_job_id IS NULL
            RETURNING id
        ),
        queued AS (
            INSERT INTO storage_cleanups (id, prefix, video_id, reason, attempts, next_attempt_at, created_at)
            SELECT @CleanupId, @Prefix, expired.id, @Reason, @Attempts, @CleanupCreatedAt, @CleanupCreatedAt
            FROM expired
            ON CONFLICT (prefix) DO NOTHING
        ),
        expired_event AS (
            INSERT INTO video_events (id, type, video_id, job_id, occurred_at)
            SELECT gen_random_uuid(), @ChangeEvent::text, expired.id, NULL, @At
            FROM expired
            WHERE @ChangeEvent::text IS NOT NULL
        )
        SELECT count(*)::int FROM expired
        """;

    public async Task AddMultipartAsync(MultipartUpload upload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            InsertMultipartSql,
            new { upload.VideoId, upload.UploadId, upload.PartSizeBytes, CreatedAt = DbTime.ToDb(upload.CreatedAt) },
            cancellationToken: cancellationToken));
    }

    public async Task<MultipartUpload?> FindMultipartAsync(Guid videoId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<MultipartUploadRow>(
            new CommandDefinition(FindMultipartSql, new { VideoId = videoId }, cancellationToken: cancellationToken));
        return row is null ? null : new MultipartUpload(row.VideoId, row.UploadId, row.PartSizeBytes, DbTime.FromDb(row.CreatedAt));
    }

    public async Task<bool> TryReplaceMultipartAsync(MultipartUpload replacement, string expectedUploadId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(replacement);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            ReplaceMultipartSql,
            new
            {
                replacement.VideoId,
                ExpectedUploadId = expectedUploadId,
                NewUploadId = replacement.UploadId,
                PartSizeBytes = replacement.PartSizeBytes,
                At = DbTime.ToDb(replacement.CreatedAt),
            },
            cancellationToken: cancellationToken)) == 1;
    }

    public async Task<IReadOnlyList<LectureVideo>> ListPendingUploadsCreatedBeforeAsync(DateTimeOffset createdBefore, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<VideoRow>(new CommandDefinition(
            PendingUploadsSql, new { CreatedBefore = DbTime.ToDb(createdBefore), Limit = limit }, cancellationToken: cancellationToken));
        return rows.Select(row => row.ToDomain()).ToList();
    }

    public async Task<bool> TryExpireAsync(VideoChange change, StorageCleanup cleanup, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(cleanup);
        if (change.To != VideoStatus.Expired || cleanup.VideoId != change.VideoId)
        {
            throw new ArgumentException($"Expected the expiry of video {change.VideoId} with a cleanup of that video, got {change.To} and a cleanup of {cleanup.VideoId}.", nameof(change));
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            ExpireSql,
            new
            {
                change.VideoId,
                FromStatuses = change.From.Select(status => status.ToWire()).ToArray(),
                ToStatus = change.To.ToWire(),
                At = DbTime.ToDb(change.At),
                ChangeEvent = change.Event?.ToWire(),
                CleanupId = cleanup.Id,
                cleanup.Prefix,
                cleanup.Reason,
                cleanup.Attempts,
                CleanupCreatedAt = DbTime.ToDb(cleanup.CreatedAt),
            },
            cancellationToken: cancellationToken)) == 1;
    }

    private sealed record MultipartUploadRow
    {
        public Guid VideoId { get; init; }
        public string UploadId { get; init; } = "";
        public long PartSizeBytes { get; init; }
        public DateTime CreatedAt { get; init; }
    }
}
