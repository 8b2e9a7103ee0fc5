using System.Text.Json;
using Academy.Video.Application.Jobs;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;
using Dapper;
using Npgsql;
using Polly.Registry;

namespace Academy.Video.Infrastructure.Persistence;

/// <summary>
/// <c>video_job_chunks</c> (migration 0022, docs/decisions/0023-chunked-encoding.md). Each write is one statement fenced on the
/// chunk's (state, attempt) and its job RUNNING at the attempt that planned it. The job row is read by those statements, not
/// locked: the job's own changes — the assembler's election and the completion — are compare-and-sets on the job row.
/// </summary>
public sealed class PostgresJobChunkStore(NpgsqlDataSource dataSource, ResiliencePipelineProvider<string> pipelines) : IJobChunkStore
{
    private static readonly string Columns = ChunkRow.ColumnsOf("c");

    // One row per range, upserted: a plan of fewer chunks than the one before also removes the rows past its last.
    private static readonly string RecordPlanSql = """
        WITH job AS (
            UPDATE video_transcode_jobs SET chunk_assembler = NULL, updated_at = @At
            WHERE id = @JobId AND state = 'RUNNING' AND attempt_count = @JobAttempt
            RETURNING id
        ),
        removed AS (
            DELETE FROM video_job_chunks AS c USING job WHERE c.job_id = job.id AND c.chunk >= @Count
        ),
        planned AS (
            INSERT INTO video_job_chunks AS c (job_id, chunk, job_attempt, first_segment, end_segment, start_seconds, end_seconds, plan,
                                               state, attempt_count, last_heartbeat_at, created_at, updated_at)
            SELECT job.id, r.chunk, @JobAttempt, r.first_segment, r.end_segment, r.start_seconds, r.end_seconds, @Plan,
                   CASE WHEN r.chunk = 0 THEN 'RUNNING' ELSE 'PENDING' END, CASE WHEN r.chunk = 0 THEN 1 ELSE 0 END,
                   CASE WHEN r.chunk = 0 THEN @At::timestamptz END, @At, @At
            FROM job, unnest(@Chunks::int[], @Firsts::int[], @Ends::int[], @Starts::float8[], @Stops::float8[])
                AS r (chunk, first_segment, end_segment, start_seconds, end_seconds)
            ON CONFLICT (job_id, chunk) DO UPDATE SET
                job_attempt = excluded.job_attempt,
                first_segment = excluded.first_segment,
                end_segment = excluded.end_segment,
                start_seconds = excluded.start_seconds,
                end_seconds = excluded.end_seconds,
                plan = excluded.plan,
                state = excluded.state,
                attempt_count = excluded.attempt_count,
                runner_job_id = NULL,
                submitted_at = NULL,
                submission_claimed_until = NULL,
                last_heartbeat_at = excluded.last_heartbeat_at,
                error_code = NULL,
                error_message = NULL,
                output = NULL,
                uploaded = NULL,
                created_at = excluded.created_at,
                updated_at = excluded.updated_at
        )
        SELECT count(*)::int FROM job
        """;

    private static readonly string ListSql = $"""
        SELECT {Columns} FROM video_job_chunks AS c WHERE c.job_id = @JobId ORDER BY c.chunk
        """;

    private static readonly string FindSql = $"""
        SELECT {Columns} FROM video_job_chunks AS c WHERE c.job_id = @JobId AND c.chunk = @Index
        """;

