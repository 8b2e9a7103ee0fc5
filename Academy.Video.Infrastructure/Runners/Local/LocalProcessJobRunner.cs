using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Academy.Video.Application.Jobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Academy.Video.Infrastructure.Runners.Local;

/// <summary>
/// The embedded runner: starts the same command the Batch job definition runs (<c>worker &lt;job_id&gt;</c>) as a
/// child process, with Batch's observable behaviour — fake Batch ids, SUBMITTED → RUNNABLE → RUNNING →
/// SUCCEEDED/FAILED, a concurrency cap, a timeout, SIGTERM then SIGKILL, one log per submission.
/// Register it as a singleton: children run on background tasks that outlive the submitting request, and
/// disposing the runner (host shutdown) stops them.
/// Its memory is process-local: after a restart Describe omits the old ids, as Batch omits unknown ids.
/// </summary>
public sealed partial class LocalProcessJobRunner : IJobRunner, IAsyncDisposable, IDisposable
{
    public const string RunnerJobIdPrefix = "local-";
    public const string JobIdVariable = "VIDEO_JOB_ID";

    private const string TimeoutReason = "Job attempt duration exceeded timeout";
    private const string ShutdownReason = "Runner shutting down";
    private const string ExitedReason = "Essential container in task exited";

    // Output still open after the child exited belongs to a grandchild that kept the pipe; do not wait for it forever.
    private static readonly TimeSpan OutputDrainTimeout = TimeSpan.FromSeconds(5);

    private readonly LocalRunnerOptions options;
    private readonly TimeProvider timeProvider;
    private readonly ILogger<LocalProcessJobRunner> logger;
    private readonly string logDirectory;
    private readonly SemaphoreSlim slots;
    private readonly ConcurrentDictionary<string, LocalJob> jobs = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource shutdown = new();
    private int disposed;

    public LocalProcessJobRunner(
        IOptions<LocalRunnerOptions> options, TimeProvider timeProvider, ILogger<LocalProcessJobRunner> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options.Value;
        ArgumentOutOfRangeException.ThrowIfLessThan(this.options.MaxConcurrency, 1, nameof(options));
        this.timeProvider = timeProvider;
        this.logger = logger;
        logDirectory = Path.GetFullPath(this.options.LogDirectory);
        slots = new SemaphoreSlim(this.options.MaxConcurrency, this.options.MaxConcurrency);
    }

    public Task<string> SubmitAsync(Guid jobId, string jobName, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();

        var runnerJobId = RunnerJobIdPrefix + Guid.NewGuid().ToString("D", CultureInfo.InvariantCulture);
        var jobDirectory = Path.Combine(logDirectory, jobId.ToString("D", CultureInfo.InvariantCulture));
        try
        {
            Directory.CreateDirectory(jobDirectory);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new JobSubmissionException($"Local runner cannot create its log directory {jobDirectory}: {error.Message}", error);
        }

        var job = new LocalJob(runnerJobId, jobId, jobName, Path.Combine(jobDirectory, runnerJobId + ".log"), shutdown.Token);
        // Not the request's token: the submission outlives the HTTP request that asked for it.
        job.Execution = Task.Run(() => RunAsync(job), CancellationToken.None);
        jobs[runnerJobId] = job;
        LogSubmitted(logger, runnerJobId, jobId, job.LogPath);
        return Task.FromResult(runnerJobId);
    }

