using Academy.Video.Application.Jobs;
using Academy.Video.Infrastructure.Runners;
using Academy.Video.Infrastructure.Runners.Local;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Academy.Video.IntegrationTests.Runners;

/// <summary>Runs real child processes (<c>/bin/sh</c> scripts standing in for the worker).</summary>
public sealed class LocalProcessJobRunnerTests : IAsyncLifetime
{
    // The scripts below receive the runner's arguments as "$@": argv[0] is "worker", the job id is appended last.
    private const string EchoScript = """
        for argument; do last=$argument; done
        echo "argc: $#"
        echo "last: $last"
        echo "env: $VIDEO_JOB_ID"
        echo "extra: $EXTRA"
        echo "to stderr" >&2
        exit "$EXIT_CODE"
        """;

    // Waits (in the background, so the TERM trap runs at once) until told to stop; records the SIGTERM it gets.
    private const string TermTrappingScript = """
        trap 'echo "got TERM"; touch "$WORK/term-$VIDEO_JOB_ID"; kill $child 2>/dev/null; exit 143' TERM
        echo "started"
        sleep 300 &
        child=$!
        wait $child
        """;

    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(60);

    private readonly string work = Directory.CreateTempSubdirectory("runner-tests-").FullName;
    private readonly List<LocalProcessJobRunner> runners = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var runner in runners)
        {
            await runner.DisposeAsync();
        }

        Directory.Delete(work, recursive: true);
    }

    [Theory]
    [InlineData(0, "SUCCEEDED")]
    [InlineData(3, "FAILED")]
    public async Task Runs_the_worker_command_with_the_job_id_and_reports_its_exit(int exitCode, string expectedStatus)
    {
        var runner = CreateRunner(EchoScript, options =>
        {
            options.Arguments.Add("--configured-argument");
            options.Environment["EXTRA"] = "from-settings";
            options.Environment["EXIT_CODE"] = exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        });
        var jobId = Guid.NewGuid();

        var runnerJobId = await runner.SubmitAsync(jobId, $"video-{jobId.ToString()[..8]}", CancellationToken.None);
        var status = await WaitForAsync(runner, runnerJobId, s => s.Status is "SUCCEEDED" or "FAILED");

        Assert.StartsWith(LocalProcessJobRunner.RunnerJobIdPrefix, runnerJobId, StringComparison.Ordinal);
        Assert.Equal(expectedStatus, status.Status);
        Assert.Equal(exitCode, status.ExitCode);
        Assert.Equal($"video-{jobId.ToString()[..8]}", status.JobName);
        Assert.NotNull(status.StartedAt);
        Assert.NotNull(status.StoppedAt);
        var expectedLog = Path.Combine(work, "logs", jobId.ToString(), runnerJobId + ".log");
        Assert.Equal(expectedLog, status.LogStreamName);
        var log = await File.ReadAllTextAsync(expectedLog);
        Assert.Contains("argc: 2", log, StringComparison.Ordinal); // "--configured-argument" then the job id
        Assert.Contains($"last: {jobId}", log, StringComparison.Ordinal);
        Assert.Contains($"env: {jobId}", log, StringComparison.Ordinal);
        Assert.Contains("extra: from-settings", log, StringComparison.Ordinal);
        Assert.Contains("to stderr", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_submission_of_the_same_job_gets_its_own_id_and_log_file()
    {
        var runner = CreateRunner("echo \"run of $VIDEO_JOB_ID\"");
        var jobId = Guid.NewGuid();

        var first = await runner.SubmitAsync(jobId, "video-x", CancellationToken.None);
        var second = await runner.SubmitAsync(jobId, "video-x", CancellationToken.None);
        var statuses = new[]
        {
            await WaitForAsync(runner, first, s => s.Status == "SUCCEEDED"),
            await WaitForAsync(runner, second, s => s.Status == "SUCCEEDED"),
        };

        Assert.NotEqual(first, second);
        Assert.Equal(2, statuses.Select(s => s.LogStreamName).Distinct().Count());
        Assert.All(statuses, s => Assert.Contains($"run of {jobId}", File.ReadAllText(s.LogStreamName!), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Submissions_beyond_MaxConcurrency_wait_RUNNABLE_and_never_overlap()
    {
        // mkdir is atomic: a second worker running at the same time fails with exit 3 instead of waiting.
        const string script = """
            mkdir "$WORK/running" || { echo "overlap"; exit 3; }
            while [ ! -f "$WORK/release" ]; do sleep 0.05; done
            rmdir "$WORK/running"
            """;
        var runner = CreateRunner(script, options => options.MaxConcurrency = 1);

        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await runner.SubmitAsync(Guid.NewGuid(), $"video-{i}", CancellationToken.None));
        }

        var waiting = await WaitForAllAsync(runner, ids,
            statuses => statuses.Count(s => s.Status == "RUNNING") == 1 && statuses.Count(s => s.Status == "RUNNABLE") == 2);
        Assert.All(waiting.Where(s => s.Status == "RUNNABLE"), s =>
        {
            Assert.Null(s.StartedAt);
            Assert.Null(s.ExitCode);
        });

        await File.WriteAllTextAsync(Path.Combine(work, "release"), string.Empty);
        var finished = await WaitForAllAsync(runner, ids, statuses => statuses.All(s => s.Status is "SUCCEEDED" or "FAILED"));

        Assert.All(finished, s => Assert.Equal(("SUCCEEDED", 0), (s.Status, s.ExitCode)));
    }

    [Fact]
    public async Task A_child_past_its_timeout_gets_SIGTERM_and_the_job_fails()
    {
        var runner = CreateRunner(TermTrappingScript, options =>
        {
            options.Timeout = TimeSpan.FromSeconds(1);
            options.TerminationGracePeriod = TimeSpan.FromSeconds(30);
        });
        var jobId = Guid.NewGuid();

        var runnerJobId = await runner.SubmitAsync(jobId, "video-timeout", CancellationToken.None);
        var status = await WaitForAsync(runner, runnerJobId, s => s.Status is "SUCCEEDED" or "FAILED");

        Assert.Equal("FAILED", status.Status);
        Assert.Contains("timeout", status.StatusReason, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(143, status.ExitCode);
        Assert.True(File.Exists(Path.Combine(work, $"term-{jobId}")), "the child never received SIGTERM");
        Assert.Contains("got TERM", await File.ReadAllTextAsync(status.LogStreamName!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Terminate_sends_SIGTERM_and_records_the_reason()
    {
        var runner = CreateRunner(TermTrappingScript);
        var jobId = Guid.NewGuid();
        var runnerJobId = await runner.SubmitAsync(jobId, "video-term", CancellationToken.None);
        await WaitForAsync(runner, runnerJobId, s => s.Status == "RUNNING");
        await WaitForLogAsync(runner, runnerJobId, "started");

        await runner.TerminateAsync(runnerJobId, "Video deleted by operator", CancellationToken.None);
        var status = await WaitForAsync(runner, runnerJobId, s => s.Status is "SUCCEEDED" or "FAILED");

        Assert.Equal(("FAILED", "Video deleted by operator", 143), (status.Status, status.StatusReason, status.ExitCode));
        Assert.True(File.Exists(Path.Combine(work, $"term-{jobId}")), "the child never received SIGTERM");
    }

    [Fact]
    public async Task A_child_ignoring_SIGTERM_is_killed_after_the_grace_period()
    {
        var runner = CreateRunner("trap '' TERM; echo started; sleep 300", options =>
            options.TerminationGracePeriod = TimeSpan.FromMilliseconds(500));
        var runnerJobId = await runner.SubmitAsync(Guid.NewGuid(), "video-stubborn", CancellationToken.None);
        await WaitForLogAsync(runner, runnerJobId, "started");

        await runner.TerminateAsync(runnerJobId, "stop", CancellationToken.None);
        var status = await WaitForAsync(runner, runnerJobId, s => s.Status is "SUCCEEDED" or "FAILED");

        Assert.Equal(("FAILED", 128 + 9), (status.Status, status.ExitCode));
    }

    [Fact]
    public async Task Terminating_a_RUNNABLE_submission_fails_it_without_starting_it()
    {
        var runner = CreateRunner("""
            echo "started $VIDEO_JOB_ID"
            while [ ! -f "$WORK/release" ]; do sleep 0.05; done
            """, options => options.MaxConcurrency = 1);
        var first = await runner.SubmitAsync(Guid.NewGuid(), "video-first", CancellationToken.None);
        await WaitForAsync(runner, first, s => s.Status == "RUNNING");
        var second = await runner.SubmitAsync(Guid.NewGuid(), "video-second", CancellationToken.None);
        await WaitForAsync(runner, second, s => s.Status == "RUNNABLE");

        await runner.TerminateAsync(second, "Superseded", CancellationToken.None);
        var terminated = await WaitForAsync(runner, second, s => s.Status == "FAILED");
        await File.WriteAllTextAsync(Path.Combine(work, "release"), string.Empty);
        var completed = await WaitForAsync(runner, first, s => s.Status is "SUCCEEDED" or "FAILED");

        Assert.Equal(("Superseded", null, null), (terminated.StatusReason, terminated.StartedAt, terminated.ExitCode));
        Assert.False(File.Exists(terminated.LogStreamName), "a terminated RUNNABLE submission must never start");
        Assert.Equal("SUCCEEDED", completed.Status);
    }

    [Fact]
    public async Task Describe_omits_ids_it_does_not_know_and_terminate_ignores_them()
    {
        var runner = CreateRunner("exit 0");
        var known = await runner.SubmitAsync(Guid.NewGuid(), "video-known", CancellationToken.None);

        await runner.TerminateAsync("local-from-before-a-restart", "cleanup", CancellationToken.None);
        var statuses = await runner.DescribeAsync(["local-from-before-a-restart", known], CancellationToken.None);

        Assert.Equal(known, Assert.Single(statuses).RunnerJobId);
    }

    [Fact]
    public async Task A_command_that_cannot_start_fails_the_job_with_the_reason()
    {
        var runner = CreateRunner(string.Empty, options => options.Command = Path.Combine(work, "no-such-worker"));

        var runnerJobId = await runner.SubmitAsync(Guid.NewGuid(), "video-missing", CancellationToken.None);
        var status = await WaitForAsync(runner, runnerJobId, s => s.Status is "SUCCEEDED" or "FAILED");

        Assert.Equal("FAILED", status.Status);
        Assert.StartsWith("CannotStartProcessError", status.StatusReason, StringComparison.Ordinal);
        Assert.Contains("no-such-worker", await File.ReadAllTextAsync(status.LogStreamName!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disposing_the_runner_terminates_running_children()
    {
        var runner = CreateRunner(TermTrappingScript);
        var jobId = Guid.NewGuid();
        var runnerJobId = await runner.SubmitAsync(jobId, "video-shutdown", CancellationToken.None);
        await WaitForLogAsync(runner, runnerJobId, "started");

        await runner.DisposeAsync();

        Assert.True(File.Exists(Path.Combine(work, $"term-{jobId}")), "the child never received SIGTERM on shutdown");
        var status = Assert.Single(await runner.DescribeAsync([runnerJobId], CancellationToken.None));
        Assert.Equal("FAILED", status.Status);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => runner.SubmitAsync(jobId, "video-late", CancellationToken.None));
    }

    [Fact]
    public async Task AddJobRunner_registers_the_local_runner_as_one_singleton_by_default()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Runner:Local:Command"] = "/bin/sh",
            ["Runner:Local:Arguments:0"] = "-c",
            ["Runner:Local:Arguments:1"] = "echo \"$GREETING $1\"",
            ["Runner:Local:Arguments:2"] = "worker",
            ["Runner:Local:Environment:GREETING"] = "hello",
            ["Runner:Local:MaxConcurrency"] = "1",
            ["Runner:Local:LogDirectory"] = Path.Combine(work, "di-logs"),
        }).Build();
        await using var provider = new ServiceCollection().AddLogging().AddJobRunner(configuration).BuildServiceProvider();
        var jobId = Guid.NewGuid();

        var runner = provider.GetRequiredService<IJobRunner>();
        var runnerJobId = await runner.SubmitAsync(jobId, "video-di", CancellationToken.None);
        var status = await WaitForAsync(runner, runnerJobId, s => s.Status is "SUCCEEDED" or "FAILED");

        Assert.IsType<LocalProcessJobRunner>(runner);
        Assert.Same(runner, provider.GetRequiredService<IJobRunner>());
        Assert.Equal("SUCCEEDED", status.Status);
        Assert.StartsWith(Path.Combine(work, "di-logs"), status.LogStreamName, StringComparison.Ordinal);
        Assert.Equal($"hello {jobId}", (await File.ReadAllTextAsync(status.LogStreamName!)).Trim());
    }

    private LocalProcessJobRunner CreateRunner(string script, Action<LocalRunnerOptions>? configure = null)
    {
        var options = new LocalRunnerOptions
        {
            Command = "/bin/sh",
            LogDirectory = Path.Combine(work, "logs"),
            TerminationGracePeriod = TimeSpan.FromSeconds(10),
        };
        options.Arguments.Add("-c");
        options.Arguments.Add(script);
        options.Arguments.Add("worker");
        options.Environment["WORK"] = work;
        configure?.Invoke(options);
        var runner = new LocalProcessJobRunner(Options.Create(options), TimeProvider.System, NullLogger<LocalProcessJobRunner>.Instance);
        runners.Add(runner);
        return runner;
    }

    private static async Task<RunnerJobStatus> WaitForAsync(IJobRunner runner, string runnerJobId, Func<RunnerJobStatus, bool> condition) =>
        Assert.Single(await WaitForAllAsync(runner, [runnerJobId], statuses => statuses.Count == 1 && condition(statuses[0])));

    /// <summary>Polls Describe until the condition holds; the limit only keeps a broken runner from hanging the suite.</summary>
    private static async Task<IReadOnlyList<RunnerJobStatus>> WaitForAllAsync(
        IJobRunner runner, IReadOnlyCollection<string> ids, Func<IReadOnlyList<RunnerJobStatus>, bool> condition)
    {
        using var limit = new CancellationTokenSource(WaitLimit);
        IReadOnlyList<RunnerJobStatus> statuses = [];
        while (!limit.IsCancellationRequested)
        {
            statuses = await runner.DescribeAsync(ids, CancellationToken.None);
            if (condition(statuses))
            {
                return statuses;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(25), CancellationToken.None);
        }

        throw new Xunit.Sdk.XunitException(
            "Runner never reached the expected state; last: " + string.Join("; ", statuses.Select(s => $"{s.RunnerJobId} {s.Status} {s.StatusReason}")));
    }

    private static async Task WaitForLogAsync(IJobRunner runner, string runnerJobId, string text)
    {
        var status = await WaitForAsync(runner, runnerJobId, s => s.LogStreamName is not null);
        using var limit = new CancellationTokenSource(WaitLimit);
        while (!limit.IsCancellationRequested)
        {
            if (File.Exists(status.LogStreamName) && (await File.ReadAllTextAsync(status.LogStreamName!)).Contains(text, StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(25), CancellationToken.None);
        }

        throw new Xunit.Sdk.XunitException($"'{text}' never appeared in {status.LogStreamName}");
    }
}
