using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Academy.Video.Bench.Common;
using Academy.Video.Infrastructure.Persistence;
using Dapper;
using Npgsql;

namespace Academy.Video.Bench.Api;

/// <summary>
/// The API over a seeded library: N videos with their jobs and attempts (INSERT ... SELECT generate_series, in a
/// database of its own, reused when already seeded), the API started in local mode (Release), and wrk driving
/// GET /videos/{id}, the list, title search (a rare and a common word), create and the upload flow
/// (create → PUT → upload-complete). Prints "RESULT name value" lines. See bench/README.md.
/// </summary>
public static class ApiBenchmark
{
    internal const string ApiKey = "bench-client-key-0123456789";
    private const string RareWord = "xylophone";
    private const string CommonWord = "lecture";
    private static readonly DateTimeOffset Epoch = new(2023, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static async Task<int> RunAsync(string[] args)
    {
        var options = Options.Parse(args);
        if (options is null)
        {
            Console.WriteLine("usage: ... -- api [--videos N] [--seconds S] [--warmup S] [--connections C] [--api-dll PATH] [--port P] [--only get,list,...]");
            return 2;
        }

        if (!CommandExists("wrk"))
        {
            Console.Error.WriteLine("api: wrk is missing; install it (Debian: apt-get install wrk)");
            return 1;
        }

        var root = RepositoryRoot();
        var database = $"academy_bench_api_{options.Videos}";
        var (server, connectionString) = (BenchCluster.Server, BenchCluster.ConnectionString(database));
        await SeedAsync(server, database, connectionString, options.Videos);

        await ResetAsync(connectionString);
        var work = Directory.CreateTempSubdirectory("academy-bench-api-");
        try
        {
            var ids = Path.Combine(work.FullName, "ids.txt");
            await using (var dataSource = NpgsqlDataSource.Create(connectionString))
            await using (var connection = await dataSource.OpenConnectionAsync())
            {
                Result("fsync", await connection.ExecuteScalarAsync<string>("SHOW fsync") ?? "?");
                Info($"PostgreSQL {await connection.ExecuteScalarAsync<string>("SHOW server_version")}, {Environment.ProcessorCount} cores, " +
                     $"{await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM videos"):N0} videos in {database}");
                // Ids spread over the whole table (every video has a current job with attempts except PENDING_UPLOAD ones).
                var sample = await connection.QueryAsync<Guid>(
                    "SELECT id FROM videos TABLESAMPLE BERNOULLI(@Percent::real)",
                    new { Percent = Math.Min(100.0, 2_000_000.0 / options.Videos) });
                await File.WriteAllLinesAsync(ids, sample.Select(g => g.ToString()));
            }

            var apiDll = options.ApiDll ?? Path.Combine(root, "Academy.Video.Api", "bin", "Release", "net10.0", "Academy.Video.Api.dll");
            Info($"API {apiDll}");
            using var api = await StartApiAsync(apiDll, connectionString, options.Port, work.FullName);
            var baseUrl = $"http://127.0.0.1:{options.Port}";
            var scripts = WriteScripts(work.FullName, ids);

            foreach (var (name, script, path, threads, connections) in new[]
            {
                ("get", scripts.Get, "/", 2, options.Connections),
                ("list", scripts.List, "/", 2, options.Connections),
                ("search_rare", scripts.Search, $"/api/v1/videos?limit=20&q={RareWord}", 2, options.Connections),
                ("search_common", scripts.Search, $"/api/v1/videos?limit=20&q={CommonWord}", 2, options.Connections),
                ("create", scripts.Create, "/api/v1/videos", 2, options.Connections),
                // One wrk thread per connection: the flow's Lua state machine is per thread.
                ("flow", scripts.Flow, "/api/v1/videos", options.FlowConnections, options.FlowConnections),
            })
            {
                if (options.Only is { } only && !only.Contains(name))
                {
                    continue;
                }

                // A route's first seconds after the API starts pay for tiered JIT compilation (tier 0, then the
                // instrumented and optimised tiers): a run of its own, discarded, so the figures measure steady state.
                if (options.WarmupSeconds > 0)
                {
                    await RunWrkAsync(script, baseUrl + path, threads, connections, options.WarmupSeconds);
                    if (name is "create" or "flow")
                    {
                        await ResetAsync(connectionString);
                    }
                }

                Info($"{name}: load average before {LoadAverage()}");
                var (apiCpuBefore, dbCpuBefore) = (Cpu.OfProcess(api.Id), Cpu.OfBackends(database));
                var output = await RunWrkAsync(script, baseUrl + path, threads, connections, options.Seconds);
                var (apiCpu, dbCpu) = (Cpu.OfProcess(api.Id) - apiCpuBefore, Cpu.OfBackends(database) - dbCpuBefore);
                var values = output.Split('\n')
                    .Where(l => l.StartsWith("WRK ", StringComparison.Ordinal))
                    .Select(l => l.Split(' '))
                    .ToDictionary(p => p[1], p => double.Parse(p[2], CultureInfo.InvariantCulture));
                if (!values.TryGetValue("requests", out var requests))
                {
                    Console.Error.WriteLine(output);
                    throw new InvalidOperationException($"wrk gave no figures for {name}");
                }

                var seconds = values["seconds"];
                if (values["non2xx"] > requests / 100 || values["socket_errors"] > requests / 100)
                {
                    throw new InvalidOperationException(
                        $"{name}: {values["non2xx"]:F0} non-2xx answers and {values["socket_errors"]:F0} socket errors in {requests:F0} requests: the figures would not measure the route");
                }

                // CPU per request (the API process; the PostgreSQL backends of the bench database) hardly depends on
                // what else the machine runs, unlike rates and latencies: the figure to compare on a shared machine.
                var perRequest = name == "flow" ? values["flows"] : requests;
                Result($"{name}_api_cpu_ms_per_{(name == "flow" ? "flow" : "req")}", apiCpu * 1000 / perRequest);
                Result($"{name}_db_cpu_ms_per_{(name == "flow" ? "flow" : "req")}", dbCpu * 1000 / perRequest);
                Info($"{name}: {requests:F0} requests in {seconds:F1} s, {values["non2xx"]:F0} non-2xx, {values["socket_errors"]:F0} socket errors; load average {LoadAverage()}");
                if (name == "flow")
                {
                    Result("flow_per_s", values["flows"] / seconds);
                    Result("flow_p99_ms", values["p99_us"] / 1000);
                }
                else if (name is "get" or "create")
                {
                    Result($"{name}_rps", requests / seconds);
                    Result($"{name}_p99_ms", values["p99_us"] / 1000);
                }
                else
                {
                    Result($"{name}_p99_ms", values["p99_us"] / 1000);
                    Info($"{name}: {requests / seconds:F0} req/s, p50 {values["p50_us"] / 1000:F2} ms");
                }
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }

        return 0;
    }

    private static async Task SeedAsync(string server, string database, string connectionString, int videos)
    {
        await using (var admin = NpgsqlDataSource.Create(server))
        await using (var connection = await admin.OpenConnectionAsync())
        {
            if (await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = @database)", new { database }))
            {
                await using var existing = NpgsqlDataSource.Create(connectionString);
                await using var probe = await existing.OpenConnectionAsync();
                if (await probe.ExecuteScalarAsync<bool>("SELECT to_regclass('bench_seed') IS NOT NULL")
                    && await probe.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM bench_seed WHERE videos = @videos)", new { videos }))
                {
                    Info($"reusing {database} (seeded with {videos:N0} videos)");
                    return;
                }

                NpgsqlConnection.ClearAllPools();
                await connection.ExecuteAsync($"DROP DATABASE \"{database}\" WITH (FORCE)");
            }

            await connection.ExecuteAsync($"CREATE DATABASE \"{database}\"");
        }

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await new DatabaseMigrator(dataSource).MigrateAsync();
        var watch = Stopwatch.StartNew();
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync(new CommandDefinition(SeedSql, new { Videos = videos, Epoch }, commandTimeout: 0));
        }

        Info($"seeded {videos:N0} videos with their jobs and attempts in {watch.Elapsed.TotalSeconds:F0} s");
    }

