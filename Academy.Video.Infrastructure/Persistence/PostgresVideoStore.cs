using Academy.Video.Application.Captions;
using Academy.Video.Application.Videos;
using Academy.Video.Domain.Events;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using Dapper;
using Npgsql;
using Polly.Registry;

namespace Academy.Video.Infrastructure.Persistence;

public sealed class PostgresVideoStore(NpgsqlDataSource dataSource, ResiliencePipelineProvider<string> pipelines) : IVideoStore
{
    private const string InsertSql = """
        INSERT INTO videos (id, title, status, source_key, source_content_type, source_size_bytes,
                            hls_path, current_job_id, poster_at_seconds, created_at, updated_at)
        VALUES (@Id, @Title, @Status, @SourceKey, @SourceContentType, @SourceSizeBytes,
                @HlsPath, @CurrentJobId, @PosterAtSeconds, @CreatedAt, @UpdatedAt)
        """;

    private static readonly string FindSql = $"""
        SELECT {VideoRow.Columns} FROM videos WHERE id = @VideoId
        """;

    // Writes what the domain's VideoChange decided, fenced on the statuses it allows.
    private const string ChangeVideoSql = """
        UPDATE videos AS v SET
            status = @ToStatus,
            updated_at = @ChangeAt,
            current_job_id = COALESCE(@CurrentJobId, v.current_job_id),
            source_size_bytes = COALESCE(@SourceSizeBytes, v.source_size_bytes),
            hls_path = CASE WHEN @ClearHlsPath THEN NULL ELSE v.hls_path END,
            poster_key = CASE WHEN @ClearHlsPath THEN NULL ELSE v.poster_key END,
            storyboard_key = CASE WHEN @ClearHlsPath THEN NULL ELSE v.storyboard_key END,
            chapters = CASE WHEN @ClearHlsPath THEN '[]'::jsonb ELSE v.chapters END,
            chapters_key = CASE WHEN @ClearHlsPath THEN NULL ELSE v.chapters_key END,
            -- Every change made here (queue, delete, expire) leaves the video unplayable until a running attempt says otherwise.
            playable_path = NULL,
            playable_at = NULL
        WHERE v.id = @VideoId AND v.status = ANY(@FromStatuses::text[])
        """;

    private static readonly string QueueJobSql = $"""
        WITH changed AS (
            {ChangeVideoSql}
            RETURNING v.*
        ),
        inserted AS (
            INSERT INTO video_transcode_jobs (id, video_id, state, attempt_count, progress_percent, created_at, updated_at)
            SELECT @JobId, changed.id, @JobState, @JobAttemptCount, @JobProgressPercent, @JobCreatedAt, @JobUpdatedAt
            FROM changed
            RETURNING *
        )
        SELECT {VideoRow.ColumnsOf("changed")}, {JobRow.ColumnsOf("inserted")}
        FROM changed, inserted
        """;

    // One statement. The job's end runs first (its fence also asks that the video is still as
    // read), and the video moves only if that won or there was no job to end: all or nothing,
    // its event included.
    private static readonly string StartDeletionSql = $"""
        WITH {JobCommands.TransitionCtes("AND EXISTS (SELECT 1 FROM videos AS dv WHERE dv.id = @VideoId AND dv.status = ANY(@FromStatuses::text[]))")},
        changed AS (
            {ChangeVideoSql}
              AND (NOT @EndsJob OR EXISTS (SELECT 1 FROM moved))
            RETURNING v.*
        ),
        whole_video AS (
            INSERT INTO storage_cleanups (id, prefix, video_id, job_id, reason, attempts, next_attempt_at, created_at)
            SELECT gen_random_uuid(), @Prefix, changed.id, NULL, 'video deleted', 0, @ChangeAt, @ChangeAt
            FROM changed
            ON CONFLICT (prefix) DO NOTHING
        ),
        deleted_event AS (
            INSERT INTO video_events (id, type, video_id, job_id, occurred_at)
            SELECT gen_random_uuid(), @ChangeEvent::text, changed.id, changed.current_job_id, @ChangeAt
            FROM changed
            WHERE @ChangeEvent::text IS NOT NULL
        )
        SELECT {VideoRow.Columns} FROM changed
        """;