    private static readonly string ChangeSql = $"""
        UPDATE video_job_chunks AS c SET
            state = @ToState,
            attempt_count = @ToAttempt,
            updated_at = @At,
            last_heartbeat_at = CASE WHEN @ToState = 'RUNNING' THEN @At ELSE c.last_heartbeat_at END,
            error_code = CASE WHEN @ClearsError THEN NULL ELSE COALESCE(@ErrorCode, c.error_code) END,
            error_message = CASE WHEN @ClearsError THEN NULL ELSE COALESCE(@ErrorMessage, c.error_message) END,
            runner_job_id = CASE WHEN @ClearsRunner THEN NULL ELSE COALESCE(@RunnerJobId, c.runner_job_id) END,
            submitted_at = CASE WHEN @ClearsRunner THEN NULL WHEN @RunnerJobId::text IS NOT NULL THEN @At ELSE c.submitted_at END,
            submission_claimed_until = CASE WHEN @RunnerJobId::text IS NOT NULL OR @ClearsRunner THEN NULL ELSE c.submission_claimed_until END,
            output = CASE WHEN @ToState = 'DONE' THEN @Output::jsonb END,
            uploaded = NULL
        FROM video_transcode_jobs AS j
        WHERE c.job_id = @JobId AND c.chunk = @Index AND c.job_attempt = @JobAttempt
          AND c.state = @FromState AND c.attempt_count = @FromAttempt
          AND (@RunnerJobId::text IS NULL OR c.runner_job_id IS NULL)
          AND j.id = c.job_id AND j.state = 'RUNNING' AND j.attempt_count = c.job_attempt
        RETURNING {Columns}
        """;

    // Not a state change (updated_at and the open-chunks index left alone): fenced like the heartbeat, on the attempt that
    // is still RUNNING (decision 0026).
    private const string RecordUploadedSql = """
        UPDATE video_job_chunks AS c SET uploaded = @Uploaded::jsonb
        FROM video_transcode_jobs AS j
        WHERE c.job_id = @JobId AND c.chunk = @Index AND c.job_attempt = @JobAttempt
          AND c.state = 'RUNNING' AND c.attempt_count = @Attempt
          AND j.id = c.job_id AND j.state = 'RUNNING' AND j.attempt_count = c.job_attempt
        """;

    // The chunk's beat and its job's in one statement: the job is alive while a chunk of it is. DONE beats too: the
    // worker that recorded its chunk DONE goes on beating until it exits, and the last one to finish assembles the tree
    // (seconds of uploads) under that beat; reading DONE as superseded cancelled the assembly half-way (decision 0023).
    private const string HeartbeatSql = """
        WITH chunk AS (
            UPDATE video_job_chunks AS c SET last_heartbeat_at = @Now, updated_at = @Now
            FROM video_transcode_jobs AS j
            WHERE c.job_id = @JobId AND c.chunk = @Index AND c.job_attempt = @JobAttempt
              AND c.state IN ('RUNNING', 'DONE') AND c.attempt_count = @Attempt
              AND j.id = c.job_id AND j.state = 'RUNNING' AND j.attempt_count = c.job_attempt
              AND NOT EXISTS (SELECT 1 FROM videos AS v WHERE v.id = j.video_id AND v.status IN ('DELETING', 'DELETED'))
            RETURNING c.job_id
        )
        UPDATE video_transcode_jobs AS j SET last_heartbeat_at = @Now, updated_at = @Now
        FROM chunk
        WHERE j.id = chunk.job_id AND j.state = 'RUNNING' AND j.attempt_count = @JobAttempt
        RETURNING j.id
        """;

    // Every DONE commits before its writer elects, so the last to commit sees every chunk done; the row lock lets one win.
    private const string ElectSql = """
        UPDATE video_transcode_jobs AS j SET chunk_assembler = @Assembler, last_heartbeat_at = @Now, updated_at = @Now
        WHERE j.id = @JobId AND j.state = 'RUNNING' AND j.attempt_count = @JobAttempt AND j.chunk_assembler IS NULL
          AND EXISTS (SELECT 1 FROM video_job_chunks AS c WHERE c.job_id = j.id AND c.job_attempt = @JobAttempt)
          AND NOT EXISTS (SELECT 1 FROM video_job_chunks AS c WHERE c.job_id = j.id AND (c.job_attempt <> @JobAttempt OR c.state <> 'DONE'))
        """;

