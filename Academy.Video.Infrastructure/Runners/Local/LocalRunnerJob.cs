using Academy.Video.Application.Jobs;

namespace Academy.Video.Infrastructure.Runners.Local;

/// <summary>
/// One submission's state as Batch words it: SUBMITTED → RUNNABLE → RUNNING → SUCCEEDED/FAILED. Every read and
/// write goes through <see cref="gate"/>; a stop request is remembered with the first reason given.
/// </summary>
internal sealed class LocalRunnerJob(string runnerJobId, Guid jobId, string jobName, string logPath, IReadOnlyList<string>? command = null)
{
    public const string Succeeded = "SUCCEEDED";
    public const string Failed = "FAILED";

    private readonly Lock gate = new();

    // Not linked to anything, so it never needs disposing: the runner stops each job through it on shutdown.
    private readonly CancellationTokenSource stop = new();
    private string status = "SUBMITTED";
    private string? statusReason;
    private DateTimeOffset? startedAt;
    private DateTimeOffset? stoppedAt;
    private int? exitCode;
    private string? stopReason;

    public string RunnerJobId { get; } = runnerJobId;

    public Guid JobId { get; } = jobId;

    /// <summary>The worker command's words before the id: none for a transcode, <c>caption</c> for a caption generation.</summary>
    public IReadOnlyList<string> Command { get; } = command ?? [];

    public string LogPath { get; } = logPath;

    /// <summary>The background run; set once, by the runner, before anyone can wait for it.</summary>
    public Task Execution { get; set; } = Task.CompletedTask;

    public CancellationToken StopRequested => stop.Token;

    /// <summary>Why the job was asked to stop (terminate or shutdown), or <c>null</c>.</summary>
    public string? StopReason
    {
        get
        {
            lock (gate)
            {
                return stopReason;
            }
        }
    }

    public void MarkRunnable()
    {
        lock (gate)
        {
            if (status == "SUBMITTED")
            {
                status = "RUNNABLE";
            }
        }
    }

    public void MarkRunning(int processId, DateTimeOffset now)
    {
        lock (gate)
        {
            status = "RUNNING";
            statusReason = $"Process {processId}";
            startedAt = now;
        }
    }

    public void Finish(string finalStatus, string reason, int? exitCode, DateTimeOffset now)
    {
        lock (gate)
        {
            status = finalStatus;
            statusReason = reason;
            this.exitCode = exitCode;
            stoppedAt = now;
        }
    }

    /// <summary>Asks the job to stop; a finished job ignores it.</summary>
    public async Task RequestStopAsync(string reason)
    {
        lock (gate)
        {
            if (status is Succeeded or Failed)
            {
                return;
            }

            stopReason ??= reason;
        }

        await stop.CancelAsync().ConfigureAwait(false);
    }

    public RunnerJobStatus Snapshot()
    {
        lock (gate)
        {
            return new RunnerJobStatus(RunnerJobId, jobName, status, statusReason, startedAt, stoppedAt, exitCode, LogPath);
        }
    }
}
