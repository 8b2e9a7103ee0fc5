using Academy.Video.Infrastructure.Runners.Local;

namespace Academy.Video.IntegrationTests.Runners;

/// <summary>
/// The worker's environment is built from what it reads, not inherited whole: the API's keys never reach the worker
/// or its FFmpeg. The last test starts a real child through the runner and reads the environment it got.
/// </summary>
public sealed class WorkerEnvironmentTests : IAsyncDisposable
{
    /// <summary>An API's environment: what the worker needs and what only the API may hold.</summary>
    private static readonly Dictionary<string, string> ApiEnvironment = new(StringComparer.Ordinal)
    {
        ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin",
        ["HOME"] = "/home/api",
        ["TMPDIR"] = "/tmp",
        ["LC_ALL"] = "C.UTF-8",
        ["DOTNET_gcServer"] = "0",
        ["ConnectionStrings__Postgres"] = "Host=db;Password=the-worker-needs-this",
        ["Storage__Provider"] = "S3",
        ["Storage__S3__SecretKey"] = "storage-secret-the-worker-needs",
        ["worker__heartbeatinterval"] = "00:00:02",
        ["Transcoding__Preset"] = "fast",
        ["Jobs__MaxAttempts"] = "3",
        ["Logging__LogLevel__Default"] = "Information",
        ["Auth__InternalApiKeys__0"] = "internal-key-0123456789",
        ["Auth__ApiKeys__0"] = "client-key-0123456789",
        ["Storage__Local__SigningKey"] = "storage-signing-key",
        ["storage__local__signingkey"] = "storage-signing-key-lower-case",
        ["Playback__SigningKey"] = "playback-signing-key",
        ["Webhooks__SecretEncryptionKey"] = "webhook-secret-key",
        ["ConnectionStrings__Other"] = "Host=elsewhere;Password=not-the-workers",
        ["ASPNETCORE_URLS"] = "http://127.0.0.1:5080",
        ["AWS_SECRET_ACCESS_KEY"] = "the-apis-aws-secret",
        ["VIDEO_JOB_ID"] = "stale-inherited-id",
    };

    private readonly LocalRunnerTestKit kit = new();

    public async ValueTask DisposeAsync() => await kit.DisposeAsync();

    [Theory]
    [InlineData("PATH", true)]
    [InlineData("HOME", true)]
    [InlineData("TMPDIR", true)]
    [InlineData("LC_CTYPE", true)]
    [InlineData("DOTNET_ENVIRONMENT", true)]
    [InlineData("ConnectionStrings__Postgres", true)]
    [InlineData("ConnectionStrings:Postgres", true)]
    [InlineData("CONNECTIONSTRINGS__POSTGRES", true)]
    [InlineData("Storage__Provider", true)]
    [InlineData("Storage__S3__AccessKey", true)]
    [InlineData("Storage__Local__RootPath", true)]
    [InlineData("Worker__HeartbeatInterval", true)]
    [InlineData("Transcoding__FFmpegDirectory", true)]
    [InlineData("Jobs__MaxAttempts", true)]
    [InlineData("Upload__MaxBytes", true)]
    [InlineData("Logging__LogLevel__Default", true)]
    [InlineData("Auth__InternalApiKeys__0", false)]
    [InlineData("Auth__ApiKeys__0", false)]
    [InlineData("Storage__Local__SigningKey", false)]
    [InlineData("STORAGE__LOCAL__SIGNINGKEY", false)]
    [InlineData("Playback__SigningKey", false)]
    [InlineData("Webhooks__SecretEncryptionKey", false)]
    [InlineData("Webhooks__SecretEncryptionKeys__1", false)]
    [InlineData("ConnectionStrings__Other", false)]
    [InlineData("ConnectionStrings__PostgresAdmin", false)]
    [InlineData("StorageX__Provider", false)]
    [InlineData("ASPNETCORE_URLS", false)]
    [InlineData("AWS_SECRET_ACCESS_KEY", false)]
    [InlineData("Runner__Local__Command", false)]
    [InlineData("path", false)]
    public void A_variable_passes_only_when_the_worker_reads_it(string name, bool passes) =>
        Assert.Equal(passes, WorkerEnvironment.Passes(name));

    [Fact]
    public async Task A_started_worker_gets_the_settings_it_reads_and_none_of_the_APIs_secrets()
    {
        var runner = kit.CreateRunner("env; exit 0", () => ApiEnvironment, options => options.Environment["EXTRA"] = "from-settings");
        var jobId = Guid.NewGuid();

        var runnerJobId = await runner.SubmitAsync(jobId, "video-environment", CancellationToken.None);
        var status = await LocalRunnerTestKit.WaitForEndAsync(runner, runnerJobId);

        Assert.Equal("SUCCEEDED", status.Status);
        var log = await File.ReadAllTextAsync(status.LogStreamName!);
        var received = log.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
        var workspace = kit.WorkspaceOf(runnerJobId);
        var expected = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = ApiEnvironment["PATH"],
            ["HOME"] = "/home/api",
            ["TMPDIR"] = "/tmp",
            ["LC_ALL"] = "C.UTF-8",
            ["DOTNET_gcServer"] = "0",
            ["ConnectionStrings__Postgres"] = "Host=db;Password=the-worker-needs-this",
            ["Storage__Provider"] = "S3",
            ["Storage__S3__SecretKey"] = "storage-secret-the-worker-needs",
            ["worker__heartbeatinterval"] = "00:00:02",
            ["Transcoding__Preset"] = "fast",
            ["Jobs__MaxAttempts"] = "3",
            ["Logging__LogLevel__Default"] = "Information",
            ["WORK"] = kit.Work,
            ["EXTRA"] = "from-settings",
            ["VIDEO_JOB_ID"] = jobId.ToString(),
            ["Worker__WorkDirectory"] = Path.Combine(workspace, "work"),
            ["Storage__Local__TemporaryDirectory"] = Path.Combine(workspace, "uploads"),
        };
        // The shell adds its own bookkeeping (PWD, SHLVL, _); everything else came from the runner.
        var fromRunner = received.Where(pair => pair.Key is not ("PWD" or "OLDPWD" or "SHLVL" or "_")).ToDictionary();
        Assert.Equal(expected.OrderBy(pair => pair.Key, StringComparer.Ordinal), fromRunner.OrderBy(pair => pair.Key, StringComparer.Ordinal));
        foreach (var secret in new[] { "internal-key", "client-key", "signing-key", "webhook-secret-key", "not-the-workers", "the-apis-aws-secret" })
        {
            Assert.DoesNotContain(secret, log, StringComparison.Ordinal);
        }
    }
}
