using System.ComponentModel;

namespace Academy.Video.Infrastructure.Runners.Local;

/// <summary>Settings of the embedded runner that starts the worker as a child process (section <c>Runner:Local</c>).</summary>
public sealed class LocalRunnerOptions
{
    public const string SectionName = "Runner:Local";

    /// <summary>The program to start, e.g. <c>dotnet</c> or the worker's apphost.</summary>
    [Description("The program to start, e.g. dotnet or the worker's apphost.")]
    public string Command { get; set; } = "dotnet";

    /// <summary>Arguments before the job id, e.g. the worker dll; the job id is always appended last (argv[1] of the worker).</summary>
    [Description("Arguments before the job id, e.g. the worker dll; the job id is always appended last (argv[1] of the worker).")]
    public IList<string> Arguments { get; } = [];

    public string? WorkingDirectory { get; set; }

    /// <summary>
    /// Added to the child's environment, as Batch adds the job definition's environment. The child does not inherit the
    /// API's environment whole: only what the worker reads passes (<see cref="WorkerEnvironment"/>); anything else it
    /// needs goes here. The variables the runner sets per attempt (the job id and the workspace) are not yours to set.
    /// </summary>
    public IDictionary<string, string> Environment { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The analogue of the compute environment's maxvCpus: submissions beyond it wait RUNNABLE.</summary>
    [Description("The analogue of the compute environment's maxvCpus: submissions beyond it wait RUNNABLE.")]
    public int MaxConcurrency { get; set; } = 2;

    /// <summary>Like the job definition's attemptDurationSeconds (docs/contract.md §3: 14400 s).</summary>
    [Description("Like the job definition's attemptDurationSeconds (docs/contract.md §3: 14400 s).")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(14400);

    /// <summary>Time between SIGTERM and SIGKILL on terminate, timeout or shutdown (Batch/ECS default: 30 s).</summary>
    [Description("Time between SIGTERM and SIGKILL on terminate, timeout or shutdown (Batch/ECS default: 30 s).")]
    public TimeSpan TerminationGracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Each submission's stdout and stderr go to <c>{LogDirectory}/{jobId}/{runnerJobId}.log</c> (<see cref="LocalRunnerLogs.PathFor"/>).</summary>
    [Description("Each submission's stdout and stderr go to {LogDirectory}/{jobId}/{runnerJobId}.log (PathFor).")]
    public string LogDirectory { get; set; } = ".local/runner-logs";

    /// <summary>
    /// Each attempt gets <c>{WorkDirectory}/{runnerJobId}</c> as its scratch space — the worker's work folder and local
    /// storage's partial uploads — removed when the attempt ends. The runner sets the child's <c>Worker__WorkDirectory</c>
    /// and <c>Storage__Local__TemporaryDirectory</c> itself. Keep it on the storage folder's filesystem, so a finished
    /// upload is renamed into place rather than copied.
    /// </summary>
    public string WorkDirectory { get; set; } = ".local/runner-work";

    /// <summary>How many finished submissions Describe still reports; older ones are reported as unknown (FAILED).</summary>
    [Description("How many finished submissions Describe still reports; older ones are reported as unknown (FAILED).")]
    public int FinishedJobsKept { get; set; } = 1000;
}
