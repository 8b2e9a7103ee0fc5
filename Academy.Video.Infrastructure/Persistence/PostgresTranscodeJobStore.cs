using Academy.Video.Application.Jobs;
using Academy.Video.Domain.Jobs;
using Dapper;
using Npgsql;
using Polly.Registry;

namespace Academy.Video.Infrastructure.Persistence;

/// <remarks>
/// <see cref="GetBacklogAsync"/> counts the unfinished states (QUEUED, RUNNING, RETRY_WAIT), each
/// always present: finished jobs are history, not backlog, and counting them would make a
/// monitoring query grow with the table.
/// </remarks>
public sealed class PostgresTranscodeJobStore(NpgsqlDataSource dataSource, ResiliencePipelineProvider<string> pipelines) : ITranscodeJobStore
{
    private static readonly string FindSql = $"""
        SELECT {JobRow.Columns} FROM video_transcode_jobs WHERE id = @JobId
        """;

    // Only the RUNNING attempt with this number beats; an attempt of a video being deleted is told to stop. A chunked job's
    // planner holds its chunk 0 at chunk attempt 1 (docs/decisions/0023-chunked-encoding.md): its beat is the chunk's too.
    private const string HeartbeatSql = """
        WITH planner_chunk AS (
            UPDATE video_job_chunks SET last_heartbeat_at = @Now, updated_at = @Now
            WHERE job_id = @JobId AND chunk = 0 AND job_attempt = @Attempt AND attempt_count = 1 AND state = 'RUNNING'
              AND EXISTS (SELECT 1 FROM video_transcode_jobs WHERE id = @JobId AND state = 'RUNNING' AND attempt_count = @Attempt)
        )
        UPDATE video_transcode_jobs AS j SET
            last_heartbeat_at = @Now,
            progress_percent = @ProgressPercent,
            updated_at = @Now
        WHERE j.id = @JobId AND j.state = 'RUNNING' AND j.attempt_count = @Attempt
          AND NOT EXISTS (
              SELECT 1 FROM videos AS v WHERE v.id = j.video_id AND v.status IN ('DELETING', 'DELETED'))
        """;

    // Fenced like a heartbeat: only the RUNNING attempt with this number records its plan; its video gets the probe.
    private const string RecordEncodePlanSql = """
        WITH job AS (
            UPDATE video_transcode_jobs SET
                top_rung_code = @TopRungCode,
                top_rung_reason = @TopRungReason,
                loudness_status = coalesce(@LoudnessStatus, loudness_status),
                loudness_input_i = CASE WHEN @LoudnessStatus::text IS NULL THEN loudness_input_i ELSE @LoudnessInputI END,
                loudness_input_tp = CASE WHEN @LoudnessStatus::text IS NULL THEN loudness_input_tp ELSE @LoudnessInputTp END,
                loudness_input_lra = CASE WHEN @LoudnessStatus::text IS NULL THEN loudness_input_lra ELSE @LoudnessInputLra END,
                loudness_input_thresh = CASE WHEN @LoudnessStatus::text IS NULL THEN loudness_input_thresh ELSE @LoudnessInputThresh END,
                loudness_target_offset = CASE WHEN @LoudnessStatus::text IS NULL THEN loudness_target_offset ELSE @LoudnessTargetOffset END,
                profile_kind = coalesce(@ProfileKind, profile_kind),
                profile_still_share = CASE WHEN @ProfileKind::text IS NULL THEN profile_still_share ELSE @ProfileStillShare END,
                profile_motion = CASE WHEN @ProfileKind::text IS NULL THEN profile_motion ELSE @ProfileMotion END,
                profile_analyzed_seconds = CASE WHEN @ProfileKind::text IS NULL THEN profile_analyzed_seconds ELSE @ProfileAnalyzedSeconds END,
                updated_at = @At
            WHERE id = @JobId AND video_id = @VideoId AND state = 'RUNNING' AND attempt_count = @Attempt
            RETURNING video_id
        )
        UPDATE videos AS v SET
            source_duration_seconds = @DurationSeconds,
            source_width = @Width,
            source_height = @Height,
            source_rotation_degrees = @RotationDegrees,
            source_video_codec = @VideoCodec,
            source_audio_codec = @AudioCodec,
            source_frames_per_second = @FramesPerSecond,
            source_bitrate_kbps = @BitrateKbps,
            updated_at = @At
        FROM job
        WHERE v.id = job.video_id
        RETURNING v.id
        """;