    public async Task TerminateAsync(string runnerJobId, string reason, CancellationToken cancellationToken)
    {
        if (!jobs.TryGetValue(runnerJobId, out var job))
        {
            LogTerminateUnknown(logger, runnerJobId);
            return;
        }

        LogTerminateRequested(logger, runnerJobId, reason);
        await job.RequestTerminationAsync(reason).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<RunnerJobStatus>> DescribeAsync(
        IReadOnlyCollection<string> runnerJobIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runnerJobIds);
        IReadOnlyList<RunnerJobStatus> statuses = runnerJobIds
            .Distinct(StringComparer.Ordinal)
            .Select(id => jobs.TryGetValue(id, out var job) ? job.Snapshot() : null)
            .OfType<RunnerJobStatus>()
            .ToList();
        return Task.FromResult(statuses);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await shutdown.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(jobs.Values.Select(job => job.Execution)).ConfigureAwait(false);
        foreach (var job in jobs.Values)
        {
            job.Dispose();
        }

        shutdown.Dispose();
        slots.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task RunAsync(LocalJob job)
    {
        try
        {
            job.MarkRunnable();
            try
            {
                await slots.WaitAsync(job.Cancellation.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                job.Finish("FAILED", job.TerminationReason ?? ShutdownReason, exitCode: null, stoppedAt: timeProvider.GetUtcNow());
                return;
            }

            try
            {
                await RunProcessAsync(job).ConfigureAwait(false);
            }
            finally
            {
                slots.Release();
            }
        }
#pragma warning disable CA1031 // A background run has no caller to throw to: the failure becomes the job's FAILED status.
        catch (Exception error)
#pragma warning restore CA1031
        {
            LogRunFailed(logger, error, job.RunnerJobId);
            job.Finish("FAILED", $"Local runner error: {error.Message}", exitCode: null, stoppedAt: timeProvider.GetUtcNow());
        }
    }

    private async Task RunProcessAsync(LocalJob job)
    {
        var startInfo = new ProcessStartInfo(options.Command)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = options.WorkingDirectory ?? string.Empty,
        };
        foreach (var argument in options.Arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var jobIdText = job.JobId.ToString("D", CultureInfo.InvariantCulture);
        startInfo.ArgumentList.Add(jobIdText);
        foreach (var (name, value) in options.Environment)
        {
            startInfo.Environment[name] = value;
        }

        startInfo.Environment[JobIdVariable] = jobIdText;

        using var log = new LogSink(job.LogPath);
        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception error)
        {
            var reason = $"CannotStartProcessError: {options.Command}: {error.Message}";
            log.WriteLine(reason);
            job.Finish("FAILED", reason, exitCode: null, stoppedAt: timeProvider.GetUtcNow());
            return;
        }

        job.MarkRunning(process.Id, timeProvider.GetUtcNow());
        LogStarted(logger, job.RunnerJobId, process.Id);
        var copyOutput = log.CopyFromAsync(process.StandardOutput.BaseStream);
        var copyError = log.CopyFromAsync(process.StandardError.BaseStream);

        string? stopReason = null;
        using (var timeout = new CancellationTokenSource(options.Timeout, timeProvider))
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, job.Cancellation.Token))
        {
            try
            {
                await process.WaitForExitAsync(stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                stopReason = job.Cancellation.IsCancellationRequested ? job.TerminationReason ?? ShutdownReason : TimeoutReason;
                await StopProcessAsync(process, job.RunnerJobId, stopReason).ConfigureAwait(false);
            }
        }

        try
        {
            await Task.WhenAll(copyOutput, copyError).WaitAsync(OutputDrainTimeout, timeProvider).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogOutputStillOpen(logger, job.RunnerJobId);
        }

        var exitCode = process.ExitCode;
        var status = stopReason is null && exitCode == 0 ? "SUCCEEDED" : "FAILED";
        job.Finish(status, stopReason ?? ExitedReason, exitCode: exitCode, stoppedAt: timeProvider.GetUtcNow());
        LogFinished(logger, job.RunnerJobId, status, exitCode);
    }