    /// <summary>
    /// Puts the database back to the seeded rows: what an earlier run created (videos titled as the create script
    /// titles them, their jobs, events, uploads, cleanups) would otherwise grow it run after run, and its
    /// undispatched events would keep the next API's webhook dispatcher busy during the measurements.
    /// </summary>
    private static async Task ResetAsync(string connectionString)
    {
        const string ResetSql = """
            SET session_replication_role = replica;
            TRUNCATE video_events, webhook_deliveries, webhook_delivery_attempts, storage_cleanups, video_multipart_uploads;
            CREATE TEMP TABLE created AS SELECT id FROM videos WHERE title = 'Bench lecture';
            DELETE FROM video_job_attempts WHERE job_id IN (SELECT j.id FROM video_transcode_jobs AS j JOIN created AS c ON c.id = j.video_id);
            DELETE FROM video_transcode_jobs WHERE video_id IN (SELECT id FROM created);
            DELETE FROM videos WHERE id IN (SELECT id FROM created);
            RESET session_replication_role;
            """;
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(new CommandDefinition(ResetSql, commandTimeout: 0));
        await connection.ExecuteAsync(new CommandDefinition("VACUUM ANALYZE videos, video_transcode_jobs, video_job_attempts", commandTimeout: 0));
    }

    // Titles: a subject, "lecture" or "seminar" (the common word: half of them), a number and a hex tag;
    // one in 100,000 carries the rare word, one in ten a Korean phrase. Statuses: 2% PENDING_UPLOAD (no job),
    // 3% PROCESSING (a RUNNING job, two attempts), 5% FAILED, 90% READY. Foreign keys are off for the load
    // only (session_replication_role): the rows are consistent by construction, and videos point at their
    // current job before the job row exists.
    private const string SeedSql = """
        SET session_replication_role = replica;
        CREATE TEMP TABLE plan AS
        SELECT g,
               md5('video' || g)::uuid AS video_id,
               md5('job' || g)::uuid AS job_id,
               CASE WHEN g % 50 = 0 THEN 'PENDING_UPLOAD' WHEN g % 100 IN (1, 2, 3) THEN 'PROCESSING'
                    WHEN g % 20 = 4 THEN 'FAILED' ELSE 'READY' END AS status,
               @Epoch + make_interval(secs => g * 60) AS created_at
        FROM generate_series(1, @Videos) AS g;

        INSERT INTO videos (id, title, status, source_key, source_content_type, source_size_bytes, hls_path, current_job_id, created_at, updated_at)
        SELECT video_id,
               (ARRAY['Calculus', 'Physics', 'Chemistry', 'Biology', 'History', 'Economics', 'Statistics', 'Algebra',
                      'Geometry', 'Literature', 'Philosophy', 'Music', 'Art', 'Programming', 'Databases', 'Networks'])[1 + g % 16]
                 || CASE WHEN g % 2 = 0 THEN ' lecture ' ELSE ' seminar ' END || (g % 997)
                 || CASE WHEN g % 100000 = 77 THEN ' xylophone' ELSE '' END
                 || CASE WHEN g % 10 = 3 THEN ' 미적분 강의' ELSE '' END
                 || ' ' || substr(md5(g::text), 1, 6),
               status,
               'videos/' || replace(video_id::text, '-', '') || '/source/original.mp4', 'video/mp4',
               CASE WHEN status <> 'PENDING_UPLOAD' THEN 100000000 END,
               CASE WHEN status = 'READY' THEN 'videos/' || replace(video_id::text, '-', '') || '/hls/master.m3u8' END,
               CASE WHEN status <> 'PENDING_UPLOAD' THEN job_id END,
               created_at, created_at + interval '20 minutes'
        FROM plan;

        INSERT INTO video_transcode_jobs (id, video_id, state, attempt_count, aws_batch_job_id, submitted_at, last_heartbeat_at,
                                          progress_percent, error_code, error_message, created_at, updated_at, finished_at)
        SELECT job_id, video_id,
               CASE status WHEN 'PROCESSING' THEN 'RUNNING' WHEN 'FAILED' THEN 'FAILED' ELSE 'SUCCEEDED' END,
               CASE WHEN status = 'READY' THEN 1 ELSE 2 END,
               'batch-' || g, created_at + interval '1 minute',
               CASE WHEN status = 'PROCESSING' THEN created_at + interval '15 minutes' END,
               CASE status WHEN 'READY' THEN 100 WHEN 'PROCESSING' THEN 40 ELSE 0 END,
               CASE WHEN status = 'FAILED' THEN 'ENCODE_FAILED' END,
               CASE WHEN status = 'FAILED' THEN 'ffmpeg exited with 1' END,
               created_at + interval '1 minute', created_at + interval '20 minutes',
               CASE WHEN status IN ('READY', 'FAILED') THEN created_at + interval '20 minutes' END
        FROM plan WHERE status <> 'PENDING_UPLOAD';

        INSERT INTO video_job_attempts (job_id, attempt, started_at, ended_at, outcome, error_code, error_message, batch_job_id)
        SELECT j.id, n, j.created_at + make_interval(mins => n),
               CASE WHEN j.state = 'RUNNING' AND n = j.attempt_count THEN NULL ELSE j.created_at + make_interval(mins => n + 5) END,
               CASE WHEN j.state = 'RUNNING' AND n = j.attempt_count THEN NULL WHEN n < j.attempt_count THEN 'RETRY_WAIT' ELSE j.state END,
               CASE WHEN j.state = 'FAILED' OR n < j.attempt_count THEN 'ENCODE_FAILED' END,
               CASE WHEN j.state = 'FAILED' OR n < j.attempt_count THEN 'ffmpeg exited with 1' END,
               j.aws_batch_job_id
        FROM video_transcode_jobs AS j, generate_series(1, j.attempt_count) AS n;

        RESET session_replication_role;
        CREATE TABLE bench_seed (videos integer NOT NULL);
        INSERT INTO bench_seed VALUES (@Videos);
        ANALYZE videos;
        ANALYZE video_transcode_jobs;
        ANALYZE video_job_attempts;
        """;

