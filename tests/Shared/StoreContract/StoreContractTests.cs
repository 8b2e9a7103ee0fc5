using Academy.Video.Application.Jobs;
using Academy.Video.Application.Storage;
using Academy.Video.Application.Videos;
using Academy.Video.Application.Videos.Uploads;
using Academy.Video.Application.Webhooks;
using Academy.Video.Domain.Events;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;

namespace Academy.Video.Testing.StoreContract;

/// <summary>The persistence ports of one empty database.</summary>
public sealed record Stores(
    IVideoStore Videos,
    ITranscodeJobStore Jobs,
    IRecoveryScanStore Recovery,
    IStorageCleanupQueue Cleanups,
    IVideoUploadStore Uploads,
    IVideoEventStore Events);

/// <summary>
/// What every implementation of the persistence ports must do: the PostgreSQL adapters and the
/// in-memory store the application tests use run these same tests (linked into both test projects),
/// so the fake cannot drift from the SQL. Each test gets an empty database.
/// </summary>
public abstract class StoreContractTests : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly JobPolicy Policy = JobPolicy.Default;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    private Stores stores = null!;

    private IVideoStore Videos => stores.Videos;
    private ITranscodeJobStore Jobs => stores.Jobs;

    /// <summary>A fresh, empty database with its ports.</summary>
    protected abstract Task<Stores> CreateStoresAsync();

    protected virtual Task DropStoresAsync() => Task.CompletedTask;

    public async Task InitializeAsync() => stores = await CreateStoresAsync();

    public Task DisposeAsync() => DropStoresAsync();

    [Fact]
    public async Task Queueing_writes_the_video_change_and_the_job_together_and_returns_both()
    {
        var video = await AddVideoAsync(T0);
        var queue = ((UploadCompletion.Queue)video.CompleteUpload(Guid.NewGuid(), new StoredSource(123_456), TimeSpan.FromDays(3650), T0.AddMinutes(1))).Job;

        var queued = await Videos.TryQueueJobAsync(queue, None);

        Assert.NotNull(queued);
        Assert.Equal((VideoStatus.Uploaded, queue.Job.Id, 123_456L, T0.AddMinutes(1)),
            (queued.Video.Status, queued.Video.CurrentJobId, queued.Video.SourceSizeBytes, queued.Video.UpdatedAt));
        Assert.Equal(queued.Video, await Videos.FindAsync(video.Id, None));
        Assert.Equal(queue.Job, queued.Job);
        Assert.Equal(queue.Job, await Jobs.FindAsync(queue.Job.Id, None));
        Assert.Null(await Videos.TryQueueJobAsync(((UploadCompletion.Queue)video.CompleteUpload(Guid.NewGuid(), new StoredSource(1), TimeSpan.FromDays(3650), T0.AddMinutes(2))).Job, None));
    }

    [Fact]
    public async Task A_start_opens_the_attempt_and_returns_the_row_it_wrote()
    {
        var (video, job) = await QueueAsync(T0);
        job = await SubmitAsync(job, "batch-1", T0.AddSeconds(1));

        var running = await ApplyAsync(job.Start(T0.AddSeconds(5)));

        Assert.Equal((JobState.Running, 1, T0.AddSeconds(5), 0, "batch-1"), (running.State, running.AttemptCount, running.LastHeartbeatAt, running.ProgressPercent, running.BatchJobId));
        Assert.Equal(VideoStatus.Processing, (await Videos.FindAsync(video.Id, None))!.Status);
        Assert.Equal(new JobAttempt(job.Id, 1, T0.AddSeconds(5), null, null, null, null, "batch-1"), Assert.Single(await Jobs.ListAttemptsAsync(job.Id, None)));
    }

    [Fact]
    public async Task A_transient_failure_waits_without_its_batch_id_and_holds_its_prefix_for_cleanup_until_the_job_ends()
    {
        var (_, job) = await RunningAsync(T0);

        var waiting = await ApplyAsync(job.Fail(JobError.Transient(JobErrorCodes.StorageError, "R2 said 503"), T0.AddMinutes(1), Policy));

        Assert.Equal((JobState.RetryWait, null, null, JobErrorCodes.StorageError, "R2 said 503"), (waiting.State, waiting.BatchJobId, waiting.SubmittedAt, waiting.ErrorCode, waiting.ErrorMessage));
        Assert.Equal(T0.AddMinutes(1) + Policy.BackoffAfter(1), waiting.NextAttemptAt);
        var attempt = Assert.Single(await Jobs.ListAttemptsAsync(job.Id, None));
        Assert.Equal((T0.AddMinutes(1), JobState.RetryWait, JobErrorCodes.StorageError), (attempt.EndedAt, attempt.Outcome, attempt.ErrorCode));
        Assert.Empty(await stores.Cleanups.ClaimDueAsync(T0.AddDays(1), 10, Lease, None));

        waiting = await SubmitAsync(waiting, "batch-2", T0.AddMinutes(2));
        var second = await ApplyAsync(waiting.Start(T0.AddMinutes(3)));
        await ApplyAsync(second.Fail(JobError.NoVideoStream(), T0.AddMinutes(4), Policy));

        var due = await stores.Cleanups.ClaimDueAsync(T0.AddDays(1), 10, Lease, None);
        Assert.Equal([job.AttemptPrefix(1), job.AttemptPrefix(2)], due.Select(c => c.Prefix).Order(StringComparer.Ordinal));
        Assert.All(due, c => Assert.Equal((job.Id, (Guid?)null), (c.JobId, c.VideoId)));
    }

    [Fact]
    public async Task Completion_publishes_the_video_and_queues_every_other_attempt_prefix_once()
    {
        var (video, job) = await RunningAsync(T0);
        job = await ApplyAsync(job.MarkStuck(T0.AddMinutes(5), Policy));
        job = await SubmitAsync(job, "batch-2", T0.AddMinutes(6));
        job = await ApplyAsync(job.Start(T0.AddMinutes(7)));
        var hlsPath = job.AttemptPrefix(2) + StorageKeys.MasterPlaylistName;

        var done = await ApplyAsync(job.Complete(hlsPath, T0.AddMinutes(9))!);

        Assert.Equal((JobState.Succeeded, 100, T0.AddMinutes(9), null, null), (done.State, done.ProgressPercent, done.FinishedAt, done.ErrorCode, done.NextAttemptAt));
        var published = (await Videos.FindAsync(video.Id, None))!;
        Assert.Equal((VideoStatus.Ready, hlsPath), (published.Status, published.HlsPath));
        Assert.Equal([JobState.RetryWait, JobState.Succeeded], (await Jobs.ListAttemptsAsync(job.Id, None)).Select(a => a.Outcome!.Value));
        var due = await stores.Cleanups.ClaimDueAsync(T0.AddDays(1), 10, Lease, None);
        Assert.Equal(job.AttemptPrefix(1), Assert.Single(due).Prefix);
    }

    [Fact]
    public async Task Completion_writes_the_published_poster_and_storyboard_with_the_tree()
    {
        var (video, job) = await RunningAsync(T0);
        var prefix = job.AttemptPrefix(1);

        await ApplyAsync(job.Complete(prefix + "master.m3u8", T0.AddMinutes(1), prefix + StorageKeys.PosterName, prefix + StorageKeys.StoryboardName)!);

        var published = (await Videos.FindAsync(video.Id, None))!;
        Assert.Equal((VideoStatus.Ready, prefix + "master.m3u8"), (published.Status, published.HlsPath));
        Assert.Equal((prefix + "poster.jpg", prefix + "storyboard.vtt"), (published.PosterKey, published.StoryboardKey));
    }

    [Fact]
    public async Task The_loudness_measurement_is_stored_with_the_plan_and_a_plan_without_one_leaves_it_as_it_is()
    {
        var (_, job) = await RunningAsync(T0);
        var probe = new SourceMetadata(12, 1920, 1080, 0, "h264", "aac", 30, 4200);
        var measured = new Academy.Video.Domain.Media.LoudnessMeasurement(Academy.Video.Domain.Media.LoudnessStatus.Normalized, -35.02, -21.48, 0.1, -45.03, 0.04);

        Assert.True(await Jobs.TryRecordEncodePlanAsync(job.RecordEncodePlan(probe, "SOURCE_COPY", "copied", T0.AddMinutes(1)) with { Loudness = measured }, None));
        Assert.Equal(measured, (await Jobs.FindAsync(job.Id, None))!.Loudness);

        Assert.True(await Jobs.TryRecordEncodePlanAsync(job.RecordEncodePlan(probe, "SOURCE_COPY", "copied", T0.AddMinutes(2)), None));
        Assert.Equal(measured, (await Jobs.FindAsync(job.Id, None))!.Loudness);

        Assert.True(await Jobs.TryRecordEncodePlanAsync(job.RecordEncodePlan(probe, "SOURCE_COPY", "copied", T0.AddMinutes(3)) with { Loudness = Academy.Video.Domain.Media.LoudnessMeasurement.NoAudio }, None));
        Assert.Equal(Academy.Video.Domain.Media.LoudnessMeasurement.NoAudio, (await Jobs.FindAsync(job.Id, None))!.Loudness);
    }

    [Fact]
    public async Task The_slides_or_camera_decision_is_stored_with_the_plan_beside_the_loudness_and_a_plan_without_one_leaves_it_as_it_is()
    {
        var (_, job) = await RunningAsync(T0);
        var probe = new SourceMetadata(150, 1280, 720, 0, "h264", "aac", 30, 160);
        var slides = new Academy.Video.Domain.Media.LectureProfile(Academy.Video.Domain.Media.LectureProfileKind.Slides, 0.9532, 0.2102, 149.5);
        var loudness = new Academy.Video.Domain.Media.LoudnessMeasurement(Academy.Video.Domain.Media.LoudnessStatus.Normalized, -35.02, -21.48, 0.1, -45.03, 0.04);

        Assert.True(await Jobs.TryRecordEncodePlanAsync(job.RecordEncodePlan(probe, "SOURCE_COPY", "copied", T0.AddMinutes(1)) with { Loudness = loudness, Profile = slides }, None));
        Assert.Equal((slides, loudness), ((await Jobs.FindAsync(job.Id, None))!.Profile, (await Jobs.FindAsync(job.Id, None))!.Loudness));

        Assert.True(await Jobs.TryRecordEncodePlanAsync(job.RecordEncodePlan(probe, "SOURCE_COPY", "copied", T0.AddMinutes(2)), None));
        Assert.Equal(slides, (await Jobs.FindAsync(job.Id, None))!.Profile);

        Assert.True(await Jobs.TryRecordEncodePlanAsync(job.RecordEncodePlan(probe, "SOURCE_COPY", "copied", T0.AddMinutes(3)) with { Profile = Academy.Video.Domain.Media.LectureProfile.Disabled }, None));
        Assert.Equal(Academy.Video.Domain.Media.LectureProfile.Disabled, (await Jobs.FindAsync(job.Id, None))!.Profile);
    }

    [Fact]
    public async Task Recording_the_encode_plan_writes_the_decision_on_the_running_attempt_s_job_and_the_probe_on_its_video_and_nothing_for_a_superseded_one()
    {
        var (video, job) = await RunningAsync(T0);
        var probe = new SourceMetadata(3725.48, 1920, 1080, 90, "h264", "aac", 29.97, 4830);

        Assert.True(await Jobs.TryRecordEncodePlanAsync(job.RecordEncodePlan(probe, "SOURCE_COPY", "H.264 1920x1080 at 4830 kbps: copied as 1080p", T0.AddMinutes(1)), None));

        var recorded = (await Jobs.FindAsync(job.Id, None))!;
        Assert.Equal(("SOURCE_COPY", "H.264 1920x1080 at 4830 kbps: copied as 1080p", T0.AddMinutes(1)), (recorded.TopRungCode, recorded.TopRungReason, recorded.UpdatedAt));
        Assert.Equal(probe, (await Videos.FindAsync(video.Id, None))!.Source);

        var stuck = await ApplyAsync(recorded.MarkStuck(T0.AddMinutes(5), Policy));
        var late = recorded.RecordEncodePlan(probe with { Width = 1 }, "NOT_H264", "late", T0.AddMinutes(6));
        Assert.False(await Jobs.TryRecordEncodePlanAsync(late, None));
        Assert.Equal(("SOURCE_COPY", stuck.UpdatedAt), ((await Jobs.FindAsync(job.Id, None))!.TopRungCode, (await Jobs.FindAsync(job.Id, None))!.UpdatedAt));
        Assert.Equal(1920, (await Videos.FindAsync(video.Id, None))!.Source!.Width);
    }

    [Fact]
    public async Task The_video_page_read_returns_what_the_three_separate_reads_return()
    {
        // Current job with two attempts (the first ended, the second running), after a retry left an older job behind.
        var (video, first) = await RunningAsync(T0);
        await ApplyAsync(first.Fail(JobError.NoVideoStream(), T0.AddMinutes(1), Policy));
        var retried = await Videos.TryQueueJobAsync((await Videos.FindAsync(video.Id, None))!.Retry(Guid.NewGuid(), T0.AddMinutes(2)), None);
        var second = await SubmitAsync(retried!.Job, "batch-2", T0.AddMinutes(2));
        second = await ApplyAsync(second.Start(T0.AddMinutes(3)));
        second = await ApplyAsync(second.Fail(JobError.Transient(JobErrorCodes.StorageError, "R2 said 503"), T0.AddMinutes(4), Policy));
        second = await SubmitAsync(second, "batch-3", T0.AddMinutes(5));
        await ApplyAsync(second.Start(T0.AddMinutes(6)));
        var queuedOnly = await QueueAsync(T0);
        var noJob = await AddVideoAsync(T0);

        foreach (var id in new[] { video.Id, queuedOnly.Video.Id, noJob.Id })
        {
            var found = await Videos.FindWithCurrentJobAsync(id, None);

            Assert.NotNull(found);
            var separate = await Videos.FindAsync(id, None);
            var job = separate!.CurrentJobId is { } jobId ? await Jobs.FindAsync(jobId, None) : null;
            var attempts = job is null ? [] : await Jobs.ListAttemptsAsync(job.Id, None);
            Assert.Equal(separate, found.Video);
            Assert.Equal(job, found.Job);
            Assert.Equal(attempts, found.Attempts);
        }

        var withAttempts = (await Videos.FindWithCurrentJobAsync(video.Id, None))!;
        Assert.Equal(retried.Job.Id, withAttempts.Job!.Id);
        Assert.Equal([(1, (JobState?)JobState.RetryWait), (2, null)], withAttempts.Attempts.Select(a => (a.Attempt, a.Outcome)));
        Assert.Empty((await Videos.FindWithCurrentJobAsync(queuedOnly.Video.Id, None))!.Attempts);
        var bare = (await Videos.FindWithCurrentJobAsync(noJob.Id, None))!;
        Assert.Equal((noJob, (TranscodeJob?)null), (bare.Video, bare.Job));
        Assert.Empty(bare.Attempts);
        Assert.Null(await Videos.FindWithCurrentJobAsync(Guid.NewGuid(), None));
    }

    [Fact]
    public async Task A_video_s_jobs_are_listed_newest_first_each_with_its_attempts_and_no_other_video_s()
    {
        var (video, first) = await RunningAsync(T0);
        var failed = await ApplyAsync(first.Fail(JobError.NoVideoStream(), T0.AddMinutes(1), Policy));
        var retried = await Videos.TryQueueJobAsync((await Videos.FindAsync(video.Id, None))!.Retry(Guid.NewGuid(), T0.AddMinutes(2)), None);
        var second = await SubmitAsync(retried!.Job, "batch-2", T0.AddMinutes(2));
        second = await ApplyAsync(second.Start(T0.AddMinutes(3)));
        await RunningAsync(T0);
        var pending = await AddVideoAsync(T0);

        var history = await Jobs.ListJobsOfVideoAsync(video.Id, None);

        Assert.Equal([second, failed], history.Select(h => h.Job));
        Assert.Equal(await Jobs.ListAttemptsAsync(second.Id, None), history[0].Attempts);
        Assert.Equal(await Jobs.ListAttemptsAsync(first.Id, None), history[1].Attempts);
        Assert.Equal((1, JobState.Failed, JobErrorCodes.NoVideoStream), (history[1].Attempts[0].Attempt, history[1].Attempts[0].Outcome, history[1].Attempts[0].ErrorCode));
        Assert.Null(Assert.Single(history[0].Attempts).Outcome);
        Assert.Empty(await Jobs.ListJobsOfVideoAsync(pending.Id, None));
    }

    [Fact]
    public async Task A_video_keeps_where_its_poster_is_to_be_taken()
    {
        var video = LectureVideo.Create(Guid.NewGuid(), "Linear algebra 2", "lecture.mp4", "video/mp4", T0) with { PosterAtSeconds = 42.5 };

        await Videos.AddAsync(video, None);

        Assert.Equal(42.5, (await Videos.FindAsync(video.Id, None))!.PosterAtSeconds);
    }

    [Fact]
    public async Task A_deleted_video_stays_deleted_whatever_its_job_does()
    {
        var (video, job) = await RunningAsync(T0);
        // A row the old two-write deletion could leave: the video DELETING, its job still RUNNING.
        var current = (await Videos.FindAsync(video.Id, None))!;
        Assert.NotNull(await Videos.TryStartDeletionAsync(current.Delete(null, T0.AddMinutes(1))!, None));

        var failed = await ApplyAsync(job.Fail(JobError.SourceMissing(video.SourceKey), T0.AddMinutes(2), Policy));

        Assert.Equal(JobState.Failed, failed.State);
        Assert.Equal(VideoStatus.Deleting, (await Videos.FindAsync(video.Id, None))!.Status);
    }

    [Fact]
    public async Task Only_the_current_job_drives_its_video()
    {
        var (video, job) = await RunningAsync(T0);
        var stale = job with { Id = Guid.NewGuid() };
        Assert.False(new VideoEffect(video.Id, stale.Id, VideoStatus.Ready).AppliesTo((await Videos.FindAsync(video.Id, None))!));

        // The effect's own guard says no: the store must not apply it.
        var current = (await Videos.FindAsync(video.Id, None))!;
        var completion = job.Complete(job.AttemptPrefix(1) + "master.m3u8", T0.AddMinutes(1))! with
        {
            Video = new VideoEffect(video.Id, stale.Id, VideoStatus.Ready, "elsewhere/master.m3u8"),
        };
        await ApplyAsync(completion);

        Assert.Equal(current, await Videos.FindAsync(video.Id, None));
    }

    [Fact]
    public async Task A_stale_transition_loses_returns_nothing_and_changes_nothing()
    {
        var (_, job) = await RunningAsync(T0);
        var staleFail = job.Fail(JobError.Transient(JobErrorCodes.StorageError, "late"), T0.AddMinutes(2), Policy);
        await ApplyAsync(job.MarkStuck(T0.AddMinutes(4), Policy));
        var before = await Jobs.FindAsync(job.Id, None);
        var attemptsBefore = await Jobs.ListAttemptsAsync(job.Id, None);

        Assert.Null(await Jobs.TryTransitionAsync(staleFail, None));
        Assert.Null(await Jobs.TryRecordSubmissionAsync(new JobSubmission(job.Id, JobState.Queued, 0, null, "late", T0.AddMinutes(5)), None));

        Assert.Equal(before, await Jobs.FindAsync(job.Id, None));
        Assert.Equal(attemptsBefore, await Jobs.ListAttemptsAsync(job.Id, None));
    }

    [Fact]
    public async Task A_submission_is_recorded_only_while_the_job_has_none()
    {
        var (_, job) = await QueueAsync(T0);
        var first = job.RecordSubmission("batch-1", T0.AddSeconds(1));
        var second = job.RecordSubmission("batch-2", T0.AddSeconds(2));

        var recorded = await Jobs.TryRecordSubmissionAsync(first, None);
        var late = await Jobs.TryRecordSubmissionAsync(second, None);

        Assert.Equal(("batch-1", T0.AddSeconds(1)), (recorded!.BatchJobId, recorded.SubmittedAt));
        Assert.Null(late);
        Assert.Equal("batch-1", (await Jobs.FindAsync(job.Id, None))!.BatchJobId);
    }

    [Fact]
    public async Task A_submission_is_claimed_by_one_scanner_until_its_claim_ends_and_never_once_the_job_has_a_runner_id()
    {
        var (_, job) = await QueueAsync(T0);
        var until = T0.AddMinutes(2);

        Assert.True(await Jobs.TryClaimSubmissionAsync(job, T0.AddSeconds(1), until, None));
        Assert.False(await Jobs.TryClaimSubmissionAsync(job, T0.AddSeconds(2), T0.AddMinutes(3), None));
        Assert.False(await Jobs.TryClaimSubmissionAsync(job with { AttemptCount = 1 }, T0.AddMinutes(5), T0.AddMinutes(6), None));

        // A refused submission ends its claim; a claim of someone else's is left alone.
        await Jobs.ReleaseSubmissionClaimAsync(job.Id, T0.AddMinutes(9), None);
        Assert.False(await Jobs.TryClaimSubmissionAsync(job, T0.AddSeconds(3), T0.AddMinutes(3), None));
        await Jobs.ReleaseSubmissionClaimAsync(job.Id, until, None);
        Assert.True(await Jobs.TryClaimSubmissionAsync(job, T0.AddSeconds(4), T0.AddMinutes(3), None));

        // A lapsed claim can be taken again; a recorded submission can no longer be claimed.
        Assert.True(await Jobs.TryClaimSubmissionAsync(job, T0.AddMinutes(3), T0.AddMinutes(5), None));
        await Jobs.TryRecordSubmissionAsync(job.RecordSubmission("batch-1", T0.AddMinutes(4)), None);
        Assert.False(await Jobs.TryClaimSubmissionAsync(job, T0.AddMinutes(6), T0.AddMinutes(8), None));
    }

    [Fact]
    public async Task A_recorded_submission_ends_its_claim_so_the_next_attempt_can_be_claimed_at_once()
    {
        var (_, queued) = await QueueAsync(T0);
        Assert.True(await Jobs.TryClaimSubmissionAsync(queued, T0, T0.AddMinutes(2), None));
        var job = await SubmitAsync(queued, "batch-1", T0.AddSeconds(1));
        job = await ApplyAsync(job.Start(T0.AddSeconds(2)));
        var retry = await ApplyAsync(job.MarkStuck(T0.AddSeconds(10), Policy));

        Assert.Equal((JobState.RetryWait, null), (retry.State, retry.BatchJobId));
        Assert.True(await Jobs.TryClaimSubmissionAsync(retry, T0.AddSeconds(11), T0.AddMinutes(3), None));
    }

    [Fact]
    public async Task A_submission_that_never_started_is_counted_once_and_the_bound_makes_the_job_DEAD_with_the_reason()
    {
        var (video, job) = await QueueAsync(T0);
        var policy = Policy with { MaxAttempts = 2 };
        job = await SubmitAsync(job, "batch-1", T0);
        var lost = job.SubmissionNeverStarted("CannotPullContainerError", T0.AddMinutes(11), policy);

        var counted = await ApplyAsync(lost);
        var twice = await Jobs.TryTransitionAsync(lost, None);

        Assert.Null(twice);
        Assert.Equal((JobState.Queued, 1, null), (counted.State, counted.NeverStartedCount, counted.BatchJobId));
        Assert.Contains("CannotPullContainerError", counted.NeverStartedReason, StringComparison.Ordinal);

        counted = await SubmitAsync(counted, "batch-2", T0.AddMinutes(12));
        var dead = await ApplyAsync(counted.SubmissionNeverStarted("MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT", T0.AddMinutes(23), policy));

        Assert.Equal((JobState.Dead, JobErrorCodes.NeverStarted, 2, 0), (dead.State, dead.ErrorCode, dead.NeverStartedCount, dead.AttemptCount));
        Assert.Contains("MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT", dead.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(VideoStatus.Failed, (await Videos.FindAsync(video.Id, None))!.Status);
        Assert.Empty(await Jobs.ListAttemptsAsync(job.Id, None));
    }

    [Fact]
    public async Task Deletion_is_one_statement_ending_the_running_job_closing_its_attempt_and_queueing_the_video()
    {
        var (video, job) = await RunningAsync(T0);
        var current = (await Videos.FindAsync(video.Id, None))!;

        var deleting = await Videos.TryStartDeletionAsync(current.Delete(job, T0.AddMinutes(1))!, None);

        Assert.Equal((VideoStatus.Deleting, T0.AddMinutes(1)), (deleting!.Status, deleting.UpdatedAt));
        var ended = (await Jobs.FindAsync(job.Id, None))!;
        Assert.Equal((JobState.Failed, JobErrorCodes.VideoDeleted, T0.AddMinutes(1)), (ended.State, ended.ErrorCode, ended.FinishedAt));
        var attempt = Assert.Single(await Jobs.ListAttemptsAsync(job.Id, None));
        Assert.Equal((JobState.Failed, JobErrorCodes.VideoDeleted), (attempt.Outcome, attempt.ErrorCode));
        Assert.Equal(HeartbeatResult.Lost, await Jobs.HeartbeatAsync(job.Id, 1, 50, T0.AddMinutes(2), None));
        var due = await stores.Cleanups.ClaimDueAsync(T0.AddMinutes(1), 10, Lease, None);
        Assert.Contains(due, c => c.Prefix == StorageKeys.VideoPrefix(video.Id) && c.VideoId == video.Id);
    }

    [Fact]
    public async Task Deletion_changes_nothing_when_the_job_moved_since_it_was_read()
    {
        var (video, job) = await QueueAsync(T0);
        var read = (await Videos.FindAsync(video.Id, None))!;
        var deletion = read.Delete(job, T0.AddMinutes(1))!;
        await SubmitAsync(job, "batch-1", T0.AddSeconds(30));
        await ApplyAsync((await Jobs.FindAsync(job.Id, None))!.Start(T0.AddSeconds(40)));

        Assert.Null(await Videos.TryStartDeletionAsync(deletion, None));

        Assert.Equal(VideoStatus.Processing, (await Videos.FindAsync(video.Id, None))!.Status);
        Assert.Equal(JobState.Running, (await Jobs.FindAsync(job.Id, None))!.State);
        Assert.Empty(await stores.Cleanups.ClaimDueAsync(T0.AddDays(1), 10, Lease, None));
    }

    [Fact]
    public async Task Deleting_twice_queues_one_cleanup()
    {
        var video = await AddVideoAsync(T0);
        var deletion = video.Delete(null, T0.AddMinutes(1))!;

        Assert.NotNull(await Videos.TryStartDeletionAsync(deletion, None));
        Assert.Null(await Videos.TryStartDeletionAsync(deletion, None));

        Assert.Single(await stores.Cleanups.ClaimDueAsync(T0.AddMinutes(1), 10, Lease, None));
    }

    [Fact]
    public async Task Only_the_running_attempt_of_a_live_video_may_heartbeat()
    {
        var (_, job) = await RunningAsync(T0);

        Assert.Equal(HeartbeatResult.Alive, await Jobs.HeartbeatAsync(job.Id, 1, 42, T0.AddSeconds(30), None));
        Assert.Equal(HeartbeatResult.Lost, await Jobs.HeartbeatAsync(job.Id, 2, 43, T0.AddSeconds(31), None));
        var beaten = (await Jobs.FindAsync(job.Id, None))!;
        Assert.Equal((42, T0.AddSeconds(30)), (beaten.ProgressPercent, beaten.LastHeartbeatAt));

        await ApplyAsync(beaten.MarkStuck(T0.AddMinutes(5), Policy));
        Assert.Equal(HeartbeatResult.Lost, await Jobs.HeartbeatAsync(job.Id, 1, 44, T0.AddMinutes(5), None));
        Assert.Equal(HeartbeatResult.Lost, await Jobs.HeartbeatAsync(Guid.NewGuid(), 1, 44, T0.AddMinutes(5), None));
    }

    [Fact]
    public async Task The_attempt_of_a_video_being_deleted_is_told_to_stop()
    {
        var (video, job) = await RunningAsync(T0);
        var legacy = (await Videos.FindAsync(video.Id, None))!;
        // The old two-write deletion: the video moved, its job not yet.
        Assert.NotNull(await Videos.TryStartDeletionAsync(legacy.Delete(null, T0.AddMinutes(1))!, None));

        Assert.Equal(HeartbeatResult.Lost, await Jobs.HeartbeatAsync(job.Id, 1, 10, T0.AddMinutes(2), None));
        Assert.Equal(JobState.Running, (await Jobs.FindAsync(job.Id, None))!.State);
    }

    [Fact]
    public async Task The_backlog_counts_only_unfinished_jobs_and_their_oldest_ages()
    {
        var now = T0.AddHours(1);
        await QueueAsync(now.AddMinutes(-10));
        await QueueAsync(now.AddMinutes(-3));
        await RunningAsync(now.AddMinutes(-8));
        var (_, retrying) = await RunningAsync(now.AddMinutes(-30));
        retrying = await ApplyAsync(retrying.Fail(JobError.Transient(JobErrorCodes.StorageError, "x"), now.AddMinutes(-7), Policy));
        await SubmitAsync(retrying, "batch-2", now.AddMinutes(-1));
        var (_, done) = await RunningAsync(now.AddMinutes(-50));
        await ApplyAsync(done.Complete(done.AttemptPrefix(1) + "master.m3u8", now.AddMinutes(-45))!);

        var backlog = await Jobs.GetBacklogAsync(now, None);

        Assert.Equal(
            new Dictionary<JobState, int> { [JobState.Queued] = 2, [JobState.Running] = 1, [JobState.RetryWait] = 1 },
            backlog.CountsByState);
        Assert.Equal(TimeSpan.FromMinutes(10), backlog.OldestQueuedAge);
        Assert.Equal(TimeSpan.FromMinutes(7), backlog.OldestRetryWaitAge);
        Assert.Equal(TimeSpan.FromMinutes(8), backlog.OldestRunningHeartbeatAge);
    }

    [Fact]
    public async Task A_deleted_video_becomes_DELETED_only_when_its_last_prefix_is_empty()
    {
        var (video, job) = await RunningAsync(T0);
        var current = (await Videos.FindAsync(video.Id, None))!;
        Assert.NotNull(await Videos.TryStartDeletionAsync(current.Delete(job, T0.AddMinutes(1))!, None));
        var due = await stores.Cleanups.ClaimDueAsync(T0.AddMinutes(1), 10, Lease, None);
        var whole = due.Single(c => c.VideoId == video.Id);
        var attemptPrefix = due.Single(c => c.JobId == job.Id);

        await stores.Cleanups.CompleteAsync(attemptPrefix, T0.AddMinutes(2), None);
        Assert.Equal(VideoStatus.Deleting, (await Videos.FindAsync(video.Id, None))!.Status);

        await stores.Cleanups.CompleteAsync(whole, T0.AddMinutes(3), None);
        var deleted = (await Videos.FindAsync(video.Id, None))!;
        Assert.Equal((VideoStatus.Deleted, T0.AddMinutes(3)), (deleted.Status, deleted.UpdatedAt));
        Assert.Empty(await stores.Cleanups.ClaimDueAsync(T0.AddDays(1), 10, Lease, None));
    }

    [Fact]
    public async Task A_claimed_cleanup_is_leased_then_due_again_and_rescheduled_on_failure()
    {
        var video = await AddVideoAsync(T0);
        Assert.NotNull(await Videos.TryStartDeletionAsync(video.Delete(null, T0.AddMinutes(1))!, None));

        var first = Assert.Single(await stores.Cleanups.ClaimDueAsync(T0.AddMinutes(1), 10, Lease, None));
        Assert.Equal((StorageKeys.VideoPrefix(video.Id), 1), (first.Prefix, first.Attempts));
        Assert.Empty(await stores.Cleanups.ClaimDueAsync(T0.AddMinutes(2), 10, Lease, None));
        var second = Assert.Single(await stores.Cleanups.ClaimDueAsync(T0.AddMinutes(6), 10, Lease, None));
        Assert.Equal(2, second.Attempts);

        await stores.Cleanups.RescheduleAsync(first.Id, "R2 timeout", T0.AddMinutes(30), None);
        Assert.Empty(await stores.Cleanups.ClaimDueAsync(T0.AddMinutes(29), 10, Lease, None));
        Assert.Single(await stores.Cleanups.ClaimDueAsync(T0.AddMinutes(30), 10, Lease, None));
    }

    [Fact]
    public async Task The_recovery_claim_returns_each_candidate_kind_with_its_video_status_and_no_healthy_job()
    {
        var now = T0.AddHours(1);
        var (_, stuck) = await RunningAsync(now.AddMinutes(-10));
        var (_, healthy) = await RunningAsync(now.AddMinutes(-1));
        var (_, retrying) = await RunningAsync(now.AddMinutes(-30));
        retrying = await ApplyAsync(retrying.Fail(JobError.Transient(JobErrorCodes.StorageError, "x"), now.AddMinutes(-20), Policy));
        var (_, lostSubmission) = await QueueAsync(now.AddMinutes(-5));
        var (_, freshlyQueued) = await QueueAsync(now.AddMinutes(-1));
        var (deletedVideo, submittedLongAgo) = await QueueAsync(now.AddMinutes(-40));
        submittedLongAgo = await SubmitAsync(submittedLongAgo, "batch-old", now.AddMinutes(-30));
        Assert.NotNull(await Videos.TryStartDeletionAsync((await Videos.FindAsync(deletedVideo.Id, None))!.Delete(null, now.AddMinutes(-20))!, None));

        await using var claim = await stores.Recovery.ClaimCandidatesAsync(QueryAt(now), None);

        Assert.Equal(
            new[] { stuck.Id, retrying.Id, lostSubmission.Id, submittedLongAgo.Id }.Order(),
            claim.Candidates.Select(c => c.Job.Id).Order());
        Assert.Equal(VideoStatus.Deleting, claim.Candidates.Single(c => c.Job.Id == submittedLongAgo.Id).VideoStatus);
        Assert.Equal(VideoStatus.Processing, claim.Candidates.Single(c => c.Job.Id == stuck.Id).VideoStatus);
        Assert.DoesNotContain(claim.Candidates, c => c.Job.Id == healthy.Id || c.Job.Id == freshlyQueued.Id);
    }

    [Fact]
    public async Task Changes_through_a_claim_are_kept_only_when_committed_and_two_claims_never_share_a_job()
    {
        var now = T0.AddHours(1);
        var (_, first) = await RunningAsync(now.AddMinutes(-10));
        var (_, second) = await RunningAsync(now.AddMinutes(-9));

        await using (var dryRun = await stores.Recovery.ClaimCandidatesAsync(QueryAt(now, limit: 1), None))
        await using (var other = await stores.Recovery.ClaimCandidatesAsync(QueryAt(now, limit: 5), None))
        {
            Assert.Equal(first.Id, Assert.Single(dryRun.Candidates).Job.Id);
            Assert.Equal(second.Id, Assert.Single(other.Candidates).Job.Id);
            var released = await dryRun.TryTransitionAsync(first.MarkStuck(now, Policy), None);
            Assert.Equal(JobState.RetryWait, released!.State);
        }

        Assert.Equal(first, await Jobs.FindAsync(first.Id, None));

        await using (var claim = await stores.Recovery.ClaimCandidatesAsync(QueryAt(now), None))
        {
            foreach (var candidate in claim.Candidates)
            {
                Assert.NotNull(await claim.TryTransitionAsync(candidate.Job.MarkStuck(now, Policy), None));
            }

            await claim.CommitAsync(None);
        }

        foreach (var id in new[] { first.Id, second.Id })
        {
            Assert.Equal(JobState.RetryWait, (await Jobs.FindAsync(id, None))!.State);
        }

        Assert.Equal(JobState.RetryWait, Assert.Single(await Jobs.ListAttemptsAsync(first.Id, None)).Outcome);
    }

    [Fact]
    public async Task A_first_start_and_a_completion_write_video_processing_and_video_ready_in_their_statements()
    {
        var (video, job) = await QueueAsync(T0);
        job = await SubmitAsync(job, "batch-1", T0);
        job = await ApplyAsync(job.Start(T0.AddSeconds(5)));

        await ApplyAsync(job.Complete(job.AttemptPrefix(1) + StorageKeys.MasterPlaylistName, T0.AddMinutes(2))!);

        var events = await EventsOfAsync(video.Id);
        Assert.Equal(
            [(VideoEventType.VideoProcessing, (Guid?)job.Id, T0.AddSeconds(5)), (VideoEventType.VideoReady, job.Id, T0.AddMinutes(2))],
            events.Select(e => (e.Type, e.JobId, e.OccurredAt)));
        Assert.All(events, e => Assert.Equal((video.Id, (string?)null, (DateTimeOffset?)null), (e.VideoId, e.Body, e.DispatchedAt)));
        Assert.True(events[0].Position < events[1].Position);
        Assert.Equal(events[1], await stores.Events.FindAsync(events[1].Id, None));
    }

    [Fact]
    public async Task A_running_attempt_makes_its_video_playable_once_with_video_playable_and_READY_keeps_it_at_the_published_master()
    {
        var (video, job) = await RunningAsync(T0);
        var master = job.AttemptPrefix(1) + StorageKeys.MasterPlaylistName;

        Assert.Equal(PlayableResult.Marked, await Jobs.TryMarkPlayableAsync(job.MarkPlayable(master, T0.AddSeconds(20)), None));
        Assert.Equal(PlayableResult.Unchanged, await Jobs.TryMarkPlayableAsync(job.MarkPlayable(master, T0.AddSeconds(30)), None));

        var playable = (await Videos.FindAsync(video.Id, None))!;
        Assert.Equal((VideoStatus.Processing, master, (DateTimeOffset?)T0.AddSeconds(20), master, true),
            (playable.Status, playable.PlayablePath, playable.PlayableAt, playable.PlaybackPath, playable.IsPlayable));
        await ApplyAsync(job.Complete(master, T0.AddMinutes(2))!);
        var ready = (await Videos.FindAsync(video.Id, None))!;
        Assert.Equal((master, (DateTimeOffset?)T0.AddSeconds(20), master), (ready.PlayablePath, ready.PlayableAt, ready.PlaybackPath));
        Assert.Equal(
            [(VideoEventType.VideoProcessing, T0), (VideoEventType.VideoPlayable, T0.AddSeconds(20)), (VideoEventType.VideoReady, T0.AddMinutes(2))],
            (await EventsOfAsync(video.Id)).Select(e => (e.Type, e.OccurredAt)));
    }

    [Fact]
    public async Task A_superseded_attempt_cannot_make_its_video_playable_and_an_attempt_that_ends_RETRY_WAIT_takes_its_pointer_with_it()
    {
        var (video, job) = await RunningAsync(T0);
        var first = job.AttemptPrefix(1) + StorageKeys.MasterPlaylistName;
        Assert.Equal(PlayableResult.Marked, await Jobs.TryMarkPlayableAsync(job.MarkPlayable(first, T0.AddSeconds(20)), None));

        // The attempt's prefix is queued for cleanup by the statement that ends it: the pointer into it goes in that statement.
        var waiting = await ApplyAsync(job.MarkStuck(T0.AddMinutes(4), Policy));
        var unplayable = (await Videos.FindAsync(video.Id, None))!;
        Assert.Equal((VideoStatus.Processing, (string?)null, (DateTimeOffset?)null, false), (unplayable.Status, unplayable.PlayablePath, unplayable.PlayableAt, unplayable.IsPlayable));
        Assert.Equal(PlayableResult.Superseded, await Jobs.TryMarkPlayableAsync(job.MarkPlayable(first, T0.AddMinutes(5)), None));
        Assert.Null((await Videos.FindAsync(video.Id, None))!.PlayablePath);

        var second = await ApplyAsync((await SubmitAsync(waiting, "batch-2", T0.AddMinutes(6))).Start(T0.AddMinutes(7)));
        var secondMaster = second.AttemptPrefix(2) + StorageKeys.MasterPlaylistName;
        Assert.Equal(PlayableResult.Marked, await Jobs.TryMarkPlayableAsync(second.MarkPlayable(secondMaster, T0.AddMinutes(8)), None));
        await ApplyAsync(second.Fail(JobError.NoVideoStream(), T0.AddMinutes(9), Policy));

        var failed = (await Videos.FindAsync(video.Id, None))!;
        Assert.Equal((VideoStatus.Failed, (string?)null, (string?)null), (failed.Status, failed.PlayablePath, failed.PlaybackPath));
        Assert.Equal(2, (await EventsOfAsync(video.Id)).Count(e => e.Type == VideoEventType.VideoPlayable));
    }

    [Fact]
    public async Task A_retried_attempt_and_a_transient_failure_write_no_event()
    {
        var (video, job) = await RunningAsync(T0);

        var waiting = await ApplyAsync(job.Fail(JobError.Transient(JobErrorCodes.StorageError, "R2 said 503"), T0.AddMinutes(1), Policy));
        waiting = await SubmitAsync(waiting, "batch-2", T0.AddMinutes(2));
        await ApplyAsync(waiting.Start(T0.AddMinutes(3)));

        Assert.Equal([VideoEventType.VideoProcessing], (await EventsOfAsync(video.Id)).Select(e => e.Type));
    }

    [Fact]
    public async Task The_last_attempt_failing_writes_video_failed_then_job_dead_and_a_permanent_failure_only_video_failed()
    {
        var (deadVideo, dying) = await RunningAsync(T0);
        var (failedVideo, failing) = await RunningAsync(T0);

        await ApplyAsync(dying.Fail(JobError.Transient(JobErrorCodes.StorageError, "x"), T0.AddMinutes(1), Policy with { MaxAttempts = 1 }));
        await ApplyAsync(failing.Fail(JobError.NoVideoStream(), T0.AddMinutes(1), Policy));

        Assert.Equal(
            [(VideoEventType.VideoProcessing, T0), (VideoEventType.VideoFailed, T0.AddMinutes(1)), (VideoEventType.JobDead, T0.AddMinutes(1))],
            (await EventsOfAsync(deadVideo.Id)).Select(e => (e.Type, e.OccurredAt)));
        Assert.Equal([VideoEventType.VideoProcessing, VideoEventType.VideoFailed], (await EventsOfAsync(failedVideo.Id)).Select(e => e.Type));
    }

    [Fact]
    public async Task A_lost_compare_and_set_writes_no_event()
    {
        var (video, job) = await RunningAsync(T0);
        var staleCompletion = job.Complete(job.AttemptPrefix(1) + StorageKeys.MasterPlaylistName, T0.AddMinutes(2))!;
        var staleFailure = job.Fail(JobError.NoVideoStream(), T0.AddMinutes(2), Policy);
        var staleDeletion = (await Videos.FindAsync(video.Id, None))!.Delete(job, T0.AddMinutes(3))!;
        await ApplyAsync(job.MarkStuck(T0.AddMinutes(4), Policy));
        var before = await EventsOfAsync(video.Id);

        Assert.Null(await Jobs.TryTransitionAsync(staleCompletion, None));
        Assert.Null(await Jobs.TryTransitionAsync(staleFailure, None));
        Assert.Null(await Videos.TryStartDeletionAsync(staleDeletion, None));

        Assert.Equal([VideoEventType.VideoProcessing], before.Select(e => e.Type));
        Assert.Equal(before, await EventsOfAsync(video.Id));
    }

    [Fact]
    public async Task A_video_that_did_not_move_is_not_told_about_but_its_dead_job_is()
    {
        var (video, job) = await RunningAsync(T0);
        // The old two-write deletion: the video DELETING, its job still RUNNING.
        Assert.NotNull(await Videos.TryStartDeletionAsync((await Videos.FindAsync(video.Id, None))!.Delete(null, T0.AddMinutes(1))!, None));

        await ApplyAsync(job.Fail(JobError.Transient(JobErrorCodes.StorageError, "x"), T0.AddMinutes(2), Policy with { MaxAttempts = 1 }));

        Assert.Equal(
            [VideoEventType.VideoProcessing, VideoEventType.VideoDeleted, VideoEventType.JobDead],
            (await EventsOfAsync(video.Id)).Select(e => e.Type));
    }

    [Fact]
    public async Task Deletion_writes_video_deleted_once_with_the_job_it_ended()
    {
        var (video, job) = await RunningAsync(T0);
        var deletion = (await Videos.FindAsync(video.Id, None))!.Delete(job, T0.AddMinutes(1))!;

        Assert.NotNull(await Videos.TryStartDeletionAsync(deletion, None));
        Assert.Null(await Videos.TryStartDeletionAsync(deletion, None));

        var events = await EventsOfAsync(video.Id);
        Assert.Equal(
            [(VideoEventType.VideoProcessing, (Guid?)job.Id, T0), (VideoEventType.VideoDeleted, job.Id, T0.AddMinutes(1))],
            events.Select(e => (e.Type, e.JobId, e.OccurredAt)));
    }

    [Fact]
    public async Task An_expired_upload_writes_video_upload_expired_once_and_a_completed_one_neither_expires_nor_tells()
    {
        var window = TimeSpan.FromHours(1);
        var abandoned = await AddVideoAsync(T0);
        var completed = await AddVideoAsync(T0);
        var staleExpiry = completed.ExpireUpload(window, T0.AddHours(2))!;
        await Videos.TryQueueJobAsync(((UploadCompletion.Queue)completed.CompleteUpload(Guid.NewGuid(), new StoredSource(1), TimeSpan.FromDays(3650), T0.AddMinutes(59))).Job, None);

        var expiry = abandoned.ExpireUpload(window, T0.AddHours(2))!;
        Assert.True(await stores.Uploads.TryExpireAsync(expiry, CleanupOf(abandoned, T0.AddHours(2)), None));
        Assert.False(await stores.Uploads.TryExpireAsync(expiry, CleanupOf(abandoned, T0.AddHours(3)), None));
        Assert.False(await stores.Uploads.TryExpireAsync(staleExpiry, CleanupOf(completed, T0.AddHours(2)), None));

        var expired = Assert.Single(await EventsOfAsync(abandoned.Id));
        Assert.Equal((VideoEventType.VideoUploadExpired, (Guid?)null, T0.AddHours(2)), (expired.Type, expired.JobId, expired.OccurredAt));
        Assert.Empty(await EventsOfAsync(completed.Id));
    }

    [Fact]
    public async Task Events_written_through_a_recovery_claim_are_kept_only_when_it_commits()
    {
        var now = T0.AddHours(1);
        var (video, job) = await RunningAsync(now.AddMinutes(-10));
        var policy = Policy with { MaxAttempts = 1 };

        await using (var dryRun = await stores.Recovery.ClaimCandidatesAsync(QueryAt(now), None))
        {
            Assert.Equal(JobState.Dead, (await dryRun.TryTransitionAsync(job.MarkStuck(now, policy), None))!.State);
        }

        Assert.Equal([VideoEventType.VideoProcessing], (await EventsOfAsync(video.Id)).Select(e => e.Type));

        await using (var claim = await stores.Recovery.ClaimCandidatesAsync(QueryAt(now), None))
        {
            Assert.NotNull(await claim.TryTransitionAsync(job.MarkStuck(now, policy), None));
            await claim.CommitAsync(None);
        }

        Assert.Equal(
            [VideoEventType.VideoProcessing, VideoEventType.VideoFailed, VideoEventType.JobDead],
            (await EventsOfAsync(video.Id)).Select(e => e.Type));
    }

    [Fact]
    public async Task Events_are_listed_newest_first_by_video_and_type_a_page_at_a_time()
    {
        var (first, firstJob) = await RunningAsync(T0);
        var (second, _) = await RunningAsync(T0.AddMinutes(1));
        await ApplyAsync(firstJob.Complete(firstJob.AttemptPrefix(1) + StorageKeys.MasterPlaylistName, T0.AddMinutes(2))!);

        var page = await stores.Events.ListAsync(new VideoEventQuery(null, null, null, 2), None);
        var rest = await stores.Events.ListAsync(new VideoEventQuery(null, null, page.Next, 2), None);
        var ready = await stores.Events.ListAsync(new VideoEventQuery(null, VideoEventType.VideoReady, null, 10), None);

        Assert.Equal([first.Id, second.Id, first.Id], page.Items.Concat(rest.Items).Select(e => e.VideoId));
        Assert.Equal([VideoEventType.VideoReady, VideoEventType.VideoProcessing, VideoEventType.VideoProcessing], page.Items.Concat(rest.Items).Select(e => e.Type));
        Assert.Null(rest.Next);
        Assert.Equal(first.Id, Assert.Single(ready.Items).VideoId);
    }

    /// <summary>The video's events, oldest first.</summary>
    private async Task<IReadOnlyList<VideoEvent>> EventsOfAsync(Guid videoId) =>
        (await stores.Events.ListAsync(new VideoEventQuery(videoId, null, null, 100), None)).Items.Reverse().ToList();

    private static StorageCleanup CleanupOf(LectureVideo video, DateTimeOffset at) =>
        new(Guid.NewGuid(), StorageKeys.VideoPrefix(video.Id), video.Id, null, "upload expired", 0, at);

    private static RecoveryCandidateQuery QueryAt(DateTimeOffset now, int limit = 100) => new(
        HeartbeatBefore: now - Policy.StuckThreshold,
        RetryDueBy: now,
        QueuedBefore: now - Policy.SubmitGracePeriod,
        SubmittedBefore: now - Policy.SubmissionCheckAfter,
        Limit: limit);

    private async Task<LectureVideo> AddVideoAsync(DateTimeOffset at)
    {
        var video = LectureVideo.Create(Guid.NewGuid(), "Linear algebra 1", "lecture.mp4", "video/mp4", at);
        await Videos.AddAsync(video, None);
        return video;
    }

    /// <summary>A video whose upload completed: UPLOADED with a QUEUED job.</summary>
    private async Task<(LectureVideo Video, TranscodeJob Job)> QueueAsync(DateTimeOffset at)
    {
        var video = await AddVideoAsync(at);
        var queued = await Videos.TryQueueJobAsync(((UploadCompletion.Queue)video.CompleteUpload(Guid.NewGuid(), new StoredSource(4_096), TimeSpan.FromDays(3650), at)).Job, None);
        return (queued!.Video, queued.Job);
    }

    /// <summary>Applies a transition that must win; the row it returns is the row stored.</summary>
    private async Task<TranscodeJob> ApplyAsync(JobTransition transition)
    {
        var written = await Jobs.TryTransitionAsync(transition, None);
        Assert.NotNull(written);
        Assert.Equal(written, await Jobs.FindAsync(transition.JobId, None));
        return written;
    }

    private async Task<TranscodeJob> SubmitAsync(TranscodeJob job, string batchJobId, DateTimeOffset at)
    {
        var recorded = await Jobs.TryRecordSubmissionAsync(job.RecordSubmission(batchJobId, at), None);
        Assert.NotNull(recorded);
        Assert.Equal(recorded, await Jobs.FindAsync(job.Id, None));
        return recorded;
    }

    /// <summary>A job RUNNING its first attempt, started (last heartbeat) at <paramref name="startedAt"/>.</summary>
    private async Task<(LectureVideo Video, TranscodeJob Job)> RunningAsync(DateTimeOffset startedAt)
    {
        var (video, job) = await QueueAsync(startedAt);
        job = await SubmitAsync(job, $"batch-{job.Id:N}", startedAt);
        job = await ApplyAsync(job.Start(startedAt));
        return (video, job);
    }
}