    // Fenced like the plan: only the RUNNING attempt with this number, on a PROCESSING video its job drives, makes it
    // playable; the job row is written too, so a transition racing this one waits for it or wins first (decision 0018).
    internal const string MarkPlayableSql = """
        WITH job AS (
            UPDATE video_transcode_jobs SET updated_at = @At
            WHERE id = @JobId AND video_id = @VideoId AND state = 'RUNNING' AND attempt_count = @Attempt
            RETURNING id, video_id
        ),
        marked AS (
            UPDATE videos AS v SET
                playable_path = @PlayablePath,
                playable_at = @At,
                updated_at = @At
            FROM job
            WHERE v.id = job.video_id AND v.current_job_id = job.id AND v.status = 'PROCESSING'
              AND v.playable_path IS DISTINCT FROM @PlayablePath
            RETURNING v.id
        ),
        playable_event AS (
            INSERT INTO video_events (id, type, video_id, job_id, occurred_at)
            SELECT gen_random_uuid(), 'video.playable', marked.id, @JobId, @At FROM marked
        )
        SELECT (SELECT count(*) FROM job)::int AS Fenced, (SELECT count(*) FROM marked)::int AS Marked
        """;

    private static readonly string ListAttemptsSql = $"""
        SELECT {AttemptRow.Columns} FROM video_job_attempts WHERE job_id = @JobId ORDER BY attempt
        """;

    // Two statements in one round trip: the video's jobs newest first (jobs_video_idx), then their attempts.
    private static readonly string ListJobsOfVideoSql = $"""
        SELECT {JobRow.Columns} FROM video_transcode_jobs WHERE video_id = @VideoId ORDER BY created_at DESC, id DESC;
        SELECT {AttemptRow.Columns} FROM video_job_attempts
        WHERE job_id IN (SELECT id FROM video_transcode_jobs WHERE video_id = @VideoId)
        ORDER BY job_id, attempt;
        """;

    // Ages are measured from when the job entered its state: QUEUED at creation, RETRY_WAIT at the
    // end of its last attempt, RUNNING at its last heartbeat. Each part reads a partial index of
    // unfinished jobs only, never the finished history.
    internal const string BacklogSql = """
        SELECT
            (SELECT count(*) FROM video_transcode_jobs WHERE state = 'QUEUED')::int AS Queued,
            (SELECT count(*) FROM video_transcode_jobs WHERE state = 'RUNNING')::int AS Running,
            (SELECT count(*) FROM video_transcode_jobs WHERE state = 'RETRY_WAIT')::int AS RetryWait,
            -- OFFSET 0 keeps the planner from turning min() into a walk down jobs_created_idx, which
            -- passes every finished job before it meets a QUEUED one; the backlog index holds only the few.
            (SELECT min(q.created_at) FROM (SELECT created_at FROM video_transcode_jobs WHERE state = 'QUEUED' OFFSET 0) AS q) AS OldestQueuedAt,
            (SELECT min(coalesce(a.ended_at, j.updated_at))
             FROM video_transcode_jobs AS j
             LEFT JOIN video_job_attempts AS a ON a.job_id = j.id AND a.attempt = j.attempt_count
             WHERE j.state = 'RETRY_WAIT') AS OldestRetryWaitAt,
            (SELECT min(last_heartbeat_at) FROM video_transcode_jobs WHERE state = 'RUNNING') AS OldestHeartbeatAt
        """;

    private readonly PostgresConnections connections = new(dataSource, pipelines);

    public Task<TranscodeJob?> FindAsync(Guid jobId, CancellationToken cancellationToken) =>
        connections.RunAsync(async (connection, token) =>
            (await connection.QuerySingleOrDefaultAsync<JobRow>(
                new CommandDefinition(FindSql, new { JobId = jobId }, cancellationToken: token)))?.ToDomain(),
            cancellationToken);

    public Task<TranscodeJob?> TryTransitionAsync(JobTransition transition, CancellationToken cancellationToken) =>
        connections.RunAsync((connection, token) => JobCommands.TryTransitionAsync(connection, null, transition, token), cancellationToken);

    public Task<TranscodeJob?> TryRecordSubmissionAsync(JobSubmission submission, CancellationToken cancellationToken) =>
        connections.RunAsync((connection, token) => JobCommands.TryRecordSubmissionAsync(connection, submission, token), cancellationToken);

    public Task<bool> TryClaimSubmissionAsync(TranscodeJob job, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var parameters = new { JobId = job.Id, State = job.State.ToWire(), Attempt = job.AttemptCount, Now = DbTime.ToDb(now), Until = DbTime.ToDb(until) };
        return connections.RunAsync(async (connection, token) =>
            await connection.ExecuteAsync(new CommandDefinition(JobCommands.ClaimSubmissionSql, parameters, cancellationToken: token)) == 1,
            cancellationToken);
    }

    public Task ReleaseSubmissionClaimAsync(Guid jobId, DateTimeOffset until, CancellationToken cancellationToken) =>
        connections.RunAsync(async (connection, token) =>
            await connection.ExecuteAsync(new CommandDefinition(JobCommands.ReleaseSubmissionClaimSql, new { JobId = jobId, Until = DbTime.ToDb(until) }, cancellationToken: token)),
            cancellationToken);

