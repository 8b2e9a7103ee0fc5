using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Academy.Video.Infrastructure.Runners.Local;

/// <summary>
/// Runs one submission that holds a slot: starts the worker command in its own process group with its own
/// workspace and log, stops it on terminate, timeout or shutdown, removes the workspace once the group is gone,
/// and records how it ended. The job's ended status is set last, so a reader who sees it sees the cleanup done.
/// </summary>
internal sealed partial class LocalAttempt(
    LocalRunnerOptions options, string workRoot, Func<IReadOnlyDictionary<string, string>> inheritedEnvironment, TimeProvider timeProvider, ILogger logger)
{
    public const string JobIdVariable = "VIDEO_JOB_ID";

    private const string TimeoutReason = "Job attempt duration exceeded timeout";
    private const string ExitedReason = "Essential container in task exited";

    // Output still open once the group is gone belongs to a descendant that left the group; do not wait for it forever.
    private static readonly TimeSpan OutputDrainTimeout = TimeSpan.FromSeconds(5);

    public async Task RunAsync(LocalRunnerJob job)
    {
        var workspace = new AttemptWorkspace(Path.Combine(workRoot, job.RunnerJobId));
        using var log = new AttemptLogSink(job.LogPath);
        ChildProcessSupervisor child;
        try
        {
            child = ChildProcessSupervisor.Start(StartInfo(job, workspace), timeProvider, logger);
        }
        catch (ChildProcessStartException error)
        {
            var reason = $"CannotStartProcessError: {error.Message}";
            log.WriteLine(reason);
            job.Finish(LocalRunnerJob.Failed, reason, exitCode: null, timeProvider.GetUtcNow());
            return;
        }

        ChildProcessExit exit;
        try
        {
            job.MarkRunning(child.Id, timeProvider.GetUtcNow());
            LogStarted(logger, job.RunnerJobId, child.Id, workspace.Root);
            var output = Task.WhenAll(log.CopyFromAsync(child.StandardOutput), log.CopyFromAsync(child.StandardError));
            using (var timeout = new CancellationTokenSource(options.Timeout, timeProvider))
            using (var stop = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, job.StopRequested))
            {
                exit = await child.WaitAsync(options.TerminationGracePeriod, stop.Token).ConfigureAwait(false);
            }

            await DrainAsync(output, job.RunnerJobId).ConfigureAwait(false);
        }
        finally
        {
            child.Dispose();
            if (workspace.TryDelete() is { } error)
            {
                LogWorkspaceLeft(logger, error, job.RunnerJobId, workspace.Root);
            }
        }

        var status = !exit.Stopped && exit.ExitCode == 0 ? LocalRunnerJob.Succeeded : LocalRunnerJob.Failed;
        // A stop without a terminate or shutdown reason was the timeout.
        var endReason = exit.Stopped ? job.StopReason ?? TimeoutReason : ExitedReason;
        job.Finish(status, endReason, exit.ExitCode, timeProvider.GetUtcNow());
        LogFinished(logger, job.RunnerJobId, status, exit.ExitCode);
    }

    private ChildProcessStartInfo StartInfo(LocalRunnerJob job, AttemptWorkspace workspace)
    {
        var jobIdText = job.JobId.ToString("D", CultureInfo.InvariantCulture);
        var perAttempt = new Dictionary<string, string>(workspace.Environment, StringComparer.Ordinal) { [JobIdVariable] = jobIdText };
        var environment = WorkerEnvironment.Build(inheritedEnvironment(), options.Environment, perAttempt);

        // As the Batch job definition's command: the configured arguments, then the job id as the last one.
        return new ChildProcessStartInfo(options.Command, [.. options.Arguments, .. job.Command, jobIdText], environment, options.WorkingDirectory);
    }

    private async Task DrainAsync(Task output, string runnerJobId)
    {
        try
        {
            await output.WaitAsync(OutputDrainTimeout, timeProvider).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogOutputStillOpen(logger, runnerJobId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Local runner started {RunnerJobId} as process group {ProcessId} in {Workspace}")]
    private static partial void LogStarted(ILogger logger, string runnerJobId, int processId, string workspace);

    [LoggerMessage(Level = LogLevel.Information, Message = "Local runner job {RunnerJobId} {Status} with exit code {ExitCode}")]
    private static partial void LogFinished(ILogger logger, string runnerJobId, string status, int exitCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{RunnerJobId} ended but its output is still held open by a process outside its group; log may be incomplete")]
    private static partial void LogOutputStillOpen(ILogger logger, string runnerJobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "{RunnerJobId} ended but its workspace {Workspace} could not be removed")]
    private static partial void LogWorkspaceLeft(ILogger logger, Exception error, string runnerJobId, string workspace);
}
