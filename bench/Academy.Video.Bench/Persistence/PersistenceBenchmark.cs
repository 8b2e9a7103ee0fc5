using System.Diagnostics;
using System.Globalization;
using System.Text;
using Academy.Video.Application.Jobs;
using Academy.Video.Domain.Videos;
using Academy.Video.Bench.Common;
using Academy.Video.Infrastructure.Persistence;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Polly.Registry;

namespace Academy.Video.Bench.Persistence;

/// <summary>
/// Loads a million jobs of which 100 are stuck, then times the recovery claim and the backlog
/// query with the partial indexes and without them, and the create+queue write path.
/// Writes bench/RESULTS-persistence.md.
/// </summary>
public static class PersistenceBenchmark
{
    /// <summary>The named pipelines as a host registers them (the stores retry through <c>postgres</c>).</summary>
    private static readonly ResiliencePipelineProvider<string> Pipelines =
        new ServiceCollection().AddPostgresResilience().BuildServiceProvider().GetRequiredService<ResiliencePipelineProvider<string>>();

    private const string DatabaseName = "academy_bench";
    private const int JobCount = 1_000_000;
    private const int StuckCount = 100;
    private const int Samples = 30;
    private const int QueueJobs = 5_000;
    private const int Writers = 4;

    private const string DropPartialIndexesSql = """
        DROP INDEX jobs_one_active_per_video_idx, jobs_running_heartbeat_idx, jobs_retry_due_idx,
                   jobs_queued_unsubmitted_idx, jobs_submitted_waiting_idx, jobs_backlog_idx
        """;

    private const string OnePassBacklogSql = """
        SELECT state, count(*), min(created_at), min(updated_at), min(last_heartbeat_at)
        FROM video_transcode_jobs
        GROUP BY state
        """;

    // A fixed "now": the data is laid out around it, nothing depends on the wall clock.
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly RecoveryCandidateQuery Query = new(
        HeartbeatBefore: Now.AddMinutes(-3),
        RetryDueBy: Now,
        QueuedBefore: Now.AddMinutes(-2),
        SubmittedBefore: Now.AddMinutes(-10),
        Limit: 1_000);

    public static async Task<int> RunAsync(string[] args)
    {
        var server = BenchCluster.Server;
        var report = new Report();
        await RecreateDatabaseAsync(server);
        var connectionString = new NpgsqlConnectionStringBuilder(server) { Database = DatabaseName, MaxPoolSize = 20 }.ConnectionString;
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await new DatabaseMigrator(dataSource).MigrateAsync();

        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            report.Line($"PostgreSQL: {await connection.ExecuteScalarAsync<string>("SHOW server_version")}, " +
                        $"{Environment.ProcessorCount} cores, .NET {Environment.Version}");
        }

        var load = Stopwatch.StartNew();
        await LoadAsync(dataSource);
        report.Line($"Loaded {JobCount:N0} videos + {JobCount:N0} jobs ({StuckCount} stuck) with INSERT ... SELECT generate_series in {load.Elapsed.TotalSeconds:F1} s.");

        var store = new PostgresRecoveryScanStore(dataSource, Pipelines);
        var jobs = new PostgresTranscodeJobStore(dataSource, Pipelines);
        var claimed = 0;
        var claimTimes = await SampleAsync(async () =>
        {
            await using var claim = await store.ClaimCandidatesAsync(Query, CancellationToken.None);
            claimed = claim.Candidates.Count;
        });
        var backlog = await jobs.GetBacklogAsync(Now, CancellationToken.None);
        var backlogTimes = await SampleAsync(() => jobs.GetBacklogAsync(Now, CancellationToken.None));

        var withIndexes = await TimeQueriesAsync(dataSource, dropIndexes: false);
        var withoutIndexes = await TimeQueriesAsync(dataSource, dropIndexes: true);
        var plans = await ExplainAsync(dataSource);
        var throughput = await QueueThroughputAsync(dataSource);

        report.Section("Recovery claim (PostgresRecoveryScanStore.ClaimCandidatesAsync, then dry-run dispose)");
        report.Line($"Claimed {claimed} jobs (expected {StuckCount}). {Describe(claimTimes)}");
        report.Section("Backlog (PostgresTranscodeJobStore.GetBacklogAsync)");
        report.Line($"Counts: {string.Join(", ", backlog.CountsByState.Select(kv => $"{kv.Key}={kv.Value}"))}. {Describe(backlogTimes)}");
        report.Section("Partial indexes vs none (same SQL, one connection, inside a transaction)");
        report.Line("| query | with partial indexes (median) | without (median) | ratio |");
        report.Line("|---|---|---|---|");
        foreach (var name in withIndexes.Keys)
        {
            var with = Median(withIndexes[name]);
            var without = Median(withoutIndexes[name]);
            report.Line($"| {name} | {with:F3} ms | {without:F3} ms | {without / with:F0}x |");
        }

