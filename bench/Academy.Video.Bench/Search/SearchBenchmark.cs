using System.Diagnostics;
using System.Globalization;
using System.Text;
using Academy.Video.Bench.Api;
using Academy.Video.Bench.Common;
using Academy.Video.Infrastructure.Persistence;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Academy.Video.Bench.Search;

/// <summary>
/// Transcript search over N seeded lectures of one hour each (900 cues, one per 4 s; Korean and English words from a
/// fixed list, fixed seeds), loaded with COPY into a database of its own (reused when already seeded). Starts the API
/// in local mode and drives GET /api/v1/search (a rare, a common and a Korean word) and GET …/transcript with wrk.
/// With --compare, first times the trigram index against full text ('simple') and both, with EXPLAIN ANALYZE
/// (decision 0016). Prints "RESULT name value" lines. See bench/README.md.
/// </summary>
public static class SearchBenchmark
{
    public const string RareWord = "xylophone";
    public const string CommonWord = "function";
    public const string KoreanWord = "적분";

    private const int CuesPerLecture = 900;

    private static readonly string[] English =
    [
        "function", "derivative", "integral", "limit", "theorem", "proof", "matrix", "vector", "equation", "example",
        "value", "point", "curve", "area", "slope", "graph", "series", "sum", "today", "next", "now", "so", "let", "us",
        "consider", "see", "that", "is", "the", "we", "a", "of", "and", "this", "here", "when", "zero", "one", "two", "infinity",
    ];

    private static readonly string[] Korean =
    [
        "미분", "적분", "함수", "극한", "정리", "증명", "행렬", "벡터", "방정식", "예제", "그래프", "기울기", "넓이", "급수",
        "오늘", "다음", "우리", "이제", "그래서", "여기", "값", "점", "곡선", "미적분", "수열", "연속", "공식", "문제", "답", "변수",
    ];

    // Particles written onto the noun: the reason a whole-token search misses Korean (decision 0016).
    private static readonly string[] Particles = ["", "", "을", "를", "이", "가", "은", "는", "에서", "의", "으로", "도"];