    private static readonly string ListPendingSql = $"""
        SELECT {Columns} FROM video_job_chunks AS c
        JOIN video_transcode_jobs AS j ON j.id = c.job_id AND j.state = 'RUNNING' AND j.attempt_count = c.job_attempt
        WHERE c.state = 'PENDING' AND (c.submission_claimed_until IS NULL OR c.submission_claimed_until <= @Now)
        ORDER BY c.updated_at, c.job_id, c.chunk
        LIMIT @Limit
        """;

    // RUNNING chunks silent since a time, SUBMITTED ones unstarted since one: chunks of RUNNING jobs at the plan's attempt,
    // in one state, whose time column is before @Before, oldest first.
    private static readonly string ListSilentSql = ListStaleSql("RUNNING", "last_heartbeat_at");
    private static readonly string ListUnstartedSql = ListStaleSql("SUBMITTED", "submitted_at");

    private static string ListStaleSql(string state, string since) => $"""
        SELECT {Columns} FROM video_job_chunks AS c
        JOIN video_transcode_jobs AS j ON j.id = c.job_id AND j.state = 'RUNNING' AND j.attempt_count = c.job_attempt
        WHERE c.state = '{state}' AND c.{since} < @Before
        ORDER BY c.{since}, c.job_id, c.chunk
        LIMIT @Limit
        """;

    private const string ClaimSubmissionSql = """
        UPDATE video_job_chunks SET submission_claimed_until = @Until
        WHERE job_id = @JobId AND chunk = @Index AND job_attempt = @JobAttempt AND state = 'PENDING' AND attempt_count = @Attempt
          AND runner_job_id IS NULL AND (submission_claimed_until IS NULL OR submission_claimed_until <= @Now)
        """;

    private readonly PostgresConnections connections = new(dataSource, pipelines);

    public Task<bool> TryRecordPlanAsync(ChunkPlanRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Ranges.Count == 0 || record.Ranges.Select((r, i) => r.Index != i).Any(wrong => wrong))
        {
            throw new ArgumentException("A chunk plan is its ranges in order from 0.", nameof(record));
        }

