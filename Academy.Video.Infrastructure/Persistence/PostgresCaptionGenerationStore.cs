using Academy.Video.Application.Captions;
using Dapper;
using Npgsql;
using Polly.Registry;

namespace Academy.Video.Infrastructure.Persistence;

/// <summary>Caption generations (docs/decisions/0017-caption-generation-unit-of-work.md): each state change one conditional statement.</summary>
public sealed class PostgresCaptionGenerationStore(NpgsqlDataSource dataSource, ResiliencePipelineProvider<string> pipelines) : ICaptionGenerationStore
{
    private const string EnqueueSql = """
        INSERT INTO caption_generations (id, video_id, status, requested_language, max_attempts, created_at, updated_at)
        SELECT gen_random_uuid(), v.id, 'QUEUED', @Language, @MaxAttempts, @Now, @Now
        FROM videos AS v
        WHERE v.status = 'READY' AND v.hls_path IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM caption_generations AS g WHERE g.video_id = v.id)
        ORDER BY v.updated_at
        LIMIT @Limit
        ON CONFLICT (video_id) DO NOTHING
        """;

    // Each statement that can end a generation FAILED is "WITH ended AS (UPDATE …" followed by this: it writes the
    // caption.failed event (decision 0010), naming the language it was detected in, else the configured one, else "und"
    // (undetermined, BCP 47), and counts the rows it changed.
    private const string FailedEventTail = """
            RETURNING video_id, status, COALESCE(language, NULLIF(requested_language, 'auto'), 'und') AS event_language
        ),
        failed_event AS (
            INSERT INTO video_events (id, type, video_id, job_id, occurred_at, caption_language, caption_kind)
            SELECT gen_random_uuid(), 'caption.failed', ended.video_id, NULL, @Now, ended.event_language, 'subtitles'
            FROM ended WHERE ended.status = 'FAILED'
        )
        SELECT count(*)::integer FROM ended
        """;

    private const string ExhaustSql = $"""
        WITH ended AS (
            UPDATE caption_generations SET status = 'FAILED', updated_at = @Now,
                error_code = CASE WHEN status = 'RUNNING' AND attempts >= max_attempts THEN 'CAPTION_ATTEMPTS_EXHAUSTED' ELSE 'CAPTION_NEVER_STARTED' END,
                error_message = CASE WHEN status = 'RUNNING' AND attempts >= max_attempts THEN 'The last attempt stopped sending heartbeats.'
                                     ELSE 'Submitted ' || submissions || ' times without an attempt starting.' END
            WHERE (status = 'RUNNING' AND heartbeat_at < @Stuck AND (attempts >= max_attempts OR submissions >= 2 * max_attempts))
               OR (status = 'QUEUED' AND submissions >= 2 * max_attempts AND submitted_at < @Stuck)
        {FailedEventTail}
        """;

    // The claim is the submission intent (docs/decisions/0002-the-job-row-is-the-submission-intent.md): it is taken before
    // the runner is called, and lapses after the grace period if the process never starts.
    private const string ClaimSql = """
        UPDATE caption_generations SET submitted_at = @Now, submissions = submissions + 1, updated_at = @Now
        WHERE id IN (
            SELECT id FROM caption_generations
            WHERE attempts < max_attempts AND submissions < 2 * max_attempts
              AND (submitted_at IS NULL OR submitted_at < @Grace)
              AND (status = 'QUEUED' OR (status = 'RUNNING' AND heartbeat_at < @Stuck))
            ORDER BY created_at
            LIMIT @Limit
            FOR UPDATE SKIP LOCKED)
        RETURNING id
        """;

    // A RUNNING generation is taken over when it is silent by this worker's threshold, or when the dispatch claimed it
    // after its last heartbeat: the dispatch judged it silent by the API's threshold, and a live attempt would have
    // beaten since. So the worker need not share the API's Jobs:StuckThreshold to recover a dead attempt.
    private const string StartSql = """
        UPDATE caption_generations SET status = 'RUNNING', attempts = attempts + 1, heartbeat_at = @Now, updated_at = @Now,
            error_code = NULL, error_message = NULL
        WHERE id = @Id AND attempts < max_attempts
          AND (status = 'QUEUED' OR (status = 'RUNNING' AND (heartbeat_at < @Stuck OR heartbeat_at < submitted_at)))
        RETURNING id AS Id, video_id AS VideoId, requested_language AS RequestedLanguage, attempts AS Attempt
        """;

    private const string HeartbeatSql = """
        UPDATE caption_generations SET heartbeat_at = @Now WHERE id = @Id AND status = 'RUNNING' AND attempts = @Attempt
        """;

    private const string FinishSql = $"""
        WITH ended AS (
            UPDATE caption_generations SET status = @Status, language = @Language, error_code = @Code, error_message = @Message, updated_at = @Now
            WHERE id = @Id AND status = 'RUNNING' AND attempts = @Attempt
        {FailedEventTail}
        """;

    private const string ReleaseSql = $"""
        WITH ended AS (
            UPDATE caption_generations SET status = CASE WHEN attempts < max_attempts THEN 'QUEUED' ELSE 'FAILED' END,
                submitted_at = NULL, error_code = @Code, error_message = @Message, updated_at = @Now
            WHERE id = @Id AND status = 'RUNNING' AND attempts = @Attempt
        {FailedEventTail}
        """;

