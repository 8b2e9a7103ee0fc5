using Academy.Video.Application.Jobs;
using Academy.Video.Application.Jobs.ProcessJob;
using Academy.Video.Application.Jobs.ScanStuckJobs;
using Academy.Video.Application.Storage.ProcessStorageCleanups;
using Academy.Video.Application.Videos;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using Academy.Video.UnitTests.Fakes;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace Academy.Video.UnitTests.Application;

/// <summary>
/// The recovery scan decides, commits, then acts: what it does when the runner hangs, throws, never
/// starts a submission, or races it; and what it does with the jobs of deleted videos.
/// </summary>
public sealed class RecoveryScanTests : IAsyncLifetime
{
    private readonly ApplicationHarness app = new(JobPolicy.Default with { RetryBackoffBase = TimeSpan.Zero }, heartbeatInterval: TimeSpan.FromHours(1));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_hanging_runner_costs_each_submission_its_bound_and_stuck_attempts_are_released_before_any_runner_call()
    {
        var (_, stuck) = await RunningAsync("stuck");
        var (_, lost) = await app.UploadVideoAsync("lost submission");
        app.Database.Seed(app.Database.Job(lost.JobId) with { BatchJobId = null, SubmittedAt = null });
        var hanging = Substitute.For<IJobRunner>();
        var called = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        hanging.SubmitAsync(Arg.Any<Guid>(), Arg.Any<string>(), Arg.Any<CancellationToken>())
            .Returns(_ =>
            {
                called.TrySetResult();
                return new TaskCompletionSource<string>().Task; // never answers, ignores its token
            });
        app.RunnerOverride = hanging;
        app.Time.Advance(TimeSpan.FromMinutes(4));

        var scan = app.Send(new ScanStuckJobsCommand());
        await called.Task;
        // The first runner call is under way: the stuck release is committed already.
        Assert.Equal(JobState.RetryWait, app.Database.Job(stuck.JobId).State);
        app.Time.Advance(ApplicationHarness.RunnerCallTimeout);
        await WaitForSecondCallAsync(hanging);
        app.Time.Advance(ApplicationHarness.RunnerCallTimeout);
        var report = await scan;

        Assert.Equal(2, report.Entries.Count);
        Assert.All(report.Entries, e => Assert.Contains("submit failed: no answer within", e.Result, StringComparison.Ordinal));
        Assert.Equal((JobState.RetryWait, null), (app.Database.Job(stuck.JobId).State, app.Database.Job(stuck.JobId).BatchJobId));
        Assert.Equal((JobState.Queued, null), (app.Database.Job(lost.JobId).State, app.Database.Job(lost.JobId).BatchJobId));
        Assert.Equal(2, app.Logs.Events.Count(e => e == JobEvents.SubmitFailed));
    }

