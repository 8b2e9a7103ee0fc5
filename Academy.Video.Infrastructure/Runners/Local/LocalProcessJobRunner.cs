using System.Collections.Concurrent;
using System.Globalization;
using Academy.Video.Application.Jobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Academy.Video.Infrastructure.Runners.Local;

/// <summary>
/// The embedded runner: starts the same command the Batch job definition runs (<c>worker &lt;job_id&gt;</c>) as a
/// child process, with Batch's observable behaviour — <c>local-…</c> ids, SUBMITTED → RUNNABLE → RUNNING →
/// SUCCEEDED/FAILED, a concurrency cap, a timeout, SIGTERM then SIGKILL, one log per submission. This class
/// schedules; <see cref="LocalAttempt"/> runs one submission, <see cref="ChildProcessSupervisor"/> owns its
/// process group, <see cref="AttemptLogSink"/> its log and <see cref="AttemptWorkspace"/> its scratch files.
/// Register it as a singleton: children run on background tasks that outlive the submitting request, and
/// disposing the runner (host shutdown) stops them.
/// Its memory is process-local and keeps only the latest finished jobs: an id it does not know (submitted before
/// a restart, or finished long ago) is reported FAILED at once, so the recovery scan resubmits without waiting.
/// </summary>
public sealed partial class LocalProcessJobRunner : IJobRunner, Application.Captions.ICaptionRunner, IChunkRunner, IAsyncDisposable
{
    public const string RunnerJobIdPrefix = "local-";
    public const string JobIdVariable = LocalAttempt.JobIdVariable;
    public const string UnknownJobReason = "Unknown to this runner: submitted before it started, or finished and no longer remembered";

    private const string ShutdownReason = "Runner shutting down";

    /// <summary>The child's environment variables the runner sets for each attempt; configuration cannot override them.</summary>
    public static IReadOnlyList<string> PerAttemptVariables { get; } =
        [JobIdVariable, AttemptWorkspace.WorkDirectoryVariable, AttemptWorkspace.UploadDirectoryVariable];

    private readonly LocalRunnerOptions options;
    private readonly TimeProvider timeProvider;
    private readonly ILogger<LocalProcessJobRunner> logger;
    private readonly string logDirectory;
    private readonly LocalAttempt attempt;
    private readonly SemaphoreSlim slots;
    private readonly ConcurrentDictionary<string, LocalRunnerJob> jobs = new(StringComparer.Ordinal);

    // Guards disposed, the registration of a submission and the finished-jobs history.
    private readonly Lock gate = new();
    private readonly Queue<string> finishedOrder = new();
    private readonly TaskCompletionSource disposal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool disposed;

    public LocalProcessJobRunner(
        IOptions<LocalRunnerOptions> options, TimeProvider timeProvider, ILogger<LocalProcessJobRunner> logger)
        : this(options, WorkerEnvironment.Current, timeProvider, logger)
    {
    }

    /// <param name="inheritedEnvironment">The environment the worker's is built from (<see cref="WorkerEnvironment"/>); this process's by default.</param>
    public LocalProcessJobRunner(
        IOptions<LocalRunnerOptions> options,
        Func<IReadOnlyDictionary<string, string>> inheritedEnvironment,
        TimeProvider timeProvider,
        ILogger<LocalProcessJobRunner> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options.Value;
        ArgumentOutOfRangeException.ThrowIfLessThan(this.options.MaxConcurrency, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(this.options.FinishedJobsKept, 1, nameof(options));
        this.timeProvider = timeProvider;
        this.logger = logger;
        logDirectory = Path.GetFullPath(this.options.LogDirectory);
        attempt = new LocalAttempt(this.options, Path.GetFullPath(this.options.WorkDirectory), inheritedEnvironment, timeProvider, logger);
        slots = new SemaphoreSlim(this.options.MaxConcurrency, this.options.MaxConcurrency);
    }

    public Task<string> SubmitAsync(Guid jobId, string jobName, CancellationToken cancellationToken) =>
        Submit(jobId, jobName, null, cancellationToken);

    /// <summary>The worker's second command, <c>caption &lt;generation-id&gt;</c>, under the same cap, timeout and logs (docs/decisions/0017-caption-generation-unit-of-work.md).</summary>
    public Task<string> SubmitCaptionAsync(Guid generationId, CancellationToken cancellationToken) =>
        Submit(generationId, $"caption-{generationId.ToString("N", CultureInfo.InvariantCulture)[..8]}", ["caption"], cancellationToken);

    /// <summary>One chunk of a chunked job, <c>--chunk k &lt;job-id&gt;</c>, under the same cap, timeout and logs: chunks run as parallel children (docs/decisions/0023-chunked-encoding.md).</summary>
    public Task<string> SubmitChunkAsync(Guid jobId, int chunk, CancellationToken cancellationToken) =>
        Submit(jobId, $"video-{jobId.ToString("N", CultureInfo.InvariantCulture)[..8]}-c{chunk}", ["--chunk", chunk.ToString(CultureInfo.InvariantCulture)], cancellationToken);

    private Task<string> Submit(Guid jobId, string jobName, IReadOnlyList<string>? command, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed), this);
        cancellationToken.ThrowIfCancellationRequested();