    // The video page in one statement: primary-key lookups joined, one row per attempt (one row with
    // NULL job and attempt columns when there is none), oldest attempt first.
    // The video page's read: the video joined with its current job and that job's attempts, and the video's caption
    // tracks, as two statements of one batch: one round trip (docs/performance.md, API CPU per request). The id is the
    // positional $1, so Npgsql sends the text as it is without rewriting named parameters.
    private static readonly string FindWithCurrentJobSql = $"""
        SELECT {VideoRow.ColumnsOf("v")}, {JobRow.ColumnsOf("j")}, {AttemptRow.ColumnsOf("a")}
        FROM videos AS v
        LEFT JOIN video_transcode_jobs AS j ON j.id = v.current_job_id
        LEFT JOIN video_job_attempts AS a ON a.job_id = j.id
        WHERE v.id = $1
        ORDER BY a.attempt
        """;

    private const string CaptionTracksSql =
        $"SELECT {PostgresCaptionTrackStore.Columns} FROM video_caption_tracks WHERE video_id = $1 ORDER BY language, kind";

    // One statement per combination of filters, never "(@x IS NULL OR col = @x)": prepared statements
    // get a generic plan after a few runs, and a catch-all's generic plan cannot use the index the
    // filter given would pick (docs/performance.md, API at scale).
    private static readonly string[] ListSqls = Enumerable.Range(0, 8).Select(ListSqlFor).ToArray();

    private static string ListSqlFor(int filters)
    {
        bool byStatus = (filters & 1) != 0, byTitle = (filters & 2) != 0, afterCursor = (filters & 4) != 0;
        var where = new List<string> { byStatus ? "status = @Status" : "status <> 'DELETED'" };
        if (byTitle)
        {
            where.Add("title ILIKE @TitlePattern");
        }

        if (afterCursor)
        {
            where.Add("(created_at, id) < (@AfterCreatedAt, @AfterId)");
        }

        return $"""
            SELECT {VideoRow.Columns} FROM videos
            WHERE {string.Join(" AND ", where)}
            ORDER BY created_at DESC, id DESC
            LIMIT @Fetch
            """;
    }

    private readonly PostgresConnections connections = new(dataSource, pipelines);