    /// <param name="environment">Laid over the defaults, e.g. a real worker for <c>Runner__Local__Command</c>.</param>
    internal static async Task<ApiProcess> StartApiAsync(string apiDll, string connectionString, int port, string work, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (!File.Exists(apiDll))
        {
            throw new FileNotFoundException($"Build the API first (dotnet build Academy.Video.Api -c Release): {apiDll}");
        }

        var url = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(apiDll);
        var env = start.Environment;
        env["ASPNETCORE_URLS"] = url;
        // The local storage provider with its development signing key is accepted in declared local mode only (docs/configuration.md).
        env["LocalMode"] = "true";
        env["ConnectionStrings__Postgres"] = connectionString;
        env["Storage__Provider"] = "Local";
        env["Storage__Local__RootPath"] = Path.Combine(work, "storage");
        env["Storage__Local__PublicBaseUrl"] = url;
        env["Runner__Kind"] = "Local";
        // The flow measures the API up to the submission: the "worker" the local runner starts exits at once.
        env["Runner__Local__Command"] = "true";
        env["Runner__Local__LogDirectory"] = Path.Combine(work, "runner-logs");
        env["Runner__Local__WorkDirectory"] = Path.Combine(work, "runner-work");
        env["Auth__ApiKeys__0"] = ApiKey;
        env["Auth__InternalApiKeys__0"] = "bench-internal-key-0123456789";
        env["Logging__LogLevel__Default"] = "Warning";
        // One key drives every request: the per-key limits (60 creates a minute) would answer 429 to nearly all of
        // them and the figures would measure the limiter. A zero window turns the limits off (docs/configuration.md).
        env["RateLimits__Window"] = "00:00:00";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            env[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var log = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var api = new ApiProcess(process);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        for (var i = 0; i < 240; i++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The API exited ({process.ExitCode}):\n{log}");
            }

            try
            {
                if ((await http.GetAsync($"{url}/readyz")).IsSuccessStatusCode)
                {
                    // Warm up: JIT, pools, prepared statements.
                    var request = new HttpRequestMessage(HttpMethod.Get, $"{url}/api/v1/videos?limit=20");
                    request.Headers.Add("X-Api-Key", ApiKey);
                    (await http.SendAsync(request)).EnsureSuccessStatusCode();
                    return api;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                if (i >= 200)
                {
                    api.Dispose();
                    throw;
                }
            }

            await Task.Delay(500);
        }

        api.Dispose();
        throw new InvalidOperationException($"The API did not get ready:\n{log}");
    }

    internal static class Cpu
    {
        private static readonly double TicksPerSecond = 100;

        /// <summary>User + system CPU seconds of a process (/proc/pid/stat), 0 if it is gone.</summary>
        public static double OfProcess(int pid)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
            }
            catch (IOException)
            {
                return 0;
            }
        }