        var parameters = new
        {
            record.JobId,
            record.JobAttempt,
            record.Plan,
            Count = record.Ranges.Count,
            Chunks = record.Ranges.Select(r => r.Index).ToArray(),
            Firsts = record.Ranges.Select(r => r.FirstSegment).ToArray(),
            Ends = record.Ranges.Select(r => r.EndSegment).ToArray(),
            Starts = record.Ranges.Select(r => r.StartSeconds).ToArray(),
            Stops = record.Ranges.Select(r => r.EndSeconds).ToArray(),
            At = DbTime.ToDb(record.At),
        };
        return connections.RunAsync(async (connection, token) =>
            await connection.QuerySingleAsync<int>(new CommandDefinition(RecordPlanSql, parameters, cancellationToken: token)) == 1,
            cancellationToken);
    }

    public Task<IReadOnlyList<JobChunk>> ListAsync(Guid jobId, CancellationToken cancellationToken) =>
        QueryChunksAsync(ListSql, new { JobId = jobId }, cancellationToken);

    public Task<JobChunk?> FindAsync(Guid jobId, int index, CancellationToken cancellationToken) =>
        connections.RunAsync(async (connection, token) =>
            (await connection.QuerySingleOrDefaultAsync<ChunkRow>(new CommandDefinition(FindSql, new { JobId = jobId, Index = index }, cancellationToken: token)))?.ToDomain(),
            cancellationToken);

    public Task<JobChunk?> TryChangeAsync(ChunkChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        var parameters = new
        {
            change.JobId,
            change.Index,
            change.JobAttempt,
            FromState = change.FromState.ToWire(),
            change.FromAttempt,
            ToState = change.ToState.ToWire(),
            change.ToAttempt,
            At = DbTime.ToDb(change.At),
            change.ClearsError,
            ErrorCode = change.Error?.Code,
            ErrorMessage = change.Error?.Message,
            change.RunnerJobId,
            change.ClearsRunner,
            Output = change.Output is { } output ? ChunkOutputJson.Write(output) : null,
        };
        return connections.RunAsync(async (connection, token) =>
            (await connection.QuerySingleOrDefaultAsync<ChunkRow>(new CommandDefinition(ChangeSql, parameters, cancellationToken: token)))?.ToDomain(),
            cancellationToken);
    }

    public Task<bool> TryRecordUploadedAsync(ChunkUploadRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var parameters = new { record.JobId, record.Index, record.JobAttempt, record.Attempt, Uploaded = ChunkOutputJson.Write(record.Uploaded) };
        return connections.RunAsync(async (connection, token) =>
            await connection.ExecuteAsync(new CommandDefinition(RecordUploadedSql, parameters, cancellationToken: token)) == 1,
            cancellationToken);
    }

    public Task<HeartbeatResult> HeartbeatAsync(Guid jobId, int index, int jobAttempt, int attempt, DateTimeOffset now, CancellationToken cancellationToken) =>
        connections.RunAsync(async (connection, token) =>
            (await connection.QueryAsync<Guid>(new CommandDefinition(
                HeartbeatSql,
                new { JobId = jobId, Index = index, JobAttempt = jobAttempt, Attempt = attempt, Now = DbTime.ToDb(now) },
                cancellationToken: token))).Any() ? HeartbeatResult.Alive : HeartbeatResult.Lost,
            cancellationToken);

    public Task<bool> TryElectAssemblerAsync(Guid jobId, int jobAttempt, string assembler, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(assembler);
        return connections.RunAsync(async (connection, token) =>
            await connection.ExecuteAsync(new CommandDefinition(
                ElectSql,
                new { JobId = jobId, JobAttempt = jobAttempt, Assembler = assembler, Now = DbTime.ToDb(now) },
                cancellationToken: token)) == 1,
            cancellationToken);
    }

    public Task<IReadOnlyList<JobChunk>> ListPendingAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        QueryChunksAsync(ListPendingSql, new { Now = DbTime.ToDb(now), Limit = limit }, cancellationToken);

    public Task<IReadOnlyList<JobChunk>> ListSilentAsync(DateTimeOffset silentSince, int limit, CancellationToken cancellationToken) =>
        QueryChunksAsync(ListSilentSql, new { Before = DbTime.ToDb(silentSince), Limit = limit }, cancellationToken);

    public Task<IReadOnlyList<JobChunk>> ListUnstartedAsync(DateTimeOffset submittedBefore, int limit, CancellationToken cancellationToken) =>
        QueryChunksAsync(ListUnstartedSql, new { Before = DbTime.ToDb(submittedBefore), Limit = limit }, cancellationToken);

    private Task<IReadOnlyList<JobChunk>> QueryChunksAsync(string sql, object parameters, CancellationToken cancellationToken) =>
        connections.RunAsync<IReadOnlyList<JobChunk>>(async (connection, token) =>
            (await connection.QueryAsync<ChunkRow>(new CommandDefinition(sql, parameters, cancellationToken: token)))
                .Select(r => r.ToDomain()).ToList(),
            cancellationToken);

    public Task<bool> TryClaimSubmissionAsync(JobChunk chunk, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var parameters = new { chunk.JobId, chunk.Index, chunk.JobAttempt, Attempt = chunk.AttemptCount, Now = DbTime.ToDb(now), Until = DbTime.ToDb(until) };
        return connections.RunAsync(async (connection, token) =>
            await connection.ExecuteAsync(new CommandDefinition(ClaimSubmissionSql, parameters, cancellationToken: token)) == 1,
            cancellationToken);
    }
}

