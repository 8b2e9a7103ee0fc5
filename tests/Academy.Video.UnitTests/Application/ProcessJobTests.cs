using Academy.Video.Application.Jobs.ProcessJob;
using Academy.Video.Application.Jobs.ScanStuckJobs;
using Academy.Video.Application.Storage.ProcessStorageCleanups;
using Academy.Video.Application.Transcoding;
using Academy.Video.Application.Videos.DeleteVideo;
using Academy.Video.Application.Videos.GetVideo;
using Academy.Video.Application.Videos.RetryVideo;
using Academy.Video.Domain;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using Academy.Video.UnitTests.Fakes;

namespace Academy.Video.UnitTests.Application;

public sealed class ProcessJobTests : IAsyncLifetime
{
    private readonly ApplicationHarness app = new(JobPolicy.Default with { RetryBackoffBase = TimeSpan.FromSeconds(30) }, heartbeatInterval: TimeSpan.FromHours(1));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task An_attempt_publishes_the_ladder_under_its_prefix_master_last_and_marks_the_video_READY()
    {
        var (videoId, job) = await app.UploadVideoAsync();

        var result = await app.Send(new ProcessJobCommand(job.JobId));

        var prefix = StorageKeys.HlsPrefix(videoId, job.JobId, 1);
        Assert.Equal((ProcessJobOutcome.Completed, 0), (result.Outcome, result.ExitCode));
        Assert.Equal((VideoStatus.Ready, prefix + "master.m3u8"), (app.Database.Video(videoId).Status, app.Database.Video(videoId).HlsPath));
        Assert.Equal((JobState.Succeeded, 1, 100), (app.Database.Job(job.JobId).State, app.Database.Job(job.JobId).AttemptCount, app.Database.Job(job.JobId).ProgressPercent));
        var order = app.Storage.UploadOrder.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        Assert.Equal(prefix + "master.m3u8", order[^1]);
        // 3 segments of 4 renditions and the audio (15), 5 playlists, poster, storyboard sprite and index, progress record, master.
        Assert.Equal(25, order.Distinct().Count());
        var lastSegment = order.FindLastIndex(k => k.EndsWith(".ts", StringComparison.Ordinal));
        // The finished playlist of each variant goes up after every segment; a growing EVENT playlist may go up earlier
        // under the same key (docs/encoding.md, Playable early), so the last upload of each key is the one that counts.
        var finishedPlaylists = order.Select((key, index) => (key, index)).Where(u => u.key.EndsWith("/index.m3u8", StringComparison.Ordinal))
            .GroupBy(u => u.key).Select(g => g.Last()).ToList();
        Assert.Equal(5, finishedPlaylists.Count);
        Assert.All(finishedPlaylists, u => Assert.True(u.index > lastSegment, $"{u.key} was last written before a segment"));
        var details = await app.Query(new GetVideoQuery(videoId));
        Assert.Equal(new Uri($"https://cdn.test/{prefix}master.m3u8"), details.PlaybackUrl);
        Assert.Equal((new Uri($"https://cdn.test/{prefix}poster.jpg"), new Uri($"https://cdn.test/{prefix}storyboard.vtt")), (details.PosterUrl, details.StoryboardUrl));
        Assert.Equal(JobState.Succeeded.ToWire(), Assert.Single(details.Attempts).Outcome);
    }

    [Fact]
    public async Task Running_the_job_again_after_success_exits_0_with_IDEMPOTENT_DONE_and_encodes_nothing()
    {
        var (_, job) = await app.UploadVideoAsync();
        await app.Send(new ProcessJobCommand(job.JobId));

        var again = await app.Send(new ProcessJobCommand(job.JobId));

        Assert.Equal((ProcessJobOutcome.IdempotentDone, 0), (again.Outcome, again.ExitCode));
        Assert.Equal(1, app.Transcoder.EncodeCount);
    }