    public Task AddAsync(LectureVideo video, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(video);
        return connections.RunAsync(
            (connection, token) => connection.ExecuteAsync(new CommandDefinition(
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
                    video.PosterAtSeconds,
                    CreatedAt = DbTime.ToDb(video.CreatedAt),
                    UpdatedAt = DbTime.ToDb(video.UpdatedAt),
                },
                cancellationToken: token)),
            cancellationToken);
    }

    public Task<LectureVideo?> FindAsync(Guid videoId, CancellationToken cancellationToken) =>
        connections.RunAsync(async (connection, token) =>
            (await connection.QuerySingleOrDefaultAsync<VideoRow>(
                new CommandDefinition(FindSql, new { VideoId = videoId }, cancellationToken: token)))?.ToDomain(),
            cancellationToken);

    public Task<VideoWithCurrentJob?> FindWithCurrentJobAsync(Guid videoId, CancellationToken cancellationToken) =>
        connections.RunAsync(async (connection, token) =>
        {
            await using var batch = new NpgsqlBatch(connection)
            {
                BatchCommands =
                {
                    new NpgsqlBatchCommand(FindWithCurrentJobSql) { Parameters = { new NpgsqlParameter { Value = videoId } } },
                    new NpgsqlBatchCommand(CaptionTracksSql) { Parameters = { new NpgsqlParameter { Value = videoId } } },
                },
            };
            await using var reader = await batch.ExecuteReaderAsync(token);
            // The joined row splits where Dapper's multi-mapping would (splitOn "Id,JobId"); a job or attempt
            // missing from the LEFT JOIN reads as null.
            var jobStart = ColumnIndex(reader, "Id", 1);
            var attemptStart = ColumnIndex(reader, "JobId", jobStart + 1);
            var videoRow = reader.GetRowParser<VideoRow>(startIndex: 0, length: jobStart);
            var jobRow = reader.GetRowParser<JobRow>(startIndex: jobStart, length: attemptStart - jobStart, returnNullIfFirstMissing: true);
            var attemptRow = reader.GetRowParser<AttemptRow>(startIndex: attemptStart, returnNullIfFirstMissing: true);
            VideoRow? video = null;
            JobRow? job = null;
            var attempts = new List<Application.Jobs.JobAttempt>();
            while (await reader.ReadAsync(token))
            {
                video ??= videoRow(reader);
                job ??= jobRow(reader);
                if (attemptRow(reader) is { } attempt)
                {
                    attempts.Add(attempt.ToDomain());
                }
            }

            await reader.NextResultAsync(token);
            var captionRow = reader.GetRowParser<PostgresCaptionTrackStore.CaptionRow>();
            var tracks = new List<CaptionTrack>();
            while (await reader.ReadAsync(token))
            {
                tracks.Add(captionRow(reader).ToDomain());
            }

            return video is null
                ? null
                : new VideoWithCurrentJob(video.ToDomain(), job?.ToDomain(), attempts) { CaptionTracks = tracks };
        }, cancellationToken);

    private static int ColumnIndex(NpgsqlDataReader reader, string name, int from)
    {
        for (var i = from; i < reader.FieldCount; i++)
        {
            // PostgreSQL folds the unquoted aliases to lower case; Dapper matches names ignoring case too.
            if (string.Equals(reader.GetName(i), name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        throw new InvalidOperationException($"The video page's statement has no column {name} after column {from}.");
    }

    public Task<QueuedJob?> TryQueueJobAsync(QueueJob queue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queue);
        var job = queue.Job;
        if (job.VideoId != queue.Video.VideoId)
        {
            throw new ArgumentException($"Job {job.Id} belongs to video {job.VideoId}, not {queue.Video.VideoId}.", nameof(queue));
        }

        var parameters = ChangeParameters(queue.Video);
        parameters.AddDynamicParams(new
        {
            JobId = job.Id,
            JobState = job.State.ToWire(),
            JobAttemptCount = job.AttemptCount,
            JobProgressPercent = job.ProgressPercent,
            JobCreatedAt = DbTime.ToDb(job.CreatedAt),
            JobUpdatedAt = DbTime.ToDb(job.UpdatedAt),
        });

        return connections.RunAsync(async (connection, token) =>
        {
            var rows = await connection.QueryAsync<VideoRow, JobRow, QueuedJob>(
                new CommandDefinition(QueueJobSql, parameters, cancellationToken: token),
                (video, queued) => new QueuedJob(video.ToDomain(), queued.ToDomain()),
                splitOn: "Id");
            return rows.SingleOrDefault();
        }, cancellationToken);
    }

    public Task<LectureVideo?> TryStartDeletionAsync(VideoDeletion deletion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deletion);
        if (deletion.EndJob is { } end && end.VideoId != deletion.Video.VideoId)
        {
            throw new ArgumentException($"Job {end.JobId} belongs to video {end.VideoId}, not {deletion.Video.VideoId}.", nameof(deletion));
        }

        var parameters = JobCommands.TransitionParameters(deletion.EndJob);
        parameters.AddDynamicParams(VideoChangeValues(deletion.Video));
        parameters.AddDynamicParams(new { EndsJob = deletion.EndJob is not null, deletion.Prefix });

        return connections.RunAsync(async (connection, token) =>
            (await connection.QuerySingleOrDefaultAsync<VideoRow>(
                new CommandDefinition(StartDeletionSql, parameters, cancellationToken: token)))?.ToDomain(),
            cancellationToken);
    }

    public Task<VideoPage> ListAsync(VideoListQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        return connections.RunAsync(async (connection, token) =>
        {
            var filters = (query.Status is null ? 0 : 1) | (query.TitleContains is null ? 0 : 2) | (query.After is null ? 0 : 4);
            var rows = (await connection.QueryAsync<VideoRow>(new CommandDefinition(
                ListSqls[filters],
                new
                {
                    Status = query.Status?.ToWire(),
                    TitlePattern = query.TitleContains is { } title ? ContainsPattern(title) : null,
                    AfterCreatedAt = DbTime.ToDb(query.After?.CreatedAt ?? DateTimeOffset.MinValue),
                    AfterId = query.After?.Id ?? Guid.Empty,
                    // One row beyond the page says whether another page follows.
                    Fetch = query.Limit + 1,
                },
                cancellationToken: token))).ToList();

            var items = rows.Take(query.Limit).Select(r => r.ToDomain()).ToList();
            var next = rows.Count > query.Limit ? new VideoCursor(items[^1].CreatedAt, items[^1].Id) : null;
            return new VideoPage(items, next);
        }, cancellationToken);
    }

    /// <summary>A LIKE pattern matching the text anywhere, with LIKE's own characters (backslash, %, _) taken literally.</summary>
    private static string ContainsPattern(string text) =>
        "%" + text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal) + "%";

    private static DynamicParameters ChangeParameters(VideoChange change) => new(VideoChangeValues(change));

    private static object VideoChangeValues(VideoChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return new
        {
            change.VideoId,
            FromStatuses = change.From.Select(s => s.ToWire()).ToArray(),
            ToStatus = change.To.ToWire(),
            ChangeAt = DbTime.ToDb(change.At),
            change.CurrentJobId,
            change.SourceSizeBytes,
            change.ClearHlsPath,
            ChangeEvent = change.Event?.ToWire(),
        };
    }
}
