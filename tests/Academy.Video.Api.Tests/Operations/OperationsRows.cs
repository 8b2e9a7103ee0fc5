using Npgsql;

namespace Academy.Video.Api.Tests.Operations;

/// <summary>
/// Job and video rows written straight into the database, back-dated as a scenario needs (a job QUEUED
/// ten minutes ago, RUNNABLE for thirty). Every row satisfies the schema's constraints.
/// </summary>
internal static class OperationsRows
{
    public static async Task<Guid> QueuedAsync(NpgsqlDataSource db, TimeSpan age, string? batchJobId = null, TimeSpan? submittedAgo = null)
    {
        var (videoId, jobId) = (Guid.NewGuid(), Guid.NewGuid());
        await ExecuteAsync(db, """
            INSERT INTO videos (id, title, status, source_key, source_content_type, source_size_bytes, created_at, updated_at)
            VALUES (@VideoId, 'queued', 'UPLOADED', 'videos/x/source/original.mp4', 'video/mp4', 100, now() - @Age, now() - @Age);
            INSERT INTO video_transcode_jobs (id, video_id, state, attempt_count, aws_batch_job_id, submitted_at, created_at, updated_at)
            VALUES (@JobId, @VideoId, 'QUEUED', 0, @BatchJobId, CASE WHEN @BatchJobId::text IS NULL THEN NULL ELSE now() - @SubmittedAgo END, now() - @Age, now() - @Age);
            UPDATE videos SET current_job_id = @JobId WHERE id = @VideoId;
            """, new() { ["VideoId"] = videoId, ["JobId"] = jobId, ["Age"] = age, ["BatchJobId"] = (object?)batchJobId ?? DBNull.Value, ["SubmittedAgo"] = submittedAgo ?? age });
        return jobId;
    }

    public static async Task<Guid> RunningAsync(NpgsqlDataSource db, string batchJobId, TimeSpan heartbeatAgo)
    {
        var (videoId, jobId) = (Guid.NewGuid(), Guid.NewGuid());
        await ExecuteAsync(db, """
            INSERT INTO videos (id, title, status, source_key, source_content_type, source_size_bytes, created_at, updated_at)
            VALUES (@VideoId, 'running', 'PROCESSING', 'videos/x/source/original.mp4', 'video/mp4', 100, now() - interval '5 minutes', now() - interval '5 minutes');
            INSERT INTO video_transcode_jobs (id, video_id, state, attempt_count, aws_batch_job_id, submitted_at, last_heartbeat_at, progress_percent, created_at, updated_at)
            VALUES (@JobId, @VideoId, 'RUNNING', 1, @BatchJobId, now() - interval '5 minutes', now() - @HeartbeatAgo, 40, now() - interval '5 minutes', now() - @HeartbeatAgo);
            INSERT INTO video_job_attempts (job_id, attempt, started_at, batch_job_id) VALUES (@JobId, 1, now() - interval '4 minutes', @BatchJobId);
            UPDATE videos SET current_job_id = @JobId WHERE id = @VideoId;
            """, new() { ["VideoId"] = videoId, ["JobId"] = jobId, ["BatchJobId"] = batchJobId, ["HeartbeatAgo"] = heartbeatAgo });
        return jobId;
    }

    /// <summary>A job that SUCCEEDED an hour ago under <paramref name="batchJobId"/>, its video READY.</summary>
    public static async Task<Guid> SucceededAsync(NpgsqlDataSource db, string batchJobId)
    {
        var (videoId, jobId) = (Guid.NewGuid(), Guid.NewGuid());
        await ExecuteAsync(db, """
            INSERT INTO videos (id, title, status, source_key, source_content_type, source_size_bytes, hls_path, created_at, updated_at)
            VALUES (@VideoId, 'done', 'READY', 'videos/x/source/original.mp4', 'video/mp4', 100, 'videos/x/hls/y-a1/master.m3u8', now() - interval '2 hours', now() - interval '1 hour');
            INSERT INTO video_transcode_jobs (id, video_id, state, attempt_count, aws_batch_job_id, submitted_at, last_heartbeat_at, progress_percent, created_at, updated_at, finished_at)
            VALUES (@JobId, @VideoId, 'SUCCEEDED', 1, @BatchJobId, now() - interval '2 hours', now() - interval '1 hour', 100, now() - interval '2 hours', now() - interval '1 hour', now() - interval '1 hour');
            INSERT INTO video_job_attempts (job_id, attempt, started_at, ended_at, outcome, batch_job_id)
            VALUES (@JobId, 1, now() - interval '2 hours', now() - interval '1 hour', 'SUCCEEDED', @BatchJobId);
            UPDATE videos SET current_job_id = @JobId WHERE id = @VideoId;
            """, new() { ["VideoId"] = videoId, ["JobId"] = jobId, ["BatchJobId"] = batchJobId });
        return jobId;
    }

    private static async Task ExecuteAsync(NpgsqlDataSource db, string sql, Dictionary<string, object> parameters)
    {
        await using var command = db.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync();
    }
}