    private const string FindSql = """
        SELECT id AS Id, video_id AS VideoId, status AS Status, requested_language AS RequestedLanguage, language AS Language,
               attempts AS Attempts, max_attempts AS MaxAttempts, error_code AS ErrorCode, error_message AS ErrorMessage, updated_at AS UpdatedAt
        FROM caption_generations WHERE video_id = @VideoId
        """;

    private readonly PostgresConnections connections = new(dataSource, pipelines);

    public Task<int> EnqueueForReadyVideosAsync(string requestedLanguage, int maxAttempts, DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        ExecuteAsync(EnqueueSql, new { Language = requestedLanguage, MaxAttempts = maxAttempts, Now = now.UtcDateTime, Limit = limit }, cancellationToken);

    public Task<int> ExhaustAsync(DateTimeOffset now, TimeSpan stuckThreshold, CancellationToken cancellationToken) =>
        CountAsync(ExhaustSql, new { Now = now.UtcDateTime, Stuck = (now - stuckThreshold).UtcDateTime }, cancellationToken);

    public Task<IReadOnlyList<Guid>> ClaimSubmissionsAsync(DateTimeOffset now, TimeSpan submitGrace, TimeSpan stuckThreshold, int limit, CancellationToken cancellationToken) =>
        connections.RunAsync<IReadOnlyList<Guid>>(async (connection, token) => (await connection.QueryAsync<Guid>(new CommandDefinition(ClaimSql, new
        {
            Now = now.UtcDateTime, Grace = (now - submitGrace).UtcDateTime, Stuck = (now - stuckThreshold).UtcDateTime, Limit = limit,
        }, cancellationToken: token))).ToList(), cancellationToken);

    public Task<CaptionAttempt?> StartAsync(Guid id, DateTimeOffset now, TimeSpan stuckThreshold, CancellationToken cancellationToken) =>
        connections.RunAsync(async (connection, token) => await connection.QuerySingleOrDefaultAsync<AttemptRow>(new CommandDefinition(StartSql, new
        {
            Id = id, Now = now.UtcDateTime, Stuck = (now - stuckThreshold).UtcDateTime,
        }, cancellationToken: token)) is { } row ? new CaptionAttempt(row.Id, row.VideoId, row.RequestedLanguage, row.Attempt) : null, cancellationToken);

    public async Task<bool> HeartbeatAsync(CaptionAttempt attempt, DateTimeOffset now, CancellationToken cancellationToken) =>
        await ExecuteAsync(HeartbeatSql, new { attempt.Id, attempt.Attempt, Now = now.UtcDateTime }, cancellationToken) == 1;

    public async Task<bool> FinishAsync(CaptionAttempt attempt, string status, string? language, string? errorCode, string? errorMessage, DateTimeOffset now, CancellationToken cancellationToken) =>
        await CountAsync(FinishSql, new
        {
            attempt.Id, attempt.Attempt, Status = status, Language = language, Code = errorCode, Message = Truncate(errorMessage), Now = now.UtcDateTime,
        }, cancellationToken) == 1;

    public async Task<bool> ReleaseAsync(CaptionAttempt attempt, string errorCode, string errorMessage, DateTimeOffset now, CancellationToken cancellationToken) =>
        await CountAsync(ReleaseSql, new { attempt.Id, attempt.Attempt, Code = errorCode, Message = Truncate(errorMessage), Now = now.UtcDateTime }, cancellationToken) == 1;

    public Task<CaptionGeneration?> FindByVideoAsync(Guid videoId, CancellationToken cancellationToken) =>
        connections.RunAsync(async (connection, token) => await connection.QuerySingleOrDefaultAsync<GenerationRow>(
            new CommandDefinition(FindSql, new { VideoId = videoId }, cancellationToken: token)) is { } row
            ? new CaptionGeneration(row.Id, row.VideoId, row.Status, row.RequestedLanguage, row.Language, row.Attempts, row.MaxAttempts,
                row.ErrorCode, row.ErrorMessage, new DateTimeOffset(DateTime.SpecifyKind(row.UpdatedAt, DateTimeKind.Utc)))
            : null, cancellationToken);

    private static string? Truncate(string? message) => message is { Length: > 1000 } ? message[..1000] : message;

    private Task<int> ExecuteAsync(string sql, object parameters, CancellationToken cancellationToken) =>
        connections.RunAsync(async (connection, token) => await connection.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: token)), cancellationToken);

    private Task<int> CountAsync(string sql, object parameters, CancellationToken cancellationToken) =>
        connections.RunAsync(async (connection, token) => await connection.ExecuteScalarAsync<int>(new CommandDefinition(sql, parameters, cancellationToken: token)), cancellationToken);

    private sealed record AttemptRow
    {
        public Guid Id { get; init; }
        public Guid VideoId { get; init; }
        public string RequestedLanguage { get; init; } = "";
        public int Attempt { get; init; }
    }

    private sealed record GenerationRow
    {
        public Guid Id { get; init; }
        public Guid VideoId { get; init; }
        public string Status { get; init; } = "";
        public string RequestedLanguage { get; init; } = "";
        public string? Language { get; init; }
        public int Attempts { get; init; }
        public int MaxAttempts { get; init; }
        public string? ErrorCode { get; init; }
        public string? ErrorMessage { get; init; }
        public DateTime UpdatedAt { get; init; }
    }
}