        var runnerJobId = RunnerJobIdPrefix + Guid.NewGuid().ToString("D", CultureInfo.InvariantCulture);
        var logPath = LocalRunnerLogs.PathFor(logDirectory, jobId, runnerJobId);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new JobSubmissionException($"Local runner cannot create its log directory for {logPath}: {error.Message}", error);
        }

        var job = new LocalRunnerJob(runnerJobId, jobId, jobName, logPath, command);
        lock (gate)
        {
            // Checked and registered under the lock DisposeAsync takes: a submission is either refused or stopped by it.
            ObjectDisposedException.ThrowIf(disposed, this);
            jobs[runnerJobId] = job;
            // Not the request's token: the submission outlives the HTTP request that asked for it.
            job.Execution = Task.Run(() => RunAsync(job), CancellationToken.None);
        }

        LogSubmitted(logger, runnerJobId, jobId, logPath);
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
        await job.RequestStopAsync(reason).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<RunnerJobStatus>> DescribeAsync(
        IReadOnlyCollection<string> runnerJobIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runnerJobIds);
        IReadOnlyList<RunnerJobStatus> statuses = runnerJobIds
            .Distinct(StringComparer.Ordinal)
            .Select(id => jobs.TryGetValue(id, out var job) ? job.Snapshot() : Lost(id))
            .ToList();
        return Task.FromResult(statuses);
    }

    /// <summary>Refuses new submissions, stops every child (SIGTERM, then SIGKILL after the grace period) and waits for their groups to end.</summary>
    public async ValueTask DisposeAsync()
    {
        List<LocalRunnerJob>? toStop = null;
        lock (gate)
        {
            if (!disposed)
            {
                disposed = true;
                toStop = [.. jobs.Values];
            }
        }

        if (toStop is null)
        {
            await disposal.Task.ConfigureAwait(false);
            return;
        }

        try
        {
            await Task.WhenAll(toStop.Select(job => job.RequestStopAsync(ShutdownReason))).ConfigureAwait(false);
            await Task.WhenAll(toStop.Select(job => job.Execution)).ConfigureAwait(false);
        }
        finally
        {
            slots.Dispose();
            disposal.TrySetResult();
        }
    }

    /// <summary>Like Batch for a job it has never seen, but said: ended, with the reason, so the caller does not wait.</summary>
    private static RunnerJobStatus Lost(string runnerJobId) =>
        new(runnerJobId, string.Empty, LocalRunnerJob.Failed, UnknownJobReason, null, null, null, null);

    private async Task RunAsync(LocalRunnerJob job)
    {
        try
        {
            job.MarkRunnable();
            try
            {
                await slots.WaitAsync(job.StopRequested).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                job.Finish(LocalRunnerJob.Failed, job.StopReason ?? ShutdownReason, exitCode: null, timeProvider.GetUtcNow());
                return;
            }

            try
            {
                if (job.StopRequested.IsCancellationRequested)
                {
                    job.Finish(LocalRunnerJob.Failed, job.StopReason ?? ShutdownReason, exitCode: null, timeProvider.GetUtcNow());
                    return;
                }

                await attempt.RunAsync(job).ConfigureAwait(false);
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
            job.Finish(LocalRunnerJob.Failed, $"Local runner error: {error.Message}", exitCode: null, timeProvider.GetUtcNow());
        }
        finally
        {
            Remember(job);
        }
    }

    /// <summary>Keeps the latest <see cref="LocalRunnerOptions.FinishedJobsKept"/> finished jobs; older ones become unknown.</summary>
    private void Remember(LocalRunnerJob finished)
    {
        lock (gate)
        {
            finishedOrder.Enqueue(finished.RunnerJobId);
            while (finishedOrder.Count > options.FinishedJobsKept)
            {
                jobs.TryRemove(finishedOrder.Dequeue(), out _);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Local runner accepted {RunnerJobId} for job {JobId}; log {LogPath}")]
    private static partial void LogSubmitted(ILogger logger, string runnerJobId, Guid jobId, string logPath);

    [LoggerMessage(Level = LogLevel.Information, Message = "Terminate requested for {RunnerJobId}: {Reason}")]
    private static partial void LogTerminateRequested(ILogger logger, string runnerJobId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Terminate requested for unknown local job {RunnerJobId}; ignored")]
    private static partial void LogTerminateUnknown(ILogger logger, string runnerJobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Local runner failed to run {RunnerJobId}")]
    private static partial void LogRunFailed(ILogger logger, Exception error, string runnerJobId);
}
