using Academy.Video.Application.Jobs;
using Academy.Video.Infrastructure.Runners;
using Academy.Video.Infrastructure.Runners.Local;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Academy.Video.IntegrationTests.Runners;

/// <summary>Scheduling and reporting of the local runner, with real child processes (<c>/bin/sh</c> scripts standing in for the worker).</summary>
public sealed class LocalProcessJobRunnerTests : IAsyncLifetime
{
    private const string EchoScript = """
        for argument; do last=$argument; done
        echo "argc: $#"
        echo "last: $last"
        echo "env: $VIDEO_JOB_ID"
        echo "extra: $EXTRA"
        echo "work: $Worker__WorkDirectory"
        echo "uploads: $Storage__Local__TemporaryDirectory"
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

    private readonly LocalRunnerTestKit kit = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await kit.DisposeAsync();

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
        var expectedLog = Path.Combine(kit.Work, "logs", jobId.ToString(), runnerJobId + ".log");
        Assert.Equal(expectedLog, status.LogStreamName);
        var log = await File.ReadAllTextAsync(expectedLog);
        Assert.Contains("argc: 2", log, StringComparison.Ordinal); // "--configured-argument" then the job id
        Assert.Contains($"last: {jobId}", log, StringComparison.Ordinal);
        Assert.Contains($"env: {jobId}", log, StringComparison.Ordinal);
        Assert.Contains("extra: from-settings", log, StringComparison.Ordinal);
        Assert.Contains("to stderr", log, StringComparison.Ordinal);
        var workspace = kit.WorkspaceOf(runnerJobId);
        Assert.Contains($"work: {Path.Combine(workspace, "work")}", log, StringComparison.Ordinal);
        Assert.Contains($"uploads: {Path.Combine(workspace, "uploads")}", log, StringComparison.Ordinal);
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

        await File.WriteAllTextAsync(Path.Combine(kit.Work, "release"), string.Empty);
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
        Assert.True(File.Exists(Path.Combine(kit.Work, $"term-{jobId}")), "the child never received SIGTERM");
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
        Assert.True(File.Exists(Path.Combine(kit.Work, $"term-{jobId}")), "the child never received SIGTERM");
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
        await File.WriteAllTextAsync(Path.Combine(kit.Work, "release"), string.Empty);
        var completed = await WaitForAsync(runner, first, s => s.Status is "SUCCEEDED" or "FAILED");

        Assert.Equal(("Superseded", null, null), (terminated.StatusReason, terminated.StartedAt, terminated.ExitCode));
        Assert.False(File.Exists(terminated.LogStreamName), "a terminated RUNNABLE submission must never start");
        Assert.Equal("SUCCEEDED", completed.Status);
    }

    [Fact]
    public async Task An_id_it_does_not_know_is_reported_FAILED_at_once_and_terminate_ignores_it()
    {
        var runner = CreateRunner("exit 0");
        var known = await runner.SubmitAsync(Guid.NewGuid(), "video-known", CancellationToken.None);

        await runner.TerminateAsync("local-from-before-a-restart", "cleanup", CancellationToken.None);
        var statuses = await runner.DescribeAsync(["local-from-before-a-restart", known], CancellationToken.None);

        Assert.Equal(2, statuses.Count);
        var lost = Assert.Single(statuses, s => s.RunnerJobId == "local-from-before-a-restart");
        Assert.Equal(("FAILED", LocalProcessJobRunner.UnknownJobReason), (lost.Status, lost.StatusReason));
        Assert.Contains("unknown to this runner", lost.StatusReason, StringComparison.OrdinalIgnoreCase);
        Assert.Equal((null, null, null), (lost.StartedAt, lost.ExitCode, lost.LogStreamName));
        var real = Assert.Single(statuses, s => s.RunnerJobId == known);
        Assert.NotEqual(LocalProcessJobRunner.UnknownJobReason, real.StatusReason);
    }

    [Fact]
    public async Task Only_the_latest_finished_jobs_are_remembered()
    {
        var runner = CreateRunner("echo \"run of $VIDEO_JOB_ID\"", options =>
        {
            options.MaxConcurrency = 1;
            options.FinishedJobsKept = 2;
        });
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await runner.SubmitAsync(Guid.NewGuid(), $"video-{i}", CancellationToken.None));
            await WaitForAsync(runner, ids[^1], LocalRunnerTestKit.HasEnded); // one at a time, so they finish in order
        }

        var statuses = await runner.DescribeAsync(ids, CancellationToken.None);

        Assert.Equal(ids, statuses.Select(s => s.RunnerJobId));
        Assert.All(statuses.Take(3), s => Assert.Equal(("FAILED", LocalProcessJobRunner.UnknownJobReason), (s.Status, s.StatusReason)));
        Assert.All(statuses.Skip(3), s => Assert.Equal(("SUCCEEDED", 0), (s.Status, s.ExitCode)));
        Assert.All(statuses.Skip(3), s => Assert.True(File.Exists(s.LogStreamName), "forgetting a job must not delete its log"));
    }

    [Fact]
    public async Task Submissions_racing_disposal_are_either_refused_or_stopped_and_waited_for()
    {
        // Each child records its pid, so the test can check that none outlives the DisposeAsync that stopped it.
        const string script = """
            echo $$ >> "$WORK/pids"
            sleep 300 & wait
            """;
        const int submitters = 3;
        var random = new Random(20260504);
        var accepted = 0;
        for (var round = 0; round < 50; round++)
        {
            var runner = CreateRunner(script, options =>
            {
                options.TerminationGracePeriod = TimeSpan.FromSeconds(5);
                options.FinishedJobsKept = 1_000_000; // nothing accepted may be forgotten here
            });
            var firstAccepted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var spin = random.Next(0, 5000);
            // Disposal usually lands before any child has run its first line. The first round waits for one to have
            // recorded its pid, so the check below always has a started child to look at.
            var waitForAStartedChild = round == 0;

            // Every submitter keeps submitting until it is refused, so disposal always lands among submissions.
            var submissions = Enumerable.Range(0, submitters).Select(i => Task.Run(async () =>
            {
                var ids = new List<string>();
                while (true)
                {
                    try
                    {
                        ids.Add(await runner.SubmitAsync(Guid.NewGuid(), $"video-race-{i}", CancellationToken.None));
                        firstAccepted.TrySetResult();
                        await Task.Yield();
                    }
                    catch (ObjectDisposedException)
                    {
                        return ids;
                    }
                }
            })).ToList();
            // On its own thread, so a busy thread pool cannot hold disposal back until the submitters are done.
            var disposal = Task.Factory.StartNew(
                () =>
                {
                    firstAccepted.Task.Wait();
                    if (waitForAStartedChild)
                    {
                        SpinWait.SpinUntil(() => File.Exists(Path.Combine(kit.Work, "pids")), TimeSpan.FromSeconds(60));
                    }

                    Thread.SpinWait(spin);
                    return runner.DisposeAsync().AsTask();
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default).Unwrap();
            await disposal;
            var acceptedIds = (await Task.WhenAll(submissions)).SelectMany(ids => ids).ToList();

            // Once DisposeAsync has returned, everything it accepted has ended, and nothing more is accepted.
            var statuses = await runner.DescribeAsync(acceptedIds, CancellationToken.None);
            Assert.All(statuses, s => Assert.True(
                LocalRunnerTestKit.HasEnded(s) && s.StatusReason != LocalProcessJobRunner.UnknownJobReason, $"{s.RunnerJobId}: {s.Status} {s.StatusReason}"));
            await Assert.ThrowsAsync<ObjectDisposedException>(() => runner.SubmitAsync(Guid.NewGuid(), "video-late", CancellationToken.None));
            accepted += acceptedIds.Count;
        }

        var started = File.ReadAllLines(Path.Combine(kit.Work, "pids")).Select(int.Parse).ToList();
        Assert.NotEmpty(started);
        Assert.All(started, pid => Assert.False(ProcessTable.IsAlive(pid), $"child {pid} outlived the runner's disposal"));
        Assert.InRange(accepted, 50, int.MaxValue);
    }

    [Fact]
    public async Task A_command_that_cannot_start_fails_the_job_with_the_reason()
    {
        var runner = CreateRunner(string.Empty, options => options.Command = Path.Combine(kit.Work, "no-such-worker"));

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

        Assert.True(File.Exists(Path.Combine(kit.Work, $"term-{jobId}")), "the child never received SIGTERM on shutdown");
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
            ["Runner:Local:LogDirectory"] = Path.Combine(kit.Work, "di-logs"),
            ["Runner:Local:WorkDirectory"] = kit.AttemptsDirectory,
        }).Build();
        await using var provider = new ServiceCollection().AddLogging().AddJobRunner(configuration).BuildServiceProvider();
        var jobId = Guid.NewGuid();

        var runner = provider.GetRequiredService<IJobRunner>();
        var runnerJobId = await runner.SubmitAsync(jobId, "video-di", CancellationToken.None);
        var status = await WaitForAsync(runner, runnerJobId, s => s.Status is "SUCCEEDED" or "FAILED");

        Assert.IsType<LocalProcessJobRunner>(runner);
        Assert.Same(runner, provider.GetRequiredService<IJobRunner>());
        Assert.Equal("SUCCEEDED", status.Status);
        Assert.StartsWith(Path.Combine(kit.Work, "di-logs"), status.LogStreamName, StringComparison.Ordinal);
        Assert.Equal($"hello {jobId}", (await File.ReadAllTextAsync(status.LogStreamName!)).Trim());
    }

    [Theory]
    [InlineData("Worker__WorkDirectory")]
    [InlineData("Storage__Local__TemporaryDirectory")]
    [InlineData("VIDEO_JOB_ID")]
    public async Task Settings_that_would_override_a_per_attempt_variable_are_refused(string variable)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Runner:Local:Command"] = "/bin/true",
            [$"Runner:Local:Environment:{variable}"] = "/somewhere/shared",
        }).Build();
        await using var provider = new ServiceCollection().AddLogging().AddJobRunner(configuration).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IJobRunner>());

        Assert.Contains(variable, error.Message, StringComparison.Ordinal);
        Assert.Contains("Runner:Local:WorkDirectory", error.Message, StringComparison.Ordinal);
    }

    private LocalProcessJobRunner CreateRunner(string script, Action<LocalRunnerOptions>? configure = null) => kit.CreateRunner(script, configure);

    private static Task<RunnerJobStatus> WaitForAsync(IJobRunner runner, string runnerJobId, Func<RunnerJobStatus, bool> condition) =>
        LocalRunnerTestKit.WaitForAsync(runner, runnerJobId, condition);

    private static Task<IReadOnlyList<RunnerJobStatus>> WaitForAllAsync(
        IJobRunner runner, IReadOnlyCollection<string> ids, Func<IReadOnlyList<RunnerJobStatus>, bool> condition) =>
        LocalRunnerTestKit.WaitForAllAsync(runner, ids, condition);

    private static Task WaitForLogAsync(IJobRunner runner, string runnerJobId, string text) =>
        LocalRunnerTestKit.WaitForLogAsync(runner, runnerJobId, text);
}