    public Task<HeartbeatResult> HeartbeatAsync(
        Guid jobId, int attempt, int progressPercent, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(progressPercent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(progressPercent, 100);
        return connections.RunAsync(async (connection, token) =>
        {
            var updated = await connection.ExecuteAsync(new CommandDefinition(
                HeartbeatSql,
                new { JobId = jobId, Attempt = attempt, ProgressPercent = progressPercent, Now = DbTime.ToDb(now) },
                cancellationToken: token));
            return updated == 1 ? HeartbeatResult.Alive : HeartbeatResult.Lost;
        }, cancellationToken);
    }

    public Task<bool> TryRecordEncodePlanAsync(EncodePlanRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var source = record.Source;
        return connections.RunAsync(async (connection, token) =>
            (await connection.QueryAsync<Guid>(new CommandDefinition(
                RecordEncodePlanSql,
                new
                {
                    record.JobId,
                    record.VideoId,
                    record.Attempt,
                    record.TopRungCode,
                    record.TopRungReason,
                    LoudnessStatus = record.Loudness?.Status,
                    LoudnessInputI = record.Loudness?.InputIntegrated,
                    LoudnessInputTp = record.Loudness?.InputTruePeak,
                    LoudnessInputLra = record.Loudness?.InputLoudnessRange,
                    LoudnessInputThresh = record.Loudness?.InputThreshold,
                    LoudnessTargetOffset = record.Loudness?.TargetOffset,
                    ProfileKind = record.Profile?.Kind,
                    ProfileStillShare = record.Profile?.StillShare,
                    ProfileMotion = record.Profile?.Motion,
                    ProfileAnalyzedSeconds = record.Profile?.AnalyzedSeconds,
                    At = DbTime.ToDb(record.At),
                    source.DurationSeconds,
                    source.Width,
                    source.Height,
                    source.RotationDegrees,
                    source.VideoCodec,
                    source.AudioCodec,
                    source.FramesPerSecond,
                    source.BitrateKbps,
                },
                cancellationToken: token))).Any(),
            cancellationToken);
    }

    public Task<PlayableResult> TryMarkPlayableAsync(PlayableRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return connections.RunAsync(async (connection, token) =>
        {
            var row = await connection.QuerySingleAsync<(int Fenced, int Marked)>(new CommandDefinition(
                MarkPlayableSql,
                new { record.JobId, record.VideoId, record.Attempt, record.PlayablePath, At = DbTime.ToDb(record.At) },
                cancellationToken: token));
            return row.Fenced == 0 ? PlayableResult.Superseded : row.Marked == 1 ? PlayableResult.Marked : PlayableResult.Unchanged;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<JobAttempt>> ListAttemptsAsync(Guid jobId, CancellationToken cancellationToken) =>
        connections.RunAsync<IReadOnlyList<JobAttempt>>(async (connection, token) =>
        {
            var rows = await connection.QueryAsync<AttemptRow>(
                new CommandDefinition(ListAttemptsSql, new { JobId = jobId }, cancellationToken: token));
            return rows.Select(r => r.ToDomain()).ToList();
        }, cancellationToken);

    public Task<IReadOnlyList<JobHistory>> ListJobsOfVideoAsync(Guid videoId, CancellationToken cancellationToken) =>
        connections.RunAsync<IReadOnlyList<JobHistory>>(async (connection, token) =>
        {
            await using var results = await connection.QueryMultipleAsync(
                new CommandDefinition(ListJobsOfVideoSql, new { VideoId = videoId }, cancellationToken: token));
            var jobs = (await results.ReadAsync<JobRow>()).Select(r => r.ToDomain()).ToList();
            var attempts = (await results.ReadAsync<AttemptRow>()).Select(r => r.ToDomain()).ToLookup(a => a.JobId);
            return jobs.Select(job => new JobHistory(job, attempts[job.Id].ToList())).ToList();
        }, cancellationToken);

    public Task<JobBacklog> GetBacklogAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        connections.RunAsync(async (connection, token) =>
        {
            var row = await connection.QuerySingleAsync<BacklogRow>(new CommandDefinition(BacklogSql, cancellationToken: token));
            var counts = new Dictionary<JobState, int>
            {
                [JobState.Queued] = row.Queued,
                [JobState.Running] = row.Running,
                [JobState.RetryWait] = row.RetryWait,
            };
            return new JobBacklog(
                counts,
                AgeAt(now, row.OldestQueuedAt),
                AgeAt(now, row.OldestRetryWaitAt),
                AgeAt(now, row.OldestHeartbeatAt));
        }, cancellationToken);

    private static TimeSpan? AgeAt(DateTimeOffset now, DateTime? since) =>
        DbTime.FromDb(since) is { } at ? now - at : null;

    private sealed record BacklogRow
    {
        public int Queued { get; init; }
        public int Running { get; init; }
        public int RetryWait { get; init; }
        public DateTime? OldestQueuedAt { get; init; }
        public DateTime? OldestRetryWaitAt { get; init; }
        public DateTime? OldestHeartbeatAt { get; init; }
    }
}