    [Fact]
    public async Task A_runner_that_throws_leaves_only_the_jobs_it_failed_for_the_next_scan()
    {
        var (_, stuck) = await RunningAsync("stuck");
        var (_, waiting) = await app.UploadVideoAsync("submitted, not started");
        var failing = Substitute.For<IJobRunner>();
        failing.DescribeAsync(Arg.Any<IReadOnlyCollection<string>>(), Arg.Any<CancellationToken>())
            .ThrowsAsync(new HttpRequestException("Connection reset by peer"));
        failing.SubmitAsync(Arg.Any<Guid>(), Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns("batch-after-outage");
        app.RunnerOverride = failing;
        app.Time.Advance(TimeSpan.FromMinutes(11));

        var report = await app.Send(new ScanStuckJobsCommand());

        Assert.Equal("RETRY_WAIT, submitted", report.Entries.Single(e => e.JobId == stuck.JobId).Result);
        Assert.Equal("batch-after-outage", app.Database.Job(stuck.JobId).BatchJobId);
        Assert.StartsWith("runner check failed: Connection reset by peer", report.Entries.Single(e => e.JobId == waiting.JobId).Result, StringComparison.Ordinal);
        Assert.Equal((0, waiting.BatchJobId), (app.Database.Job(waiting.JobId).NeverStartedCount, app.Database.Job(waiting.JobId).BatchJobId));
    }

    [Fact]
    public async Task A_submission_that_never_starts_is_resubmitted_until_the_bound_then_DEAD_NEVER_STARTED_with_the_runner_s_reason()
    {
        const string reason = "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT - the job queue's compute environments cannot run it";
        app.Runner.BlockedReason = reason;
        var (videoId, job) = await app.UploadVideoAsync();

        var results = new List<string>();
        for (var scan = 0; scan < JobPolicy.DefaultMaxAttempts + 2; scan++)
        {
            app.Time.Advance(TimeSpan.FromMinutes(11));
            results.AddRange((await app.Send(new ScanStuckJobsCommand())).Entries.Select(e => e.Result));
        }

        var dead = app.Database.Job(job.JobId);
        Assert.Equal((JobState.Dead, JobErrorCodes.NeverStarted, JobPolicy.DefaultMaxAttempts, 0), (dead.State, dead.ErrorCode, dead.NeverStartedCount, dead.AttemptCount));
        Assert.Contains(reason, dead.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(VideoStatus.Failed, app.Database.Video(videoId).Status);
        Assert.Equal(JobPolicy.DefaultMaxAttempts, app.Runner.Submissions.Count);
        // Each blocked submission is taken off the runner's queue before the next one is sent.
        Assert.Equal(app.Runner.Submissions.Select(s => s.RunnerJobId), app.Runner.Terminated);
        Assert.Equal(JobPolicy.DefaultMaxAttempts, results.Count);
        Assert.StartsWith("DEAD (NEVER_STARTED)", results[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_of_a_deleting_video_left_by_the_old_two_write_deletion_is_ended_and_its_container_terminated_never_resubmitted()
    {
        var (videoId, job) = await app.UploadVideoAsync();
        var batchJobId = app.Database.Job(job.JobId).BatchJobId!;
        app.Database.Seed(app.Database.Video(videoId) with { Status = VideoStatus.Deleting });
        app.Time.Advance(TimeSpan.FromMinutes(11));

        var report = await app.Send(new ScanStuckJobsCommand());
        app.Time.Advance(TimeSpan.FromMinutes(11));
        var next = await app.Send(new ScanStuckJobsCommand());

        var entry = Assert.Single(report.Entries);
        Assert.Equal((RecoveryActionKind.EndForDeletedVideo, $"FAILED, {batchJobId} terminated"), (entry.Action, entry.Result));
        Assert.Equal((JobState.Failed, JobErrorCodes.VideoDeleted), (app.Database.Job(job.JobId).State, app.Database.Job(job.JobId).ErrorCode));
        Assert.Single(app.Runner.Submissions);
        Assert.Equal([batchJobId], app.Runner.Terminated);
        Assert.Empty(next.Entries);
    }

    [Fact]
    public async Task A_submission_whose_record_loses_the_race_is_logged_as_superseded_not_failed_and_the_duplicate_is_terminated()
    {
        var (_, job) = await app.UploadVideoAsync();
        app.Database.Seed(app.Database.Job(job.JobId) with { BatchJobId = null, SubmittedAt = null });
        var racing = Substitute.For<IJobRunner>();
        racing.SubmitAsync(job.JobId, Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(async _ =>
        {
            // An earlier container starts the attempt while this submission is on its way.
            await app.Database.TryTransitionAsync(app.Database.Job(job.JobId).Start(app.Time.GetUtcNow()), default);
            return "batch-duplicate";
        });
        app.RunnerOverride = racing;
        app.Time.Advance(TimeSpan.FromMinutes(3));

        var report = await app.Send(new ScanStuckJobsCommand());

        Assert.Equal("superseded", Assert.Single(report.Entries).Result);
        Assert.Contains(JobEvents.SubmissionSuperseded, app.Logs.Events);
        Assert.DoesNotContain(JobEvents.SubmitFailed, app.Logs.Events);
        await racing.Received(1).TerminateAsync("batch-duplicate", Arg.Any<string>(), Arg.Any<CancellationToken>());
        Assert.Equal(JobState.Running, app.Database.Job(job.JobId).State);
    }

    [Fact]
    public async Task The_dry_run_reports_never_started_submissions_and_changes_nothing()
    {
        app.Runner.BlockedReason = "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY";
        var (_, job) = await app.UploadVideoAsync();
        var before = app.Database.Job(job.JobId);
        app.Time.Advance(TimeSpan.FromMinutes(11));

        var dry = await app.Send(new ScanStuckJobsCommand(DryRun: true));

        Assert.Equal("never started (blocked RUNNABLE: CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY): would resubmit", Assert.Single(dry.Entries).Result);
        Assert.Equal(before, app.Database.Job(job.JobId));
        Assert.Single(app.Runner.Submissions);
        Assert.Empty(app.Runner.Terminated);
    }

    [Fact]
    public async Task After_retries_and_the_cleanup_outbox_storage_holds_exactly_the_published_tree()
    {
        var (videoId, job) = await app.UploadVideoAsync();
        app.Transcoder.EncodeFailure = new Academy.Video.Application.Transcoding.TranscodeFailedException(JobError.Transient(JobErrorCodes.EncodeFailed, "ffmpeg died"));
        await app.Send(new ProcessJobCommand(job.JobId));
        app.Transcoder.EncodeFailure = null;
        // A partial upload of attempt 1, as a worker killed mid-upload would leave it.
        app.Storage.Put(StorageKeys.HlsPrefix(videoId, job.JobId, 1) + "360p/seg_00000.ts", [1, 2, 3]);
        Assert.Equal(0, (await app.Send(new ProcessStorageCleanupsCommand())).Completed);
        Assert.Contains(StorageKeys.HlsPrefix(videoId, job.JobId, 1) + "360p/seg_00000.ts", app.Storage.Keys);

        await app.Send(new ScanStuckJobsCommand());
        var done = await app.Send(new ProcessJobCommand(job.JobId));
        await app.Send(new ProcessStorageCleanupsCommand());

        Assert.Equal(ProcessJobOutcome.Completed, done.Outcome);
        var published = StorageKeys.HlsPrefix(videoId, job.JobId, 2);
        Assert.All(app.Storage.Keys.Where(k => k.Contains("/hls/", StringComparison.Ordinal)), k => Assert.StartsWith(published, k, StringComparison.Ordinal));
        Assert.Contains(published + "master.m3u8", app.Storage.Keys);
    }

    private async Task<(Guid VideoId, JobView Job)> RunningAsync(string title)
    {
        var (videoId, job) = await app.UploadVideoAsync(title);
        var stored = app.Database.Job(job.JobId);
        app.Database.Seed(stored with { State = JobState.Running, AttemptCount = 1, LastHeartbeatAt = app.Time.GetUtcNow(), BatchJobId = null, SubmittedAt = null });
        return (videoId, job);
    }

    private static async Task WaitForSecondCallAsync(IJobRunner runner)
    {
        for (var i = 0; i < 500 && runner.ReceivedCalls().Count(c => c.GetMethodInfo().Name == nameof(IJobRunner.SubmitAsync)) < 2; i++)
        {
            await Task.Delay(10);
        }
    }
}