        report.Line();
        report.Line("Without its indexes the backlog query runs six sequential scans; the fairer baseline is the one-pass " +
                    $"GROUP BY: {Median(withoutIndexes["backlog as one GROUP BY pass"]) / Median(withIndexes["backlog"]):F0}x slower than the indexed backlog.");

        report.Section($"Create + queue throughput ({QueueJobs:N0} videos, {Writers} parallel writers, on top of the 1M rows)");
        report.Line($"AddAsync + TryQueueJobAsync: {throughput.JobsPerSecond:F0} jobs/s ({throughput.Elapsed.TotalSeconds:F2} s); " +
                    $"TryQueueJobAsync alone: median {throughput.QueueMedianMs:F3} ms per call.");
        report.Section("Notes");
        report.Line("- Wall-clock times on a 2-core machine shared with other builds; the development server runs with fsync off.");
        report.Line("- The claim is the whole adapter call: open a pooled connection, BEGIN, the four candidate SELECT ... FOR UPDATE SKIP LOCKED, " +
                    "then dispose without commit (the dry run), which rolls back and releases the 100 row locks.");
        report.Line("- The baseline drops the partial indexes of the jobs table inside a transaction that is rolled back " +
                    "(the primary key and the video_id index remain), then runs the very same SQL.");
        report.Line("- Rows are loaded in state order, so the state-keyed jobs_backlog_idx (itself partial: unfinished jobs only) has a " +
                    "near-perfect heap correlation and the planner may serve \"QUEUED unsubmitted\" from it instead of " +
                    "jobs_queued_unsubmitted_idx; either way only unfinished QUEUED rows are read.");
        report.Section("Plans (EXPLAIN (ANALYZE, BUFFERS)) of the candidate queries");
        foreach (var (name, plan) in plans)
        {
            report.Line($"{name}:");
            report.Line("```");
            report.Line(plan);
            report.Line("```");
        }