    [Fact]
    public async Task A_READY_video_whose_job_was_never_marked_is_completed_without_encoding()
    {
        var (videoId, job) = await app.UploadVideoAsync();
        app.Database.Seed(app.Database.Video(videoId) with { Status = VideoStatus.Ready, HlsPath = "videos/x/hls/master.m3u8" });

        var result = await app.Send(new ProcessJobCommand(job.JobId));

        Assert.Equal((ProcessJobOutcome.IdempotentReady, 0), (result.Outcome, result.ExitCode));
        Assert.Equal(JobState.Succeeded, app.Database.Job(job.JobId).State);
        Assert.Equal(0, app.Transcoder.EncodeCount);
    }

    [Fact]
    public async Task A_missing_job_is_JOB_NOT_FOUND_and_exit_1()
    {
        var result = await app.Send(new ProcessJobCommand(Guid.NewGuid()));

        Assert.Equal((ProcessJobOutcome.JobNotFound, 1), (result.Outcome, result.ExitCode));
    }

    [Fact]
    public async Task Two_workers_for_the_same_job_complete_it_exactly_once()
    {
        var (_, job) = await app.UploadVideoAsync();
        app.Transcoder.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var first = app.Send(new ProcessJobCommand(job.JobId));
        await app.Transcoder.EncodeStarted.Task;
        var duplicate = await app.Send(new ProcessJobCommand(job.JobId));
        app.Transcoder.Gate.SetResult();
        var winner = await first;

        Assert.Equal((ProcessJobOutcome.NotRunnable, 0), (duplicate.Outcome, duplicate.ExitCode));
        Assert.Equal(ProcessJobOutcome.Completed, winner.Outcome);
        Assert.Equal(1, app.Transcoder.EncodeCount);
        Assert.Equal(1, app.Database.Job(job.JobId).AttemptCount);
    }