        /// <summary>The PostgreSQL backends connected to the database (their process title names it).</summary>
        public static double OfBackends(string database)
        {
            var total = 0.0;
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out var pid))
                {
                    continue;
                }

                try
                {
                    var title = File.ReadAllText(Path.Combine(dir, "cmdline"));
                    if (title.StartsWith("postgres: ", StringComparison.Ordinal) && title.Contains($" {database} ", StringComparison.Ordinal))
                    {
                        total += OfProcess(pid);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                }
            }

            return total;
        }
    }

    internal sealed class ApiProcess(Process process) : IDisposable
    {
        public int Id => process.Id;

        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }

            process.Dispose();
        }
    }

    private sealed record Scripts(string Get, string List, string Search, string Create, string Flow);

    private static Scripts WriteScripts(string directory, string idsFile)
    {
        // Each script reports through done(): requests, seconds, latency percentiles (µs), errors, and flows.
        var report = """
            local threads = {}
            function setup(thread) table.insert(threads, thread) end
            function done(summary, latency, requests)
              local flows = 0
              for _, t in ipairs(threads) do flows = flows + (t:get("flows") or 0) end
              io.write(string.format("WRK requests %d\nWRK seconds %f\nWRK p50_us %f\nWRK p99_us %f\nWRK non2xx %d\nWRK socket_errors %d\nWRK flows %d\n",
                summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99), summary.errors.status,
                summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, flows))
            end

            """;
        var headers = $"wrk.headers[\"X-Api-Key\"] = \"{ApiKey}\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n";
        var create = """
            local body = '{"title":"Bench lecture","fileName":"bench.mp4","contentType":"video/mp4","sizeBytes":1024}'
            """;
        string Write(string name, string text)
        {
            var path = Path.Combine(directory, name + ".lua");
            File.WriteAllText(path, report + headers + text);
            return path;
        }

        return new Scripts(
            Write("get", $$"""
                local ids = {}
                for line in io.lines("{{idsFile}}") do ids[#ids + 1] = line end
                math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "1", 16) % 100000)
                function request() return wrk.format("GET", "/api/v1/videos/" .. ids[math.random(#ids)]) end
                """),
            Write("list", """
                local paths = { "/api/v1/videos?limit=20", "/api/v1/videos?limit=20&status=READY",
                                "/api/v1/videos?limit=20&status=FAILED", "/api/v1/videos?limit=20&status=PROCESSING" }
                local n = 0
                function request() n = n + 1; return wrk.format("GET", paths[n % #paths + 1]) end
                """),
            Write("search", ""),
            Write("create", create + """
                wrk.method = "POST"
                wrk.body = body
                """),
            Write("flow", create + $$"""
                local step, video, upload = 0, nil, nil
                local flows = 0
                local payload = string.rep("x", 1024)
                function request()
                  if step == 1 then
                    return wrk.format("PUT", upload, { ["Content-Type"] = "video/mp4", ["X-Api-Key"] = "{{ApiKey}}" }, payload)
                  elseif step == 2 then
                    return wrk.format("POST", "/api/v1/videos/" .. video .. "/upload-complete", nil, "")
                  end
                  return wrk.format("POST", "/api/v1/videos", nil, body)
                end
                function response(status, headers, text)
                  if step == 0 and status == 201 then
                    video = text:match('"videoId"%s*:%s*"([^"]+)"')
                    local url = text:match('"url"%s*:%s*"([^"]+)"')
                    upload = url and url:gsub("^https?://[^/]+", ""):gsub("\\u0026", "&")
                    step = (video and upload) and 1 or 0
                  elseif step == 1 and status < 300 then
                    step = 2
                  elseif step == 2 and status == 202 then
                    flows = flows + 1
                    wrk.thread:set("flows", flows)
                    step = 0
                  else
                    step = 0
                  end
                end
                """));
    }

    internal static async Task<string> RunWrkAsync(string script, string url, int threads, int connections, int seconds, int timeoutSeconds = 10)
    {
        var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-t", threads.ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
                     "-d", $"{seconds}s", "--timeout", $"{timeoutSeconds}s", "-s", script, url })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return await output + await errors;
    }

    internal static void Result(string name, double value) => Result(name, value.ToString("F2", CultureInfo.InvariantCulture));

    internal static void Result(string name, string value) => Console.WriteLine($"RESULT {name} {value}");

    internal static void Info(string line) => Console.WriteLine($"INFO {line}");

    internal static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    internal static bool CommandExists(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, name)));

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Academy.Video.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Academy.Video.sln not found above the benchmark's binary.");
    }

    private sealed record Options(int Videos, int Seconds, int WarmupSeconds, int Connections, int FlowConnections, int Port, string? ApiDll, HashSet<string>? Only)
    {
        public static Options? Parse(string[] args)
        {
            var options = new Options(1_000_000, 15, 5, 16, 16, 5391, null, null);
            for (var i = 0; i + 1 < args.Length; i += 2)
            {
                var value = args[i + 1];
                options = args[i] switch
                {
                    "--videos" => options with { Videos = int.Parse(value, CultureInfo.InvariantCulture) },
                    "--seconds" => options with { Seconds = int.Parse(value, CultureInfo.InvariantCulture) },
                    "--warmup" => options with { WarmupSeconds = int.Parse(value, CultureInfo.InvariantCulture) },
                    "--connections" => options with { Connections = int.Parse(value, CultureInfo.InvariantCulture) },
                    "--flow-connections" => options with { FlowConnections = int.Parse(value, CultureInfo.InvariantCulture) },
                    "--port" => options with { Port = int.Parse(value, CultureInfo.InvariantCulture) },
                    "--api-dll" => options with { ApiDll = Path.GetFullPath(value) },
                    "--only" => options with { Only = value.Split(',').ToHashSet(StringComparer.Ordinal) },
                    _ => null,
                };
                if (options is null)
                {
                    return null;
                }
            }

            return args.Length % 2 == 0 ? options : null;
        }
    }
}
