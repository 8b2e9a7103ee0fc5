using Academy.Video.Application.Jobs;
using Academy.Video.Infrastructure.Runners.Local;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Academy.Video.IntegrationTests.Runners;

/// <summary>
/// Local runners whose worker is a <c>/bin/sh</c> script, a scratch folder (<c>$WORK</c> in the scripts) and polling
/// helpers. The scripts receive the runner's arguments as "$@": argv[0] is "worker", the job id is appended last.
/// </summary>
internal sealed class LocalRunnerTestKit : IAsyncDisposable
{
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(60);

    private readonly List<LocalProcessJobRunner> runners = [];

    public string Work { get; } = Directory.CreateTempSubdirectory("runner-tests-").FullName;

    public string LogDirectory => Path.Combine(Work, "logs");

    public string AttemptsDirectory => Path.Combine(Work, "attempts");

    public static bool HasEnded(RunnerJobStatus status) => status.Status is "SUCCEEDED" or "FAILED";

    public string WorkspaceOf(string runnerJobId) => Path.Combine(AttemptsDirectory, runnerJobId);

    public LocalProcessJobRunner CreateRunner(string script, Action<LocalRunnerOptions>? configure = null) =>
        CreateRunner(script, WorkerEnvironment.Current, configure);

    /// <param name="inheritedEnvironment">Stands in for the API's own environment, which the worker's is built from.</param>
    public LocalProcessJobRunner CreateRunner(
        string script, Func<IReadOnlyDictionary<string, string>> inheritedEnvironment, Action<LocalRunnerOptions>? configure = null)
    {
        var options = new LocalRunnerOptions
        {
            Command = "/bin/sh",
            LogDirectory = LogDirectory,
            WorkDirectory = AttemptsDirectory,
            TerminationGracePeriod = TimeSpan.FromSeconds(10),
        };
        options.Arguments.Add("-c");
        options.Arguments.Add(script);
        options.Arguments.Add("worker");
        options.Environment["WORK"] = Work;
        configure?.Invoke(options);
        var runner = new LocalProcessJobRunner(Options.Create(options), inheritedEnvironment, TimeProvider.System, NullLogger<LocalProcessJobRunner>.Instance);
        runners.Add(runner);
        return runner;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var runner in runners)
        {
            await runner.DisposeAsync();
        }

        Directory.Delete(Work, recursive: true);
    }

    public static async Task<RunnerJobStatus> WaitForAsync(IJobRunner runner, string runnerJobId, Func<RunnerJobStatus, bool> condition) =>
        Assert.Single(await WaitForAllAsync(runner, [runnerJobId], statuses => statuses.Count == 1 && condition(statuses[0])));

    public static Task<RunnerJobStatus> WaitForEndAsync(IJobRunner runner, string runnerJobId) => WaitForAsync(runner, runnerJobId, HasEnded);

    /// <summary>Polls Describe until the condition holds; the limit only keeps a broken runner from hanging the suite.</summary>
    public static async Task<IReadOnlyList<RunnerJobStatus>> WaitForAllAsync(
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

    public static async Task WaitForLogAsync(IJobRunner runner, string runnerJobId, string text)
    {
        var status = await WaitForAsync(runner, runnerJobId, s => s.LogStreamName is not null);
        await WaitUntilAsync(
            () => File.Exists(status.LogStreamName) && File.ReadAllText(status.LogStreamName!).Contains(text, StringComparison.Ordinal),
            $"'{text}' in {status.LogStreamName}");
    }

    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? limit = null)
    {
        using var timeout = new CancellationTokenSource(limit ?? WaitLimit);
        while (!condition())
        {
            if (timeout.IsCancellationRequested)
            {
                throw new Xunit.Sdk.XunitException($"Timed out waiting for {what}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(25), CancellationToken.None);
        }
    }
}