    /// <summary>Like Batch/ECS: SIGTERM, then SIGKILL once the grace period is over.</summary>
    private async Task StopProcessAsync(Process process, string runnerJobId, string reason)
    {
        LogStopping(logger, runnerJobId, reason);
        if (!process.HasExited && !PosixSignals.TrySendTerminate(process.Id))
        {
            KillTree(process);
        }

        using var grace = new CancellationTokenSource(options.TerminationGracePeriod, timeProvider);
        try
        {
            await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            LogKilling(logger, runnerJobId, options.TerminationGracePeriod);
            KillTree(process);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Local runner accepted {RunnerJobId} for job {JobId}; log {LogPath}")]
    private static partial void LogSubmitted(ILogger logger, string runnerJobId, Guid jobId, string logPath);

    [LoggerMessage(Level = LogLevel.Information, Message = "Local runner started {RunnerJobId} as process {ProcessId}")]
    private static partial void LogStarted(ILogger logger, string runnerJobId, int processId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Local runner job {RunnerJobId} {Status} with exit code {ExitCode}")]
    private static partial void LogFinished(ILogger logger, string runnerJobId, string status, int exitCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Terminate requested for {RunnerJobId}: {Reason}")]
    private static partial void LogTerminateRequested(ILogger logger, string runnerJobId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Terminate requested for unknown local job {RunnerJobId}; ignored")]
    private static partial void LogTerminateUnknown(ILogger logger, string runnerJobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping {RunnerJobId} with SIGTERM: {Reason}")]
    private static partial void LogStopping(ILogger logger, string runnerJobId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{RunnerJobId} still running {GracePeriod} after SIGTERM; sending SIGKILL")]
    private static partial void LogKilling(ILogger logger, string runnerJobId, TimeSpan gracePeriod);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{RunnerJobId} exited but its output is still held open by a descendant; log may be incomplete")]
    private static partial void LogOutputStillOpen(ILogger logger, string runnerJobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Local runner failed to run {RunnerJobId}")]
    private static partial void LogRunFailed(ILogger logger, Exception error, string runnerJobId);

    /// <summary>One submission's state; every read and write goes through <see cref="gate"/>.</summary>
    private sealed class LocalJob(string runnerJobId, Guid jobId, string jobName, string logPath, CancellationToken shutdownToken)
        : IDisposable
    {
        private readonly Lock gate = new();
        private string status = "SUBMITTED";
        private string? statusReason;
        private DateTimeOffset? startedAt;
        private DateTimeOffset? stoppedAt;
        private int? exitCode;
        private string? terminationReason;

        public string RunnerJobId { get; } = runnerJobId;

        public Guid JobId { get; } = jobId;

        public string LogPath { get; } = logPath;

        public CancellationTokenSource Cancellation { get; } = CancellationTokenSource.CreateLinkedTokenSource(shutdownToken);

        public Task Execution { get; set; } = Task.CompletedTask;

        public string? TerminationReason
        {
            get
            {
                lock (gate)
                {
                    return terminationReason;
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

        public void Finish(string finalStatus, string reason, int? exitCode, DateTimeOffset stoppedAt)
        {
            lock (gate)
            {
                status = finalStatus;
                statusReason = reason;
                this.exitCode = exitCode;
                this.stoppedAt = stoppedAt;
            }
        }

        public async Task RequestTerminationAsync(string reason)
        {
            lock (gate)
            {
                if (status is "SUCCEEDED" or "FAILED")
                {
                    return;
                }

                terminationReason ??= reason;
            }

            await Cancellation.CancelAsync().ConfigureAwait(false);
        }

        public RunnerJobStatus Snapshot()
        {
            lock (gate)
            {
                return new RunnerJobStatus(RunnerJobId, jobName, status, statusReason, startedAt, stoppedAt, exitCode, LogPath);
            }
        }

        public void Dispose() => Cancellation.Dispose();
    }

    /// <summary>Interleaves the child's stdout and stderr into one file, flushed per chunk so it can be tailed.</summary>
    private sealed class LogSink(string path) : IDisposable
    {
        private readonly Lock gate = new();
        private readonly FileStream file = new(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite);
        private bool closed;

        public async Task CopyFromAsync(Stream source)
        {
            var buffer = new byte[8192];
            try
            {
                int read;
                while ((read = await source.ReadAsync(buffer).ConfigureAwait(false)) > 0)
                {
                    Write(buffer.AsSpan(0, read));
                }
            }
            catch (Exception error) when (error is IOException or ObjectDisposedException)
            {
                // The pipe was closed under us after the drain timeout; what was read is already in the file.
            }
        }

        public void WriteLine(string text) => Write(System.Text.Encoding.UTF8.GetBytes(text + Environment.NewLine));

        public void Dispose()
        {
            lock (gate)
            {
                closed = true;
                file.Dispose();
            }
        }

        private void Write(ReadOnlySpan<byte> bytes)
        {
            lock (gate)
            {
                if (closed)
                {
                    return;
                }

                file.Write(bytes);
                file.Flush();
            }
        }
    }
}