        var path = Path.Combine(RepositoryRoot(), "bench", "RESULTS-persistence.md");
        await File.WriteAllTextAsync(path, report.ToMarkdown());
        Console.WriteLine(report.ToMarkdown());
        Console.WriteLine($"Written to {path}");
        return claimed == StuckCount ? 0 : 1;
    }

    private static async Task RecreateDatabaseAsync(string server)
    {
        var admin = new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await connection.ExecuteAsync($"DROP DATABASE IF EXISTS {DatabaseName} WITH (FORCE)");
        await connection.ExecuteAsync($"CREATE DATABASE {DatabaseName}");
    }

    /// <summary>
    /// Row g: 1..100 stuck RUNNING (heartbeat an hour old), then 2,000 healthy RUNNING, 2,000 QUEUED
    /// (50 of them without a Batch id yet, inside the grace period) and 1,000 RETRY_WAIT that are
    /// not (yet) candidates, 10,000 FAILED/DEAD, the rest SUCCEEDED; plus each job's attempt rows.
    /// </summary>
    private static async Task LoadAsync(NpgsqlDataSource dataSource)
    {
        const string LoadSql = """
            CREATE TEMP TABLE plan AS
            SELECT g,
                   md5('video' || g)::uuid AS video_id,
                   md5('job' || g)::uuid AS job_id,
                   CASE WHEN g <= 2100 THEN 'RUNNING'
                        WHEN g <= 4100 THEN 'QUEUED'
                        WHEN g <= 5100 THEN 'RETRY_WAIT'
                        WHEN g <= 10100 THEN 'FAILED'
                        WHEN g <= 15100 THEN 'DEAD'
                        ELSE 'SUCCEEDED' END AS state,
                   CASE WHEN g > 2100 AND g <= 4100 THEN @Now - make_interval(secs => g % 60)
                        ELSE @Now - make_interval(mins => g % 500000) END AS created_at
            FROM generate_series(1, @JobCount) AS g;

            INSERT INTO videos (id, title, status, source_key, source_content_type, source_size_bytes, hls_path, created_at, updated_at)
            SELECT video_id, 'Lecture ' || g,
                   CASE state WHEN 'RUNNING' THEN 'PROCESSING' WHEN 'QUEUED' THEN 'UPLOADED' WHEN 'RETRY_WAIT' THEN 'PROCESSING'
                              WHEN 'SUCCEEDED' THEN 'READY' ELSE 'FAILED' END,
                   'videos/' || replace(video_id::text, '-', '') || '/source/original.mp4', 'video/mp4', 100000000,
                   CASE WHEN state = 'SUCCEEDED' THEN 'videos/' || replace(video_id::text, '-', '') || '/hls/master.m3u8' END,
                   created_at, created_at
            FROM plan;

            INSERT INTO video_transcode_jobs (id, video_id, state, attempt_count, aws_batch_job_id, submitted_at,
                                              last_heartbeat_at, progress_percent, error_code, error_message,
                                              next_attempt_at, created_at, updated_at, finished_at)
            SELECT job_id, video_id, state,
                   CASE WHEN state = 'QUEUED' THEN 0 WHEN state = 'DEAD' THEN 5 ELSE 1 END,
                   CASE WHEN (state = 'QUEUED' AND g % 40 <> 0) OR (state = 'RETRY_WAIT' AND g % 2 = 0) OR state = 'RUNNING' THEN 'batch-' || g END,
                   CASE WHEN state = 'QUEUED' AND g % 40 <> 0 THEN created_at
                        WHEN (state = 'RETRY_WAIT' AND g % 2 = 0) OR state = 'RUNNING' THEN @Now - make_interval(secs => g % 300) END,
                   CASE WHEN state = 'RUNNING' AND g <= @StuckCount THEN @Now - interval '1 hour' - make_interval(secs => g)
                        WHEN state = 'RUNNING' THEN @Now - make_interval(secs => g % 60) END,
                   CASE WHEN state = 'SUCCEEDED' THEN 100 WHEN state = 'RUNNING' THEN g % 100 ELSE 0 END,
                   CASE WHEN state IN ('FAILED', 'DEAD', 'RETRY_WAIT') THEN 'ENCODE_FAILED' END,
                   CASE WHEN state IN ('FAILED', 'DEAD', 'RETRY_WAIT') THEN 'ffmpeg exited with 1' END,
                   CASE WHEN state = 'RETRY_WAIT' THEN @Now + interval '5 minutes' END,
                   created_at, created_at,
                   CASE WHEN state IN ('SUCCEEDED', 'FAILED', 'DEAD') THEN created_at + interval '10 minutes' END
            FROM plan;

            -- The attempt timeline: one closed row per finished attempt, one open row per running one.
            INSERT INTO video_job_attempts (job_id, attempt, started_at, ended_at, outcome, error_code, error_message, batch_job_id)
            SELECT j.id, n, j.created_at + make_interval(mins => n),
                   CASE WHEN j.state = 'RUNNING' AND n = j.attempt_count THEN NULL ELSE j.created_at + make_interval(mins => n + 1) END,
                   CASE WHEN j.state = 'RUNNING' AND n = j.attempt_count THEN NULL
                        WHEN n < j.attempt_count THEN 'RETRY_WAIT' ELSE j.state END,
                   CASE WHEN j.state IN ('FAILED', 'DEAD', 'RETRY_WAIT') OR n < j.attempt_count THEN 'ENCODE_FAILED' END,
                   CASE WHEN j.state IN ('FAILED', 'DEAD', 'RETRY_WAIT') OR n < j.attempt_count THEN 'ffmpeg exited with 1' END,
                   j.aws_batch_job_id
            FROM video_transcode_jobs AS j, generate_series(1, j.attempt_count) AS n;
            """;

        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync(new CommandDefinition(
                LoadSql, new { Now, JobCount, StuckCount }, commandTimeout: 0));
        }

        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync(new CommandDefinition("VACUUM ANALYZE", commandTimeout: 0));
        }
    }

    private static async Task<List<double>> SampleAsync(Func<Task> action)
    {
        for (var warmup = 0; warmup < 3; warmup++)
        {
            await action();
        }

        var times = new List<double>(Samples);
        for (var i = 0; i < Samples; i++)
        {
            var watch = Stopwatch.StartNew();
            await action();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        return times;
    }

    private static object CandidateParameters() => new
    {
        HeartbeatBefore = Query.HeartbeatBefore,
        RetryDueBy = Query.RetryDueBy,
        QueuedBefore = Query.QueuedBefore,
        SubmittedBefore = Query.SubmittedBefore,
        Query.Limit,
    };

    private static IEnumerable<(string Name, string Sql, bool Candidate)> Queries() =>
    [
        ("stuck RUNNING", RecoveryCandidateSql.StuckRunning, true),
        ("RETRY_WAIT due", RecoveryCandidateSql.RetryDue, true),
        ("QUEUED unsubmitted", RecoveryCandidateSql.QueuedUnsubmitted, true),
        ("submitted, not started", RecoveryCandidateSql.SubmittedNotStarted, true),
        ("backlog", PostgresTranscodeJobStore.BacklogSql, false),
        // What a backlog query without purpose-built indexes would do: one pass over every job.
        ("backlog as one GROUP BY pass", OnePassBacklogSql, false),
    ];

    /// <summary>
    /// The baseline drops every partial index on the jobs table inside the transaction (rolled back
    /// afterwards), leaving the primary key and the video_id index: what a schema without the
    /// candidate indexes would do.
    /// </summary>
    private static async Task<Dictionary<string, List<double>>> TimeQueriesAsync(NpgsqlDataSource dataSource, bool dropIndexes)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        if (dropIndexes)
        {
            await connection.ExecuteAsync(DropPartialIndexesSql, transaction: transaction);
        }

        var results = new Dictionary<string, List<double>>();
        foreach (var (name, sql, candidate) in Queries())
        {
            var parameters = candidate ? CandidateParameters() : null;
            results[name] = await SampleAsync(() => connection.QueryAsync(sql, parameters, transaction));
        }

        await transaction.RollbackAsync();
        return results;
    }

    private static async Task<List<(string Name, string Plan)>> ExplainAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        var plans = new List<(string, string)>();
        foreach (var dropIndexes in new[] { false, true })
        {
            await using var transaction = await connection.BeginTransactionAsync();
            if (dropIndexes)
            {
                await connection.ExecuteAsync(DropPartialIndexesSql, transaction: transaction);
            }

            foreach (var (name, sql, candidate) in Queries())
            {
                if (dropIndexes ? name is not ("stuck RUNNING" or "backlog") : name == "backlog as one GROUP BY pass")
                {
                    continue;
                }

                var lines = await connection.QueryAsync<string>(
                    "EXPLAIN (ANALYZE, BUFFERS) " + sql, candidate ? CandidateParameters() : null, transaction);
                plans.Add((dropIndexes ? $"{name} — baseline without partial indexes" : name, string.Join('\n', lines)));
            }

            await transaction.RollbackAsync();
        }

        return plans;
    }

    private static async Task<(double JobsPerSecond, TimeSpan Elapsed, double QueueMedianMs)> QueueThroughputAsync(NpgsqlDataSource dataSource)
    {
        var videos = new PostgresVideoStore(dataSource, Pipelines);
        var queueTimes = new List<double>[Writers];
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
        {
            var times = queueTimes[writer] = new List<double>(QueueJobs / Writers);
            for (var i = 0; i < QueueJobs / Writers; i++)
            {
                var at = Now.AddMilliseconds(i);
                var video = LectureVideo.Create(Guid.NewGuid(), $"Bench {writer}-{i}", "lecture.mp4", "video/mp4", at);
                await videos.AddAsync(video, CancellationToken.None);
                var queue = ((UploadCompletion.Queue)video.CompleteUpload(Guid.NewGuid(), new StoredSource(1_000_000), TimeSpan.FromDays(3650), at)).Job;
                var call = Stopwatch.StartNew();
                if (await videos.TryQueueJobAsync(queue, CancellationToken.None) is null)
                {
                    throw new InvalidOperationException($"Queueing for {video.Id} lost a race nobody else runs.");
                }

                times.Add(call.Elapsed.TotalMilliseconds);
            }
        })));
        watch.Stop();
        return (QueueJobs / watch.Elapsed.TotalSeconds, watch.Elapsed, Median(queueTimes.SelectMany(t => t).ToList()));
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Describe(List<double> times)
    {
        var sorted = times.Order().ToList();
        var p95 = sorted[(int)Math.Ceiling(sorted.Count * 0.95) - 1];
        return string.Create(CultureInfo.InvariantCulture, $"Median {Median(times):F3} ms, p95 {p95:F3} ms, min {sorted[0]:F3} ms over {times.Count} runs.");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Academy.Video.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Run from inside the repository (Academy.Video.sln not found above the current directory).");
    }

    private sealed class Report
    {
        private readonly StringBuilder _text = new();

        public void Section(string title) => _text.Append(CultureInfo.InvariantCulture, $"\n## {title}\n\n");

        public void Line(string line = "") => _text.AppendLine(line);

        public string ToMarkdown() =>
            "# Persistence benchmark\n\n" +
            "`build/postgres.sh start && dotnet run -c Release --project bench/Academy.Video.Bench -- persistence`\n\n" +
            _text;
    }
}
