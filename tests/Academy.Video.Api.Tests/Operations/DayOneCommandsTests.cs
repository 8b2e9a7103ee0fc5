using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Academy.Video.IntegrationTests.Persistence;

namespace Academy.Video.Api.Tests.Operations;

/// <summary>
/// The operator commands as a new operator first runs them on a production server: the API binary as a
/// real process with <c>ASPNETCORE_ENVIRONMENT=Production</c>, <c>Runner:Kind=Batch</c> and S3 storage,
/// no AWS credentials anywhere (no variables, an empty home, no instance role on this machine), AWS and
/// S3 at a port nothing listens on, a real database or none at all. Each answer is a named FAIL, exit 2,
/// no stack trace, within the bound.
/// </summary>
public sealed class DayOneCommandsTests : IAsyncLifetime
{
    /// <summary>The commands' own bound is 60 s; the process gets this long before the test calls it hung.</summary>
    private static readonly TimeSpan ProcessLimit = TimeSpan.FromSeconds(90);

    private readonly string home = Path.Combine(Path.GetTempPath(), "academy-video-day-one", Guid.NewGuid().ToString("N"));
    private readonly string closed = ClosedPortUrl();
    private PostgresDatabase database = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(home);
        database = await PostgresDatabase.CreateAsync();
    }

    public async Task DisposeAsync()
    {
        await database.DisposeAsync();
        Directory.Delete(home, recursive: true);
    }

    [Theory]
    [InlineData("check-settings")]
    [InlineData("validate-system")]
    [InlineData("diagnose-infra")]
    [InlineData("migrate")]
    [InlineData("scan-stuck-jobs")]
    public async Task Without_a_connection_string_every_command_names_it_and_exits_2(string verb)
    {
        var run = await RunAsync(verb, ProductionSettings(connectionString: null));

        Assert.True(run.Exit == 2, run.ToString());
        Assert.Contains("ConnectionStrings:Postgres is not set", run.All, StringComparison.Ordinal);
        Assert.DoesNotContain("55432", run.All, StringComparison.Ordinal); // the development database is neither used nor offered
        AssertNoStackTrace(run);
        if (verb != "check-settings")
        {
            Assert.Equal("", run.Stdout);
            Assert.StartsWith($"{verb}: FAIL ConnectionStrings:Postgres is not set", Assert.Single(run.StderrLines), StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("SETTINGS_CHECK: FAIL", run.StdoutLines);
            Assert.Contains("DATABASE: UNREACHABLE (not probed: ConnectionStrings:Postgres is not set)", run.StdoutLines);
        }
    }

    [Fact]
    public async Task Migrate_refuses_to_run_without_a_connection_string_even_in_local_mode()
    {
        var run = await RunAsync("migrate", ["--LocalMode=true", "--Runner:Kind=Local", "--Storage:Provider=Local"], production: false);

        Assert.True(run.Exit == 2, run.ToString());
        Assert.StartsWith("migrate: FAIL ConnectionStrings:Postgres is not set: migrate changes only a database it is given", Assert.Single(run.StderrLines), StringComparison.Ordinal);
        AssertNoStackTrace(run);
    }

    [Theory]
    [InlineData("validate-system", "IAM_CHECK")]
    [InlineData("diagnose-infra", "AWS_ACCESS")]
    public async Task Without_AWS_credentials_the_AWS_checks_fail_naming_the_chain_tried(string verb, string check)
    {
        var run = await RunAsync(verb, ProductionSettings(database.ConnectionString));

        Assert.True(run.Exit == 2, run.ToString());
        var line = Assert.Single(run.StdoutLines, l => l.StartsWith($"{check}: FAIL", StringComparison.Ordinal));
        Assert.Contains("no AWS credentials: the default chain found none (tried environment AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY", line, StringComparison.Ordinal);
        Assert.Contains("EC2 instance metadata", line, StringComparison.Ordinal);
        Assert.Contains("SYSTEM_STATUS: NEEDS_ATTENTION", run.StdoutLines);
        Assert.DoesNotContain("AmazonClientException", run.All, StringComparison.Ordinal);
        AssertNoStackTrace(run);
    }

    [Fact]
    public async Task Without_AWS_credentials_check_settings_fails_on_the_job_definition_it_cannot_read()
    {
        var run = await RunAsync("check-settings", ProductionSettings(database.ConnectionString));

        Assert.True(run.Exit == 2, run.ToString());
        Assert.Contains(run.StdoutLines, l => l.StartsWith("- Runner:Batch:JobDefinition: the job definition could not be read", StringComparison.Ordinal) && l.Contains("no AWS credentials", StringComparison.Ordinal));
        Assert.StartsWith("DATABASE: OK", Assert.Single(run.StdoutLines, l => l.StartsWith("DATABASE:", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.DoesNotContain(run.StdoutLines, l => l.StartsWith("WARN ", StringComparison.Ordinal)); // every production setting given is one the API reads
        AssertNoStackTrace(run);
    }

    [Fact]
    public async Task With_credentials_and_AWS_unreachable_each_check_fails_in_one_line_and_each_retry_warns_in_one_line()
    {
        var run = await RunAsync("validate-system", [.. ProductionSettings(database.ConnectionString), "--Operations:Aws:MaxRetryAttempts=1", "--Operations:Aws:RetryBaseDelay=00:00:00.010"], credentials: true);

        Assert.True(run.Exit == 2, run.ToString());
        Assert.StartsWith("IAM_CHECK: FAIL (the check could not run: Connection refused", Assert.Single(run.StdoutLines, l => l.StartsWith("IAM_CHECK:", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.StartsWith("STORAGE_CHECK: FAIL", Assert.Single(run.StdoutLines, l => l.StartsWith("STORAGE_CHECK:", StringComparison.Ordinal)), StringComparison.Ordinal);
        var retries = run.StderrLines.Where(l => l.Contains("AWS call failed transiently", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(retries);
        Assert.All(retries, l => Assert.Matches(@"^warn: Academy\.Video\.Operations\.Aws\.\w+\[\d+\] AWS call failed transiently \(HttpRequestException: Connection refused \(127\.0\.0\.1:\d+\)\); retry 1 in 00:00:00\.\d+$", l));
        AssertNoStackTrace(run);
    }

    [Fact]
    public async Task A_command_whose_calls_hang_ends_at_its_bound_with_one_FAIL_line()
    {
        // Accepts connections and never answers: every AWS call waits for its own (30 s) timeout.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/";
        var settings = ProductionSettings(database.ConnectionString, aws: url).Append("--Operations:CommandTimeout=00:00:03").ToArray();

        var run = await RunAsync("diagnose-infra", settings, credentials: true);

        Assert.True(run.Exit == 2, run.ToString());
        Assert.Equal("diagnose-infra: FAIL did not finish within 00:00:03 (Operations:CommandTimeout; a call that hangs is the usual cause: run with --verbose to see which)", Assert.Single(run.StderrLines));
        Assert.True(run.Elapsed < TimeSpan.FromSeconds(20), $"took {run.Elapsed}");
        AssertNoStackTrace(run);
    }

    [Fact]
    public async Task Check_settings_names_a_removed_setting_as_a_warning_and_stays_OK()
    {
        var run = await RunAsync("check-settings",
        [
            $"--ConnectionStrings:Postgres={database.ConnectionString}",
            "--LocalMode=true",
            "--Runner:Kind=Local",
            "--Runner:Local:Command=dotnet",
            $"--Runner:Local:Arguments:0={VideoApiFactory.WorkerDll}",
            $"--Storage:Local:RootPath={home}",
            $"--Auth:ApiKeys:0={VideoApiFactory.ClientKey}",
            $"--Auth:InternalApiKeys:0={VideoApiFactory.InternalKey}",
            "--Uploads:UploadUrlValidFor=00:30:00",
            "--Upload:Expirey=1.00:00:00",
            "--Upload:Expiry=1.00:00:00",
            "--Uploads:MaxSourceBytes=1000000",
            "--Webhooks:Endpoints:0:Url=http://127.0.0.1:9/hook",
            "--Webhooks:Endpoints:0:Secret=a-receiver-secret-0123456789",
            "--Runner:Local:Environment:Jobs__MaxAttempts=5",
        ], production: false);

        Assert.True(run.Exit == 0, run.ToString());
        Assert.Equal(
            new[]
            {
                "WARN Upload:Expirey: not a setting this API reads (removed or misspelt?); it has no effect",
                "WARN Uploads:UploadUrlValidFor: obsolete, no longer read; it has no effect: set Upload:Expiry instead",
            }.Order(StringComparer.Ordinal),
            run.StdoutLines.Where(l => l.StartsWith("WARN ", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Contains("SETTINGS_CHECK: OK", run.StdoutLines);
        Assert.Contains("LocalMode=true (command line)", run.StdoutLines);
        Assert.Contains("Webhooks:AllowPrivateTargets=(unset: allowed: LocalMode=true) (default)", run.StdoutLines);
    }

    [Fact]
    public async Task Check_settings_names_what_LocalMode_cannot_be_combined_with()
    {
        var run = await RunAsync("check-settings",
        [
            $"--ConnectionStrings:Postgres={database.ConnectionString}",
            "--LocalMode=true",
            "--Runner:Kind=Batch",
            "--Runner:Batch:Region=eu-west-1",
            $"--Runner:Batch:ServiceUrl={closed}",
            $"--Storage:Local:RootPath={home}",
            $"--Auth:ApiKeys:0={VideoApiFactory.ClientKey}",
            $"--Auth:InternalApiKeys:0={VideoApiFactory.InternalKey}",
        ]);

        Assert.True(run.Exit == 2, run.ToString());
        Assert.Contains("SETTINGS_CHECK: FAIL", run.StdoutLines);
        Assert.Contains(run.StdoutLines, l => l.StartsWith("- LocalMode=true cannot be combined with Runner:Kind=Batch", StringComparison.Ordinal));
        AssertNoStackTrace(run);
    }

    private static void AssertNoStackTrace(ProcessRun run)
    {
        Assert.DoesNotContain("   at ", run.All, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", run.All, StringComparison.Ordinal);
        Assert.True(run.Elapsed < TimeSpan.FromSeconds(60), $"took {run.Elapsed}");
    }

    /// <summary>Batch runner and S3 storage, every AWS and S3 endpoint at <paramref name="aws"/> (a closed port unless given).</summary>
    private string[] ProductionSettings(string? connectionString, string? aws = null)
    {
        aws ??= closed;
        string[] settings =
        [
            "--Runner:Kind=Batch",
            "--Runner:Batch:Region=eu-west-1",
            $"--Runner:Batch:ServiceUrl={aws}",
            "--Runner:Batch:MaxRetryAttempts=0",
            $"--Operations:Aws:IamServiceUrl={aws}",
            $"--Operations:Aws:StsServiceUrl={aws}",
            $"--Operations:Aws:LogsServiceUrl={aws}",
            "--Storage:Provider=S3",
            $"--Storage:S3:ServiceUrl={aws}",
            "--Storage:S3:Bucket=academy-video",
            "--Storage:S3:AccessKey=storage-access-key",
            "--Storage:S3:SecretKey=storage-secret-key",
            $"--Auth:ApiKeys:0={VideoApiFactory.ClientKey}",
            $"--Auth:InternalApiKeys:0={VideoApiFactory.InternalKey}",
        ];
        return connectionString is null ? settings : [.. settings, $"--ConnectionStrings:Postgres={connectionString}"];
    }

    /// <summary>
    /// The API binary, as an operator runs it, with none of this machine's AWS or database settings: no AWS
    /// variables, a fresh home (no ~/.aws), no connection string variable.
    /// </summary>
    private async Task<ProcessRun> RunAsync(string verb, string[] settings, bool production = true, bool credentials = false)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = home };
        start.ArgumentList.Add(Academy.Video.Testing.RepositoryLayout.ApiDll);
        start.ArgumentList.Add(verb);
        foreach (var setting in settings)
        {
            start.ArgumentList.Add(setting);
        }

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.OrdinalIgnoreCase)
                     || k.StartsWith("ConnectionStrings", StringComparison.OrdinalIgnoreCase)
                     || k.StartsWith("Runner__", StringComparison.OrdinalIgnoreCase)
                     || k.StartsWith("Storage__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["HOME"] = home;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = production ? "Production" : "Development";
        start.Environment["DOTNET_ENVIRONMENT"] = production ? "Production" : "Development";
        if (credentials)
        {
            start.Environment["AWS_ACCESS_KEY_ID"] = "AKIDDAYONETEST";
            start.Environment["AWS_SECRET_ACCESS_KEY"] = "day-one-secret";
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ProcessLimit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"{verb} did not end within {ProcessLimit}");
        }

        return new ProcessRun(process.ExitCode, (await stdout).Trim(), (await stderr).Trim(), clock.Elapsed);
    }

    private static string ClosedPortUrl()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return $"http://127.0.0.1:{port}/";
    }

    private sealed record ProcessRun(int Exit, string Stdout, string Stderr, TimeSpan Elapsed)
    {
        public string All => Stdout + "\n" + Stderr;

        public IReadOnlyList<string> StdoutLines => Stdout.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

        public IReadOnlyList<string> StderrLines => Stderr.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

        public override string ToString() => $"exit {Exit} in {Elapsed}\n{Stdout}\n{Stderr}";
    }
}