    [Fact]
    public async Task Workers_racing_to_start_the_same_job_let_exactly_one_win()
    {
        var (_, job) = await app.UploadVideoAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => app.Send(new ProcessJobCommand(job.JobId)))));

        Assert.Single(results, r => r.Outcome == ProcessJobOutcome.Completed);
        Assert.All(results, r => Assert.Equal(0, r.ExitCode));
        Assert.Equal(1, app.Database.Job(job.JobId).AttemptCount);
    }

    [Theory]
    [InlineData(JobErrorCodes.SourceUndecodable)]
    [InlineData(JobErrorCodes.NoVideoStream)]
    [InlineData(JobErrorCodes.SourceEmpty)]
    public async Task A_permanent_error_fails_the_job_and_video_once_and_the_scan_never_resubmits_it(string code)
    {
        var (videoId, job) = await app.UploadVideoAsync();
        app.Transcoder.ProbeFailure = new JobError(code, "not a video", JobErrorKind.Permanent);

        var result = await app.Send(new ProcessJobCommand(job.JobId));
        app.Time.Advance(TimeSpan.FromHours(2));
        var scan = await app.Send(new ScanStuckJobsCommand());

        Assert.Equal((ProcessJobOutcome.Failed, 1), (result.Outcome, result.ExitCode));
        Assert.Equal((JobState.Failed, code, 1), (app.Database.Job(job.JobId).State, app.Database.Job(job.JobId).ErrorCode, app.Database.Job(job.JobId).AttemptCount));
        Assert.Equal(VideoStatus.Failed, app.Database.Video(videoId).Status);
        Assert.Empty(scan.Entries);
        Assert.Single(app.Runner.Submissions);
    }

    [Fact]
    public async Task A_source_missing_from_storage_is_a_permanent_SOURCE_MISSING()
    {
        var (videoId, job) = await app.UploadVideoAsync();
        await app.Storage.DeletePrefixAsync(app.Database.Video(videoId).SourceKey, default);

        await app.Send(new ProcessJobCommand(job.JobId));

        Assert.Equal((JobState.Failed, JobErrorCodes.SourceMissing), (app.Database.Job(job.JobId).State, app.Database.Job(job.JobId).ErrorCode));
    }

    [Fact]
    public async Task Transient_failures_are_retried_by_the_scan_after_backoff_until_the_fifth_is_DEAD()
    {
        var (videoId, job) = await app.UploadVideoAsync();
        app.Transcoder.EncodeFailure = new TranscodeFailedException(JobError.Transient(JobErrorCodes.EncodeFailed, "ffmpeg died"));
        var resubmissions = new List<string>();

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var result = await app.Send(new ProcessJobCommand(job.JobId));
            Assert.Equal((ProcessJobOutcome.Failed, 1), (result.Outcome, result.ExitCode));
            if (attempt < 5)
            {
                // A retry needs a new submission: the spent Batch id is cleared (a DEAD job keeps its last one).
                Assert.Null(app.Database.Job(job.JobId).BatchJobId);
            }

            var early = await app.Send(new ScanStuckJobsCommand());
            Assert.Empty(early.Entries);
            app.Time.Advance(TimeSpan.FromMinutes(10));
            var scan = await app.Send(new ScanStuckJobsCommand());
            resubmissions.AddRange(scan.Entries.Select(e => $"{e.Action}:{e.Result}"));
        }

        Assert.Equal(Enumerable.Repeat("Resubmit:submitted", 4), resubmissions);
        Assert.Equal((JobState.Dead, 5), (app.Database.Job(job.JobId).State, app.Database.Job(job.JobId).AttemptCount));
        Assert.Equal(VideoStatus.Failed, app.Database.Video(videoId).Status);
        Assert.All(app.Runner.Submissions, s => Assert.Equal(job.JobId, s.JobId));
        Assert.Equal(5, (await app.Query(new GetVideoQuery(videoId))).Attempts.Count);
    }

    [Fact]
    public async Task Retrying_a_DEAD_video_creates_a_new_job_that_can_reach_READY()
    {
        var (videoId, job) = await app.UploadVideoAsync();
        app.Database.Seed(app.Database.Job(job.JobId) with { State = JobState.Dead, AttemptCount = 5 });
        app.Database.Seed(app.Database.Video(videoId) with { Status = VideoStatus.Failed });

        var retry = await app.Send(new RetryVideoCommand(videoId));
        var result = await app.Send(new ProcessJobCommand(retry.JobId));

        Assert.NotEqual(job.JobId, retry.JobId);
        Assert.Equal(ProcessJobOutcome.Completed, result.Outcome);
        Assert.Equal(VideoStatus.Ready, app.Database.Video(videoId).Status);
        Assert.Equal(2, app.Runner.Submissions.Count);
    }

    [Fact]
    public async Task Retrying_a_video_that_has_not_failed_is_refused()
    {
        var (videoId, _) = await app.UploadVideoAsync();

        var error = await Assert.ThrowsAsync<InvalidVideoTransitionException>(() => app.Send(new RetryVideoCommand(videoId)));

        Assert.IsAssignableFrom<DomainException>(error);
    }

    [Fact]
    public async Task A_stuck_attempt_is_released_by_the_scan_and_the_late_worker_stops_without_touching_state()
    {
        var (videoId, job) = await app.UploadVideoAsync();
        app.Transcoder.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var worker = app.Send(new ProcessJobCommand(job.JobId));
        await app.Transcoder.EncodeStarted.Task;

        app.Time.Advance(TimeSpan.FromMinutes(3) + TimeSpan.FromSeconds(1));
        var scan = await app.Send(new ScanStuckJobsCommand());
        app.Time.Advance(TimeSpan.FromHours(1));
        var late = await worker;

        Assert.Equal("RETRY_WAIT", Assert.Single(scan.Entries).Result);
        Assert.Equal((ProcessJobOutcome.Superseded, 1), (late.Outcome, late.ExitCode));
        var released = app.Database.Job(job.JobId);
        Assert.Equal((JobState.RetryWait, JobErrorCodes.HeartbeatTimeout), (released.State, released.ErrorCode));
        Assert.Contains(app.Database.PendingCleanups, c => c.Prefix == StorageKeys.HlsPrefix(videoId, job.JobId, 1));

        app.Transcoder.Gate = null;
        app.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal("submitted", Assert.Single((await app.Send(new ScanStuckJobsCommand())).Entries).Result);
        var second = await app.Send(new ProcessJobCommand(job.JobId));
        Assert.Equal((ProcessJobOutcome.Completed, 2), (second.Outcome, app.Database.Job(job.JobId).AttemptCount));
        Assert.Equal(StorageKeys.HlsPrefix(videoId, job.JobId, 2) + "master.m3u8", app.Database.Video(videoId).HlsPath);
    }

    [Fact]
    public async Task SIGTERM_releases_the_attempt_to_RETRY_WAIT_at_once_and_exits_1()
    {
        var (_, job) = await app.UploadVideoAsync();
        app.Transcoder.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sigterm = new CancellationTokenSource();
        var worker = app.Send(new ProcessJobCommand(job.JobId), sigterm.Token);
        await app.Transcoder.EncodeStarted.Task;

        await sigterm.CancelAsync();
        var result = await worker;

        Assert.Equal((ProcessJobOutcome.Cancelled, 1), (result.Outcome, result.ExitCode));
        Assert.Equal((JobState.RetryWait, JobErrorCodes.Cancelled), (app.Database.Job(job.JobId).State, app.Database.Job(job.JobId).ErrorCode));
    }

    [Fact]
    public async Task The_dry_run_reports_what_the_scan_would_do_and_changes_nothing()
    {
        var (_, job) = await app.UploadVideoAsync();
        app.Database.Seed(app.Database.Job(job.JobId) with { State = JobState.Running, AttemptCount = 1, LastHeartbeatAt = app.Time.GetUtcNow() });
        app.Time.Advance(TimeSpan.FromMinutes(4));

        var dry = await app.Send(new ScanStuckJobsCommand(DryRun: true));

        Assert.Equal("would write RETRY_WAIT", Assert.Single(dry.Entries).Result);
        Assert.Equal(JobState.Running, app.Database.Job(job.JobId).State);
        Assert.Single(app.Runner.Submissions);
    }

    [Fact]
    public async Task A_submission_the_runner_lost_is_resubmitted_and_a_live_one_is_left_alone()
    {
        var (_, lost) = await app.UploadVideoAsync("lost");
        var (_, waiting) = await app.UploadVideoAsync("waiting");
        app.Runner.Alive.Add(app.Database.Job(waiting.JobId).BatchJobId!);
        app.Time.Advance(TimeSpan.FromMinutes(11));

        var scan = await app.Send(new ScanStuckJobsCommand());

        Assert.Equal("never started (the runner does not know it), submitted", scan.Entries.Single(e => e.JobId == lost.JobId).Result);
        Assert.StartsWith("alive", scan.Entries.Single(e => e.JobId == waiting.JobId).Result, StringComparison.Ordinal);
        Assert.Equal(3, app.Runner.Submissions.Count);
        Assert.Equal((1, app.Runner.Submissions[^1].RunnerJobId), (app.Database.Job(lost.JobId).NeverStartedCount, app.Database.Job(lost.JobId).BatchJobId));
    }

    [Fact]
    public async Task Two_scans_at_once_never_claim_the_same_job()
    {
        await app.UploadVideoAsync();
        await app.UploadVideoAsync();
        app.Time.Advance(TimeSpan.FromMinutes(11));
        var now = app.Time.GetUtcNow();
        var query = new Academy.Video.Application.Jobs.RecoveryCandidateQuery(now, now, now, now, 1);

        await using var first = await app.Database.ClaimCandidatesAsync(query, default);
        await using var second = await app.Database.ClaimCandidatesAsync(query, default);

        Assert.NotEqual(Assert.Single(first.Candidates).Job.Id, Assert.Single(second.Candidates).Job.Id);
    }

    [Fact]
    public async Task Deleting_a_video_mid_encode_cancels_its_job_terminates_the_container_and_empties_storage()
    {
        var (videoId, job) = await app.UploadVideoAsync();
        var batchJobId = app.Database.Job(job.JobId).BatchJobId!;
        app.Transcoder.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var worker = app.Send(new ProcessJobCommand(job.JobId));
        await app.Transcoder.EncodeStarted.Task;

        var deleted = await app.Send(new DeleteVideoCommand(videoId));
        app.Time.Advance(TimeSpan.FromHours(1));
        var stopped = await worker;
        var cleanup = await app.Send(new ProcessStorageCleanupsCommand());

        Assert.Equal("DELETING", deleted.Status);
        Assert.Equal((JobState.Failed, JobErrorCodes.VideoDeleted), (app.Database.Job(job.JobId).State, app.Database.Job(job.JobId).ErrorCode));
        Assert.Equal([batchJobId], app.Runner.Terminated);
        Assert.Equal(ProcessJobOutcome.Superseded, stopped.Outcome);
        Assert.Equal(2, cleanup.Completed);
        Assert.Empty(app.Storage.Keys);
        Assert.Equal(VideoStatus.Deleted, app.Database.Video(videoId).Status);
    }

    [Fact]
    public async Task A_failed_storage_deletion_is_rescheduled_not_lost()
    {
        var (videoId, _) = await app.UploadVideoAsync();
        await app.Send(new DeleteVideoCommand(videoId));
        app.Storage.FailDeletesWith = new IOException("R2 is down");

        var failed = await app.Send(new ProcessStorageCleanupsCommand());
        app.Storage.FailDeletesWith = null;
        var tooEarly = await app.Send(new ProcessStorageCleanupsCommand());
        app.Time.Advance(TimeSpan.FromMinutes(1));
        var retried = await app.Send(new ProcessStorageCleanupsCommand());

        Assert.Equal((0, 1), (failed.Completed, failed.Failed));
        Assert.Equal(0, tooEarly.Completed + tooEarly.Failed);
        Assert.Equal(1, retried.Completed);
        Assert.Equal(VideoStatus.Deleted, app.Database.Video(videoId).Status);
        Assert.Empty(app.Storage.Keys);
    }

    [Theory]
    [InlineData(1, 240)]
    [InlineData(240, 1)]
    public async Task A_source_the_ladder_cannot_plan_is_FAILED_at_the_first_attempt_with_a_named_code(int width, int height)
    {
        var (videoId, job) = await app.UploadVideoAsync();
        app.Transcoder.Source = app.Transcoder.Source with { Width = width, Height = height };

        var result = await app.Send(new ProcessJobCommand(job.JobId));

        Assert.Equal((ProcessJobOutcome.Failed, 1), (result.Outcome, result.ExitCode));
        var failed = app.Database.Job(job.JobId);
        Assert.Equal((JobState.Failed, JobErrorCodes.SourceDimensionsUnsupported, 1), (failed.State, failed.ErrorCode, failed.AttemptCount));
        Assert.Equal(VideoStatus.Failed, app.Database.Video(videoId).Status);
        Assert.Equal(0, app.Transcoder.EncodeCount);
    }

    [Fact]
    public async Task A_worker_that_finds_its_waiting_job_s_video_being_deleted_ends_the_job_and_exits_0()
    {
        var (videoId, job) = await app.UploadVideoAsync();
        app.Database.Seed(app.Database.Video(videoId) with { Status = VideoStatus.Deleting });

        var result = await app.Send(new ProcessJobCommand(job.JobId));
        app.Time.Advance(TimeSpan.FromHours(1));
        var scan = await app.Send(new ScanStuckJobsCommand());

        Assert.Equal((ProcessJobOutcome.VideoDeleted, 0), (result.Outcome, result.ExitCode));
        var ended = app.Database.Job(job.JobId);
        Assert.Equal((JobState.Failed, JobErrorCodes.VideoDeleted, 0), (ended.State, ended.ErrorCode, ended.AttemptCount));
        Assert.Equal(0, app.Transcoder.EncodeCount);
        Assert.Empty(scan.Entries);
        Assert.Single(app.Runner.Submissions);
    }

    [Fact]
    public async Task A_failed_upload_is_a_transient_storage_error_and_the_failure_queues_the_attempt_s_prefix()
    {
        var (videoId, job) = await app.UploadVideoAsync();
        app.Storage.FailUploadsAfter = 3;

        var result = await app.Send(new ProcessJobCommand(job.JobId));

        Assert.Equal(ProcessJobOutcome.Failed, result.Outcome);
        var waiting = app.Database.Job(job.JobId);
        Assert.Equal((JobState.RetryWait, JobErrorCodes.StorageError), (waiting.State, waiting.ErrorCode));
        var cleanup = Assert.Single(app.Database.PendingCleanups);
        Assert.Equal((StorageKeys.HlsPrefix(videoId, job.JobId, 1), job.JobId), (cleanup.Prefix, cleanup.JobId));
    }
}
