using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Academy.Video.IntegrationTests.Media;
using Academy.Video.IntegrationTests.Persistence;
using Npgsql;

namespace Academy.Video.Api.Tests.Operations;

/// <summary>
/// The operator commands in local mode (local runner, local storage), as the demo user runs them:
/// after a real upload to READY (real worker, FFmpeg, PostgreSQL), with a lost submission, with the
/// canary, and with the database down (the API binary as a real process).
/// </summary>
public sealed class LocalOperationsTests(VideoApiFactory api) : IClassFixture<VideoApiFactory>
{
    [Fact]
    public async Task After_a_real_flow_to_READY_validate_system_is_OK_and_the_health_summary_says_so()
    {
        var flow = new VideoFlow(api.ClientWithKey());
        var videoId = await flow.CreateAndUploadAsync(TestClips.Generate(320, 240, 2));
        await flow.CompleteUploadAsync(videoId);
        var ready = await flow.WaitForStatusAsync(videoId, "READY");
        var jobId = ready.GetProperty("job").GetProperty("jobId").GetGuid();

        var run = await OperationsRun.RunAsync("validate-system", LocalSettings(api.ConnectionString, api.StorageRoot, Path.Combine(api.Root, "runner-logs")));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("SYSTEM_STATUS: OK", run.Lines);
        Assert.Equal($"LOG_CHECK: OK (job {jobId} attempt 1: BATCH_PROCESS_START=True BATCH_JOB_COMPLETED=True)", run.Check("LOG_CHECK"));
        foreach (var check in new[] { "DB_CHECK", "RUNNER_CHECK", "STUCK_CHECK", "STORAGE_CHECK" })
        {
            Assert.StartsWith($"{check}: OK", run.Check(check), StringComparison.Ordinal);
        }

        Assert.Equal("IAM_CHECK: SKIP (Runner:Kind is Local: no AWS account in use)", run.Check("IAM_CHECK"));

        // The API's own runner knows its jobs, so the endpoint describes them too.
        var client = api.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/internal/video/health-summary")).StatusCode);
        client.DefaultRequestHeaders.Add("X-Internal-Api-Key", VideoApiFactory.InternalKey);
        var response = await client.GetAsync("/api/v1/internal/video/health-summary");
        var summary = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("validate-system", summary.GetProperty("command").GetString());
        Assert.Equal("OK", summary.GetProperty("systemStatus").GetString());
        var checks = summary.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString());
        Assert.Equal("OK", checks["RUNNER_CHECK"]);
        Assert.Equal("OK", checks["LOG_CHECK"]);
        Assert.Equal("SKIP", checks["IAM_CHECK"]);
        Assert.Contains(summary.GetProperty("steps").EnumerateArray(), s => s.GetProperty("lines").EnumerateArray().Any(l => l.GetString()!.StartsWith("Local runner: described 1 of 1", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_QUEUED_job_left_without_a_runner_id_past_the_grace_fails_DB_CHECK_with_the_seed_hint_and_exit_2()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var jobId = await OperationsRows.QueuedAsync(database.DataSource, TimeSpan.FromMinutes(5));
        var root = TempDirectory();

        var text = await OperationsRun.RunAsync("validate-system", LocalSettings(database.ConnectionString, Path.Combine(root, "storage"), Path.Combine(root, "logs")));
        var json = await OperationsRun.RunAsync("validate-system", LocalSettings(database.ConnectionString, Path.Combine(root, "storage"), Path.Combine(root, "logs")), "--json");

        Assert.True(text.ExitCode == 2, text.ToString());
        Assert.Equal("DB_CHECK: FAIL (1 QUEUED job(s) without a runner id past the 00:02:00 grace period)", text.Check("DB_CHECK"));
        Assert.Contains(text.Hints, h => h.StartsWith("- DB_CHECK: QUEUED jobs have an empty aws_batch_job_id: the submission failed or its id was never stored.", StringComparison.Ordinal));
        Assert.Contains("SYSTEM_STATUS: NEEDS_ATTENTION", text.Lines);
        Assert.Equal("LOG_CHECK: SKIP (no job has SUCCEEDED yet)", text.Check("LOG_CHECK"));

        Assert.Equal(2, json.ExitCode);
        using var document = JsonDocument.Parse(json.Output);
        Assert.Equal("NEEDS_ATTENTION", document.RootElement.GetProperty("systemStatus").GetString());
        var broken = document.RootElement.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("title").GetString() == "Jobs breaking the rules");
        var row = Assert.Single(broken.GetProperty("jobs").EnumerateArray());
        Assert.Equal((jobId, "QUEUED", JsonValueKind.Null), (row.GetProperty("id").GetGuid(), row.GetProperty("state").GetString(), row.GetProperty("awsBatchJobId").ValueKind));
        Assert.StartsWith("QUEUED_WITHOUT_RUNNER_ID", row.GetProperty("rule").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diagnose_infra_smoke_submit_runs_the_canary_through_the_local_runner_to_READY_and_deletes_it()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var root = TempDirectory();
        var storage = Path.Combine(root, "storage");
        var settings = LocalSettings(database.ConnectionString, storage, Path.Combine(root, "logs")).Concat(
        [
            // The worker child gets the database and storage the way Batch gives them: its environment.
            new("Runner:Local:Environment:ConnectionStrings__Postgres", database.ConnectionString),
            new("Runner:Local:Environment:Storage__Provider", "Local"),
            new("Runner:Local:Environment:Storage__Local__RootPath", storage),
            new("Runner:Local:WorkDirectory", Path.Combine(root, "work")),
            new("Operations:CanaryPollInterval", "00:00:00.200"),
        ]);

        var run = await OperationsRun.RunAsync("diagnose-infra", settings, "--smoke-submit");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"^SMOKE_SUBMIT_CHECK: OK \(canary READY in [0-9.]+ s \(.*RUNNING [0-9.]+ s -> SUCCEEDED\); canary video [0-9a-f-]{36} deleted with its objects \([1-9][0-9]* removed\)\)$", run.Check("SMOKE_SUBMIT_CHECK"));
        Assert.Equal("AWS_ACCESS: SKIP (Runner:Kind is Local: no AWS account in use)", run.Check("AWS_ACCESS"));
        Assert.Contains("video READY", run.Lines);

        await using var command = database.DataSource.CreateCommand("SELECT v.status, j.state FROM videos v JOIN video_transcode_jobs j ON j.id = v.current_job_id");
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(("DELETED", "SUCCEEDED"), (reader.GetString(0), reader.GetString(1)));
        Assert.False(await reader.ReadAsync());
        Assert.Empty(Directory.Exists(Path.Combine(storage, "videos")) ? Directory.EnumerateFiles(Path.Combine(storage, "videos"), "*", SearchOption.AllDirectories) : []);

        // The canary's log is the newest SUCCEEDED job's now: LOG_CONTENT_CHECK reads it.
        var again = await OperationsRun.RunAsync("diagnose-infra", settings);
        Assert.StartsWith("LOG_CONTENT_CHECK: OK", again.Check("LOG_CONTENT_CHECK"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("validate-system")]
    [InlineData("diagnose-infra")]
    [InlineData("diagnose-infra", "--smoke-submit")]
    [InlineData("migrate")]
    [InlineData("scan-stuck-jobs", "--dry-run")]
    public async Task With_the_database_down_every_command_says_so_in_one_line(string verb, string? flag = null)
    {
        var (exit, stdout, stderr) = await RunApiProcessAsync(ClosedPortConnectionString(), verb, flag);

        Assert.True(exit == 3, $"exit {exit}\n{stdout}\n{stderr}");
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"{verb}: DATABASE_UNAVAILABLE: the database is unreachable: 127.0.0.1:", line, StringComparison.Ordinal);
        Assert.Contains("Connection refused", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_database_down_check_settings_lists_the_settings_and_says_so_in_one_line()
    {
        var (exit, stdout, stderr) = await RunApiProcessAsync(ClosedPortConnectionString(), "check-settings", null);

        Assert.True(exit == 3, $"exit {exit}\n{stdout}\n{stderr}");
        Assert.Equal("", stderr);
        var database = Assert.Single(stdout.Split('\n'), l => l.StartsWith("DATABASE:", StringComparison.Ordinal));
        Assert.StartsWith("DATABASE: UNREACHABLE (127.0.0.1:", database, StringComparison.Ordinal);
        Assert.Contains("Connection refused", database, StringComparison.Ordinal);
        Assert.Contains("SETTINGS_CHECK: OK", stdout, StringComparison.Ordinal);
        Assert.Contains(stdout.Split('\n'), l => l.Contains("Webhooks:Retention", StringComparison.Ordinal) && l.Contains("30.00:00:00", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_database_down_the_json_document_says_so()
    {
        var (exit, stdout, stderr) = await RunApiProcessAsync(ClosedPortConnectionString(), "validate-system", "--json");

        Assert.Equal(3, exit);
        Assert.Equal("", stderr);
        using var document = JsonDocument.Parse(stdout);
        Assert.Equal("DATABASE_UNAVAILABLE", document.RootElement.GetProperty("status").GetString());
        Assert.Contains("Connection refused", document.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    private static IEnumerable<KeyValuePair<string, string?>> LocalSettings(string connectionString, string storage, string logs) =>
    [
        new("ConnectionStrings:Postgres", connectionString),
        new("LocalMode", "true"),
        new("Storage:Provider", "Local"),
        new("Storage:Local:RootPath", storage),
        new("Runner:Kind", "Local"),
        new("Runner:Local:Command", "dotnet"),
        new("Runner:Local:Arguments:0", VideoApiFactory.WorkerDll),
        new("Runner:Local:LogDirectory", logs),
        new("Auth:ApiKeys:0", VideoApiFactory.ClientKey),
        new("Auth:InternalApiKeys:0", VideoApiFactory.InternalKey),
    ];

    private static string TempDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "academy-video-ops-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>A port nothing listens on: bound once to find it free, then released.</summary>
    private static string ClosedPortConnectionString()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = "postgres", Database = "academy_video" }.ConnectionString;
    }

    /// <summary>The API binary as an operator runs it: <c>dotnet Academy.Video.Api.dll &lt;verb&gt; [flag] --Key=value</c>.</summary>
    private static async Task<(int Exit, string Stdout, string Stderr)> RunApiProcessAsync(string connectionString, string verb, string? flag)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Path.GetTempPath() };
        start.ArgumentList.Add(Academy.Video.Testing.RepositoryLayout.ApiDll);
        start.ArgumentList.Add(verb);
        if (flag is not null)
        {
            start.ArgumentList.Add(flag);
        }

        start.ArgumentList.Add($"--ConnectionStrings:Postgres={connectionString}");
        start.ArgumentList.Add("--LocalMode=true");
        start.ArgumentList.Add($"--Auth:ApiKeys:0={VideoApiFactory.ClientKey}");
        start.ArgumentList.Add($"--Auth:InternalApiKeys:0={VideoApiFactory.InternalKey}");
        start.ArgumentList.Add($"--Runner:Local:Arguments:0={VideoApiFactory.WorkerDll}");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, (await stdout).Trim(), (await stderr).Trim());
    }
}
