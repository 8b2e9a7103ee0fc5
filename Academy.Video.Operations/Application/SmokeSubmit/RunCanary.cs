using Academy.Video.Application.Jobs;
using Academy.Video.Application.Storage;
using Academy.Video.Application.Storage.ProcessStorageCleanups;
using Academy.Video.Application.Videos;
using Academy.Video.Application.Videos.CompleteUpload;
using Academy.Video.Application.Videos.CreateVideo;
using Academy.Video.Application.Videos.DeleteVideo;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using Mediator;
using Microsoft.Extensions.Options;

namespace Academy.Video.Operations.Application.SmokeSubmit;

/// <summary>
/// The canary (diagnose-infra <c>--smoke-submit</c>): a tiny clip shipped with the product goes the real
/// way — create, upload through storage, upload-complete (queue and submit), runner, worker, READY —
/// through the application's own handlers; the runner's states are polled and timed; then the canary
/// video is deleted with its objects.
/// </summary>
public sealed record RunCanaryCommand;

/// <param name="Phases">Each runner status seen, in order, with how long the job stayed in it.</param>
/// <param name="Elapsed">From creating the canary until it was READY (or until it was given up).</param>
/// <param name="Problem">Why the canary did not become READY; null when it did.</param>
public sealed record CanaryReport(
    bool Ready,
    Guid VideoId,
    Guid? JobId,
    string? RunnerJobId,
    IReadOnlyList<RunnerPhase> Phases,
    TimeSpan Elapsed,
    string? Problem,
    string? StatusReason,
    string Cleanup);

public sealed record RunnerPhase(string Status, TimeSpan Duration);

/// <summary>The canary clip shipped with the product (2 s, 160x90, H.264 + AAC).</summary>
public interface ICanaryClip
{
    string FileName { get; }

    string ContentType { get; }

    Stream Open();
}