internal sealed record ChunkRow
{
    public Guid JobId { get; init; }
    public int Chunk { get; init; }
    public int JobAttempt { get; init; }
    public int FirstSegment { get; init; }
    public int EndSegment { get; init; }
    public double StartSeconds { get; init; }
    public double EndSeconds { get; init; }
    public string Plan { get; init; } = "";
    public string State { get; init; } = "";
    public int AttemptCount { get; init; }
    public string? RunnerJobId { get; init; }
    public DateTime? SubmittedAt { get; init; }
    public DateTime? LastHeartbeatAt { get; init; }
    public string? ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }
    public string? Output { get; init; }
    public string? Uploaded { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }

    public static string ColumnsOf(string? alias) => SqlColumns.Select(alias,
        ("job_id", "JobId"), ("chunk", "Chunk"), ("job_attempt", "JobAttempt"), ("first_segment", "FirstSegment"), ("end_segment", "EndSegment"),
        ("start_seconds", "StartSeconds"), ("end_seconds", "EndSeconds"), ("plan", "Plan"), ("state", "State"), ("attempt_count", "AttemptCount"),
        ("runner_job_id", "RunnerJobId"), ("submitted_at", "SubmittedAt"), ("last_heartbeat_at", "LastHeartbeatAt"),
        ("error_code", "ErrorCode"), ("error_message", "ErrorMessage"), ("output::text", "Output"), ("uploaded::text", "Uploaded"), ("created_at", "CreatedAt"), ("updated_at", "UpdatedAt"));

    public JobChunk ToDomain() => new()
    {
        JobId = JobId,
        Index = Chunk,
        JobAttempt = JobAttempt,
        Range = new ChunkRange(Chunk, FirstSegment, EndSegment, StartSeconds, EndSeconds),
        Plan = Plan,
        State = ChunkStateNames.ParseChunkState(State),
        AttemptCount = AttemptCount,
        RunnerJobId = RunnerJobId,
        SubmittedAt = DbTime.FromDb(SubmittedAt),
        LastHeartbeatAt = DbTime.FromDb(LastHeartbeatAt),
        ErrorCode = ErrorCode,
        ErrorMessage = ErrorMessage,
        Output = Output is null ? null : ChunkOutputJson.Read(Output),
        Uploaded = Uploaded is null ? null : ChunkOutputJson.Read(Uploaded),
        CreatedAt = DbTime.FromDb(CreatedAt),
        UpdatedAt = DbTime.FromDb(UpdatedAt),
    };
}

/// <summary>A chunk's recorded output as stored in <c>video_job_chunks.output</c> (and its uploads so far in <c>uploaded</c>).</summary>
internal static class ChunkOutputJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    private sealed record Segment(int Index, string Uri, double Duration, long Bytes);

    private sealed record Variant(string? Codec, List<Segment> Segments);

    private sealed record Chapter(double Start, double End, string Title, string? ThumbnailKey, bool Named);

    private sealed record Row(Dictionary<string, Variant> Variants, string? PosterKey, string? StoryboardKey, List<Chapter>? Chapters, string? ChaptersKey);

    public static string Write(ChunkOutput output) => JsonSerializer.Serialize(
        new Row(
            output.Variants.ToDictionary(v => v.Key, v => new Variant(v.Value.Codec, v.Value.Segments.Select(s => new Segment(s.Index, s.Uri, s.DurationSeconds, s.Bytes)).ToList())),
            output.PosterKey,
            output.StoryboardKey,
            output.Chapters.Select(c => new Chapter(c.Start, c.End, c.Title, c.ThumbnailKey, c.Named)).ToList(),
            output.ChaptersKey),
        Options);

    public static ChunkOutput Read(string json)
    {
        var row = JsonSerializer.Deserialize<Row>(json, Options) ?? throw new InvalidOperationException("A chunk's output is null.");
        return new ChunkOutput(row.Variants.ToDictionary(
            v => v.Key,
            v => new ChunkVariantOutput(v.Value.Codec, v.Value.Segments.Select(s => new HlsSegmentRecord(s.Index, s.Uri, s.Duration, s.Bytes)).ToList()),
            StringComparer.Ordinal))
        {
            PosterKey = row.PosterKey,
            StoryboardKey = row.StoryboardKey,
            Chapters = (row.Chapters ?? []).Select(c => new VideoChapter(c.Start, c.End, c.Title, c.ThumbnailKey, c.Named)).ToList(),
            ChaptersKey = row.ChaptersKey,
        };
    }
}