    public static async Task<int> RunAsync(string[] args)
    {
        int lectures = 10_000, seconds = 15, connections = 4, port = 5392;
        bool compare = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--lectures" when i + 1 < args.Length: lectures = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--seconds" when i + 1 < args.Length: seconds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--connections" when i + 1 < args.Length: connections = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--port" when i + 1 < args.Length: port = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--compare": compare = true; break;
                default:
                    Console.WriteLine("usage: ... -- search [--lectures N] [--seconds S] [--connections C] [--port P] [--compare]");
                    return 2;
            }
        }

        if (!ApiBenchmark.CommandExists("wrk"))
        {
            Console.Error.WriteLine("search: wrk is missing; install it (Debian: apt-get install wrk)");
            return 1;
        }

        var database = $"academy_bench_search_{lectures}";
        var (server, connectionString) = (BenchCluster.Server, BenchCluster.ConnectionString(database));
        await SeedAsync(server, database, connectionString, lectures);

        var work = Directory.CreateTempSubdirectory("academy-bench-search-");
        try
        {
            var ids = Path.Combine(work.FullName, "ids.txt");
            await using (var dataSource = NpgsqlDataSource.Create(connectionString))
            await using (var connection = await dataSource.OpenConnectionAsync())
            {
                await connection.ExecuteAsync("TRUNCATE video_events, webhook_deliveries, webhook_delivery_attempts");
                ApiBenchmark.Info($"PostgreSQL {await connection.ExecuteScalarAsync<string>("SHOW server_version")}, {Environment.ProcessorCount} cores, " +
                                  $"{await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM video_caption_cues"):N0} cues of {lectures:N0} lectures in {database}");
                foreach (var word in new[] { RareWord, CommonWord, KoreanWord })
                {
                    ApiBenchmark.Info($"'{word}': {await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM video_caption_cues WHERE text ILIKE @P", new { P = $"%{word}%" }, commandTimeout: 0):N0} cues match");
                }

                var sample = await connection.QueryAsync<Guid>("SELECT id FROM videos ORDER BY id LIMIT 2000");
                await File.WriteAllLinesAsync(ids, sample.Select(g => g.ToString()));
                if (compare)
                {
                    await CompareIndexesAsync(connection);
                }
            }

            var apiDll = Path.Combine(ApiBenchmark.RepositoryRoot(), "Academy.Video.Api", "bin", "Release", "net10.0", "Academy.Video.Api.dll");
            using var api = await ApiBenchmark.StartApiAsync(apiDll, connectionString, port, work.FullName);
            var baseUrl = $"http://127.0.0.1:{port}";
            var report = WrkReport + $"wrk.headers[\"X-Api-Key\"] = \"{ApiBenchmark.ApiKey}\"\n";
            var plain = Path.Combine(work.FullName, "plain.lua");
            await File.WriteAllTextAsync(plain, report);
            var transcript = Path.Combine(work.FullName, "transcript.lua");
            await File.WriteAllTextAsync(transcript, report + $$"""
                local ids = {}
                for line in io.lines("{{ids}}") do ids[#ids + 1] = line end
                math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "1", 16) % 100000)
                function request() return wrk.format("GET", "/api/v1/videos/" .. ids[math.random(#ids)] .. "/transcript") end
                """);
            foreach (var (name, script, path) in new[]
            {
                ("search_rare", plain, $"/api/v1/search?limit=10&q={RareWord}"),
                ("search_common", plain, $"/api/v1/search?limit=10&q={CommonWord}"),
                ("search_korean", plain, $"/api/v1/search?limit=10&q={Uri.EscapeDataString(KoreanWord)}"),
                ("search_two_words", plain, $"/api/v1/search?limit=10&q={Uri.EscapeDataString(CommonWord + " " + KoreanWord)}"),
                ("transcript", transcript, "/"),
            })
            {
                var (apiCpuBefore, dbCpuBefore) = (ApiBenchmark.Cpu.OfProcess(api.Id), ApiBenchmark.Cpu.OfBackends(database));
                var output = await ApiBenchmark.RunWrkAsync(script, baseUrl + path, Math.Min(2, connections), connections, seconds, timeoutSeconds: 60);
                var (apiCpu, dbCpu) = (ApiBenchmark.Cpu.OfProcess(api.Id) - apiCpuBefore, ApiBenchmark.Cpu.OfBackends(database) - dbCpuBefore);
                var values = output.Split('\n').Where(l => l.StartsWith("WRK ", StringComparison.Ordinal)).Select(l => l.Split(' '))
                    .ToDictionary(p => p[1], p => double.Parse(p[2], CultureInfo.InvariantCulture));
                if (!values.TryGetValue("requests", out var requests))
                {
                    Console.Error.WriteLine(output);
                    throw new InvalidOperationException($"wrk gave no figures for {name}");
                }

                if (requests == 0)
                {
                    // Not one request finished within the run: the latency is at least the run's length.
                    ApiBenchmark.Info($"{name}: no request finished in {seconds} s (db CPU {dbCpu:F1} s); load average {ApiBenchmark.LoadAverage()}");
                    ApiBenchmark.Result($"{name}_p99_ms", $">{seconds * 1000}");
                    continue;
                }

                ApiBenchmark.Info($"{name}: {requests:F0} requests in {values["seconds"]:F1} s, {values["non2xx"]:F0} non-2xx, {values["socket_errors"]:F0} socket errors, " +
                                  $"{requests / values["seconds"]:F1} req/s; load average {ApiBenchmark.LoadAverage()}");
                ApiBenchmark.Result($"{name}_p50_ms", values["p50_us"] / 1000);
                ApiBenchmark.Result($"{name}_p99_ms", values["p99_us"] / 1000);
                ApiBenchmark.Result($"{name}_db_cpu_ms_per_req", dbCpu * 1000 / requests);
                ApiBenchmark.Result($"{name}_api_cpu_ms_per_req", apiCpu * 1000 / requests);
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }

        return 0;
    }

    private const string WrkReport = """
        function done(summary, latency, requests)
          io.write(string.format("WRK requests %d\nWRK seconds %f\nWRK p50_us %f\nWRK p99_us %f\nWRK non2xx %d\nWRK socket_errors %d\n",
            summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99), summary.errors.status,
            summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
        end

        """;

    /// <summary>The cue text of lecture <paramref name="lecture"/>: 6 to 10 words a cue, half Korean (with particles), half English.</summary>
    public static IEnumerable<string> CueTexts(int lecture)
    {
        var random = new Random(lecture);
        var text = new StringBuilder();
        for (var cue = 0; cue < CuesPerLecture; cue++)
        {
            text.Clear();
            var words = random.Next(6, 11);
            for (var w = 0; w < words; w++)
            {
                if (w > 0)
                {
                    text.Append(' ');
                }

                if (random.Next(2) == 0)
                {
                    text.Append(Korean[random.Next(Korean.Length)]).Append(Particles[random.Next(Particles.Length)]);
                }
                else
                {
                    text.Append(English[random.Next(English.Length)]);
                }
            }

            // One cue in 200,000 carries the rare word.
            if ((lecture * CuesPerLecture + cue) % 200_000 == 4321)
            {
                text.Append(' ').Append(RareWord);
            }

            yield return text.ToString();
        }
    }

    private static async Task SeedAsync(string server, string database, string connectionString, int lectures)
    {
        await using (var admin = NpgsqlDataSource.Create(server))
        await using (var connection = await admin.OpenConnectionAsync())
        {
            if (await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = @database)", new { database }))
            {
                await using var existing = NpgsqlDataSource.Create(connectionString);
                await using var probe = await existing.OpenConnectionAsync();
                if (await probe.ExecuteScalarAsync<bool>("SELECT to_regclass('bench_seed') IS NOT NULL")
                    && await probe.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM bench_seed WHERE lectures = @lectures)", new { lectures }))
                {
                    ApiBenchmark.Info($"reusing {database} (seeded with {lectures:N0} lectures)");
                    // A database seeded before a migration gets it now (0018 backfills the word index from the cues).
                    var migrate = Stopwatch.StartNew();
                    await using var migrating = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 0 }.ConnectionString);
                    if ((await new DatabaseMigrator(migrating).MigrateAsync()).Count > 0)
                    {
                        await using var analyze = await migrating.OpenConnectionAsync();
                        await analyze.ExecuteAsync(new CommandDefinition("ANALYZE caption_words; ANALYZE video_caption_word_counts; ANALYZE video_caption_units", commandTimeout: 0));
                        ApiBenchmark.Info($"migrated {database} in {migrate.Elapsed.TotalSeconds:F0} s");
                    }

                    return;
                }

                NpgsqlConnection.ClearAllPools();
                await connection.ExecuteAsync($"DROP DATABASE \"{database}\" WITH (FORCE)");
            }

            await connection.ExecuteAsync($"CREATE DATABASE \"{database}\"");
        }

        await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 0 }.ConnectionString);
        await new DatabaseMigrator(dataSource).MigrateAsync();
        var watch = Stopwatch.StartNew();
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            // Videos READY, one track each (Korean for even lectures, English for odd), every cue under the track's revision.
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO videos (id, title, status, source_key, source_content_type, source_size_bytes, hls_path, created_at, updated_at)
                SELECT md5('lecture' || g)::uuid, 'Lecture ' || g, 'READY', 'videos/' || g || '/source/original.mp4', 'video/mp4', 100000000,
                       'videos/' || g || '/hls/a/master.m3u8', timestamptz '2024-01-01' + make_interval(secs => g), timestamptz '2024-01-01' + make_interval(secs => g)
                FROM generate_series(0, @Lectures - 1) AS g;
                INSERT INTO video_caption_tracks (video_id, language, kind, label, vtt_key, playlist_key, size_bytes, cue_count, created_at, updated_at, cues_revision)
                SELECT md5('lecture' || g)::uuid, CASE WHEN g % 2 = 0 THEN 'ko' ELSE 'en' END, 'subtitles', 'Track', 'k.vtt', 'k.m3u8', 1, 900,
                       timestamptz '2024-01-01', timestamptz '2024-01-01', md5('revision' || g)::uuid
                FROM generate_series(0, @Lectures - 1) AS g;
                DROP INDEX video_caption_cues_text_trgm_idx;
                DROP INDEX video_caption_cues_video_idx;
                ALTER TABLE video_caption_cues SET (autovacuum_enabled = false);
                -- The cues point at their tracks by construction: no foreign-key check per row during the load.
                SET session_replication_role = replica;
                """, new { Lectures = lectures }, commandTimeout: 0));
            var tracks = (await connection.QueryAsync<(int Lecture, Guid Video, string Language, Guid Revision)>(
                "SELECT g, t.video_id, t.language, t.cues_revision FROM generate_series(0, @Lectures - 1) AS g JOIN video_caption_tracks AS t ON t.video_id = md5('lecture' || g)::uuid",
                new { Lectures = lectures })).ToDictionary(t => t.Lecture);
            await using (var copy = await connection.BeginBinaryImportAsync(
                             "COPY video_caption_cues (video_id, language, kind, revision, cue_index, start_ms, end_ms, text) FROM STDIN (FORMAT BINARY)"))
            {
                for (var lecture = 0; lecture < lectures; lecture++)
                {
                    var track = tracks[lecture];
                    var index = 0;
                    foreach (var text in CueTexts(lecture))
                    {
                        await copy.StartRowAsync();
                        await copy.WriteAsync(track.Video, NpgsqlDbType.Uuid);
                        await copy.WriteAsync(track.Language, NpgsqlDbType.Text);
                        await copy.WriteAsync("subtitles", NpgsqlDbType.Text);
                        await copy.WriteAsync(track.Revision, NpgsqlDbType.Uuid);
                        await copy.WriteAsync(index, NpgsqlDbType.Integer);
                        await copy.WriteAsync(index * 4000, NpgsqlDbType.Integer);
                        await copy.WriteAsync(index * 4000 + 3800, NpgsqlDbType.Integer);
                        await copy.WriteAsync(text, NpgsqlDbType.Text);
                        index++;
                    }

                    if (lecture % 1000 == 999)
                    {
                        ApiBenchmark.Info($"copied {lecture + 1:N0} lectures in {watch.Elapsed.TotalSeconds:F0} s");
                    }
                }

                await copy.CompleteAsync();
            }

            ApiBenchmark.Info($"copied {lectures * CuesPerLecture:N0} cues in {watch.Elapsed.TotalSeconds:F0} s; building the indexes");
            await connection.ExecuteAsync(new CommandDefinition("""
                RESET session_replication_role;
                SET maintenance_work_mem = '512MB';
                CREATE INDEX video_caption_cues_video_idx ON video_caption_cues (video_id, start_ms);
                CREATE INDEX video_caption_cues_text_trgm_idx ON video_caption_cues USING gin (text gin_trgm_ops);
                ALTER TABLE video_caption_cues RESET (autovacuum_enabled);
                -- The word index (migration 0018), filled from the copied cues as the migration's backfill does.
                INSERT INTO video_caption_word_counts (word, video_id, language, kind, revision, cue_count)
                SELECT w.word, c.video_id, c.language, c.kind, c.revision, count(DISTINCT c.cue_index)::integer
                FROM video_caption_cues AS c, regexp_split_to_table(lower(c.text), '[^[:alnum:]]+') AS w (word)
                WHERE w.word <> ''
                GROUP BY w.word, c.video_id, c.language, c.kind, c.revision;
                INSERT INTO caption_words (word) SELECT DISTINCT word FROM video_caption_word_counts ON CONFLICT DO NOTHING;
                -- The search units (migration 0023), filled as its backfill does.
                SET enable_sort = off;
                CREATE TEMPORARY TABLE backfill_word_units AS
                SELECT l.word, s.unit FROM caption_words AS l, caption_search_units(l.word) AS s (unit);
                CREATE INDEX ON backfill_word_units (word);
                ANALYZE backfill_word_units;
                INSERT INTO video_caption_units (unit, video_id, language, kind, revision, cue_count)
                SELECT u.unit, t.video_id, t.language, t.kind, t.cues_revision, u.cue_count
                FROM video_caption_tracks AS t
                CROSS JOIN LATERAL (
                    SELECT d.unit, count(*)::integer AS cue_count
                    FROM (
                        SELECT DISTINCT c.cue_index, wu.unit
                        FROM video_caption_cues AS c,
                             regexp_split_to_table(lower(c.text), '[^[:alnum:]]+') AS w (word)
                             JOIN backfill_word_units AS wu ON wu.word = w.word
                        WHERE c.video_id = t.video_id AND c.language = t.language AND c.kind = t.kind AND c.revision = t.cues_revision
                    ) AS d
                    GROUP BY d.unit
                ) AS u;
                RESET enable_sort;
                ANALYZE video_caption_units;
                ANALYZE caption_words;
                ANALYZE video_caption_word_counts;
                ANALYZE videos;
                ANALYZE video_caption_tracks;
                CREATE TABLE bench_seed (lectures integer NOT NULL);
                """, commandTimeout: 0));
            await connection.ExecuteAsync(new CommandDefinition("VACUUM ANALYZE video_caption_cues", commandTimeout: 0));
            await connection.ExecuteAsync("INSERT INTO bench_seed VALUES (@Lectures)", new { Lectures = lectures });
        }

        ApiBenchmark.Info($"seeded {lectures:N0} lectures ({lectures * CuesPerLecture:N0} cues) in {watch.Elapsed.TotalSeconds:F0} s");
    }

    /// <summary>
    /// Decision 0016's table: the same count through the trigram index, through a full-text index ('simple'), and both,
    /// median of three EXPLAIN ANALYZE runs each; the full-text index is built for this and dropped.
    /// </summary>
    private static async Task CompareIndexesAsync(NpgsqlConnection connection)
    {
        var build = Stopwatch.StartNew();
        await connection.ExecuteAsync(new CommandDefinition(
            "SET maintenance_work_mem = '512MB'; CREATE INDEX bench_cues_fts_idx ON video_caption_cues USING gin (to_tsvector('simple', text)); ANALYZE video_caption_cues",
            commandTimeout: 0));
        ApiBenchmark.Info($"full-text index built in {build.Elapsed.TotalSeconds:F0} s, {await connection.ExecuteScalarAsync<string>("SELECT pg_size_pretty(pg_relation_size('bench_cues_fts_idx'))")}; " +
                          $"trigram index {await connection.ExecuteScalarAsync<string>("SELECT pg_size_pretty(pg_relation_size('video_caption_cues_text_trgm_idx'))")}");
        try
        {
            foreach (var word in new[] { RareWord, CommonWord, KoreanWord, "적분을", "미적분", "xylophon" })
            {
                var pattern = $"%{word}%";
                var row = new List<string>();
                foreach (var (name, where) in new[]
                {
                    ("trigram", "text ILIKE @Pattern"),
                    ("fulltext", "to_tsvector('simple', text) @@ plainto_tsquery('simple', @Word)"),
                    ("both", "to_tsvector('simple', text) @@ plainto_tsquery('simple', @Word) AND text ILIKE @Pattern"),
                })
                {
                    var times = new List<double>();
                    long matches = 0;
                    for (var run = 0; run < 3; run++)
                    {
                        var plan = string.Join('\n', await connection.QueryAsync<string>(new CommandDefinition(
                            $"EXPLAIN (ANALYZE, FORMAT TEXT) SELECT count(*) FROM video_caption_cues WHERE {where}", new { Pattern = pattern, Word = word }, commandTimeout: 0)));
                        times.Add(double.Parse(plan[(plan.LastIndexOf("Execution Time: ", StringComparison.Ordinal) + 16)..].Split(' ')[0], CultureInfo.InvariantCulture));
                        matches = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                            $"SELECT count(*) FROM video_caption_cues WHERE {where}", new { Pattern = pattern, Word = word }, commandTimeout: 0));
                    }

                    times.Sort();
                    row.Add($"{name} {matches:N0} cues {times[1]:F1} ms");
                }

                ApiBenchmark.Info($"compare '{word}': {string.Join("; ", row)}");
            }
        }
        finally
        {
            await connection.ExecuteAsync("DROP INDEX bench_cues_fts_idx");
        }
    }
}