public sealed class RunCanaryHandler(
    ISender sender,
    ICanaryClip clip,
    IObjectStorage storage,
    IVideoStore videos,
    ITranscodeJobStore jobs,
    IJobRunner runner,
    IOptions<OperationsOptions> options,
    TimeProvider time)
{
    private static readonly HashSet<string> Ended = new(StringComparer.OrdinalIgnoreCase) { "SUCCEEDED", "FAILED" };

    /// <summary>How long after READY the runner may take to report the job ended (Batch needs a few seconds).</summary>
    private static readonly TimeSpan RunnerEndWait = TimeSpan.FromSeconds(60);

    public async ValueTask<CanaryReport> Handle(RunCanaryCommand command, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var started = time.GetTimestamp();
        var file = Path.Combine(Path.GetTempPath(), "academy-video-ops", $"canary-{Guid.NewGuid():N}{Path.GetExtension(clip.FileName)}");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await using (var source = clip.Open())
        await using (var target = File.Create(file))
        {
            await source.CopyToAsync(target, cancellationToken);
        }

        var created = await sender.Send(
            new CreateVideoCommand($"ops canary {time.GetUtcNow():yyyy-MM-dd HH:mm:ss}Z", clip.FileName, clip.ContentType, new FileInfo(file).Length),
            cancellationToken);
        var phases = new PhaseClock(time);
        Guid? jobId = null;
        string? runnerJobId = null;
        string? problem = null;
        string? reason = null;
        try
        {
            await storage.UploadFileAsync(file, StorageKeys.Source(created.VideoId, clip.FileName), clip.ContentType, cancellationToken);
            var queued = await sender.Send(new CompleteUploadCommand(created.VideoId), cancellationToken);
            jobId = queued.JobId;
            runnerJobId = queued.BatchJobId;
            if (runnerJobId is null)
            {
                problem = "the runner refused the canary's submission: the job stays QUEUED without a runner id (the JOB_SUBMIT_FAILED line logged above has the runner's answer)";
            }
            else
            {
                (problem, reason, runnerJobId) = await FollowAsync(created.VideoId, queued.JobId, runnerJobId, phases, time.GetUtcNow() + settings.CanaryTimeout, settings.CanaryPollInterval, cancellationToken);
            }
        }
        finally
        {
            File.Delete(file);
        }

        var elapsed = phases.ReadyAt is { } ready ? time.GetElapsedTime(started, ready) : time.GetElapsedTime(started);
        var cleanup = await DeleteAsync(created.VideoId, cancellationToken);
        return new CanaryReport(problem is null, created.VideoId, jobId, runnerJobId, phases.Phases(), elapsed, problem, reason, cleanup);
    }

    /// <summary>Polls the video, the job and the runner until the video is READY, something failed, or the deadline passed.</summary>
    private async Task<(string? Problem, string? Reason, string RunnerJobId)> FollowAsync(
        Guid videoId, Guid jobId, string runnerJobId, PhaseClock phases, DateTimeOffset deadline, TimeSpan poll, CancellationToken cancellationToken)
    {
        RunnerJobStatus? status = null;
        var endedPolls = 0;
        while (true)
        {
            var video = await videos.FindAsync(videoId, cancellationToken);
            var job = await jobs.FindAsync(jobId, cancellationToken);
            if (job?.BatchJobId is { } current)
            {
                runnerJobId = current;
            }

            status = (await runner.DescribeAsync([runnerJobId], cancellationToken)).FirstOrDefault() ?? status;
            phases.Observe(status?.Status ?? "UNKNOWN");
            if (video?.Status == VideoStatus.Ready)
            {
                phases.MarkReady();
                await AwaitRunnerEndAsync(runnerJobId, phases, poll, cancellationToken);
                return (null, status?.StatusReason, runnerJobId);
            }

            if (job is { State: JobState.Failed or JobState.Dead } || video?.Status == VideoStatus.Failed)
            {
                return ($"the canary's job ended {job?.State.ToWire()}: {job?.ErrorCode} {job?.ErrorMessage}".TrimEnd(), status?.StatusReason, runnerJobId);
            }

            if (status is not null && Ended.Contains(status.Status) && ++endedPolls > 2)
            {
                // The worker writes READY before it exits; a runner job ended twice over without READY will not bring it.
                return ($"{runnerJobId} ended {status.Status} (exit code {status.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}) " +
                        $"but the video is {video?.Status.ToWire()} and the job {job?.State.ToWire()}", status.StatusReason, runnerJobId);
            }

            if (time.GetUtcNow() > deadline)
            {
                return ($"not READY after {Durations.Format(options.Value.CanaryTimeout)}: {runnerJobId} is {status?.Status ?? "unknown to the runner"}, " +
                        $"the job {job?.State.ToWire()}", status?.StatusReason, runnerJobId);
            }

            await Task.Delay(poll, time, cancellationToken);
        }
    }

    /// <summary>The worker exits right after READY: follow the runner a little longer so the timeline ends with its final state.</summary>
    private async Task AwaitRunnerEndAsync(string runnerJobId, PhaseClock phases, TimeSpan poll, CancellationToken cancellationToken)
    {
        var until = time.GetUtcNow() + RunnerEndWait;
        while (time.GetUtcNow() < until)
        {
            var status = (await runner.DescribeAsync([runnerJobId], cancellationToken)).FirstOrDefault();
            phases.Observe(status?.Status ?? "UNKNOWN");
            if (status is null || Ended.Contains(status.Status))
            {
                return;
            }

            await Task.Delay(poll, time, cancellationToken);
        }
    }

    private async Task<string> DeleteAsync(Guid videoId, CancellationToken cancellationToken)
    {
        await sender.Send(new DeleteVideoCommand(videoId), cancellationToken);
        var cleaned = await sender.Send(new ProcessStorageCleanupsCommand(), cancellationToken);
        var left = 0;
        await foreach (var _ in storage.ListAsync(StorageKeys.VideoPrefix(videoId), cancellationToken))
        {
            left++;
        }

        return left == 0
            ? $"canary video {videoId} deleted with its objects ({cleaned.ObjectsDeleted} removed)"
            : $"canary video {videoId} deleted; {left} object(s) wait for the cleanup outbox";
    }

    /// <summary>When each runner status was first seen; a status lasts until the next one appears.</summary>
    private sealed class PhaseClock(TimeProvider time)
    {
        private readonly List<(string Status, long At)> seen = [];

        public long? ReadyAt { get; private set; }

        public void MarkReady() => ReadyAt = time.GetTimestamp();

        public void Observe(string status)
        {
            if (seen.Count == 0 || seen[^1].Status != status)
            {
                seen.Add((status, time.GetTimestamp()));
            }
        }

        public IReadOnlyList<RunnerPhase> Phases() =>
            seen.Select((s, i) => new RunnerPhase(s.Status, i + 1 < seen.Count ? time.GetElapsedTime(s.At, seen[i + 1].At) : TimeSpan.Zero)).ToList();
    }
}
