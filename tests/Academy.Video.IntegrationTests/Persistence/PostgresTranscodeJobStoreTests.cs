using Academy.Video.Application.Jobs;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using static Academy.Video.IntegrationTests.Persistence.PersistenceScenario;

namespace Academy.Video.IntegrationTests.Persistence;

public sealed class PostgresTranscodeJobStoreTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly PersistenceScenario _db = new(database.DataSource);

    [Fact]
    public async Task Start_runs_the_attempt_opens_its_history_row_and_moves_the_video_to_processing()
    {
        var (video, job) = await _db.QueueAsync(T0);
        job = await _db.SubmitAsync(job, "batch-1", T0.AddSeconds(1));

        var running = await _db.ApplyAsync(job, job.Start(T0.AddSeconds(5)));

        Assert.Equal((JobState.Running, 1, T0.AddSeconds(5)), (running.State, running.AttemptCount, running.LastHeartbeatAt));
        Assert.Equal(VideoStatus.Processing, (await _db.Videos.FindAsync(video.Id, None))!.Status);
        var attempt = Assert.Single(await _db.Jobs.ListAttemptsAsync(job.Id, None));
        Assert.Equal(new JobAttempt(job.Id, 1, T0.AddSeconds(5), null, null, null, null, "batch-1"), attempt);
    }

    [Fact]
    public async Task Complete_succeeds_the_job_and_publishes_the_video_with_its_hls_path()
    {
        var (video, job) = await _db.RunningAsync(T0);
        var hlsPath = StorageKeys.HlsPrefix(video.Id, job.Id, 1) + StorageKeys.MasterPlaylistName;

        var done = await _db.ApplyAsync(job, job.Complete(hlsPath, T0.AddMinutes(4))!);

        Assert.Equal((JobState.Succeeded, 100, T0.AddMinutes(4)), (done.State, done.ProgressPercent, done.FinishedAt));
        var published = (await _db.Videos.FindAsync(video.Id, None))!;
        Assert.Equal((VideoStatus.Ready, hlsPath), (published.Status, published.HlsPath));
        var attempt = Assert.Single(await _db.Jobs.ListAttemptsAsync(job.Id, None));
        Assert.Equal((T0.AddMinutes(4), JobState.Succeeded, null), (attempt.EndedAt, attempt.Outcome, attempt.ErrorCode));
    }

    [Fact]
    public async Task A_transient_failure_waits_for_a_retry_with_its_due_time_and_without_the_old_batch_id()
    {
        var (video, job) = await _db.RunningAsync(T0);
        var error = JobError.Transient(JobErrorCodes.StorageError, "R2 said 503");

        var waiting = await _db.ApplyAsync(job, job.Fail(error, T0.AddMinutes(1), JobPolicy.Default));

        Assert.Equal(JobState.RetryWait, waiting.State);
        Assert.Equal(T0.AddMinutes(1) + JobPolicy.Default.BackoffAfter(1), waiting.NextAttemptAt);
        Assert.Null(waiting.BatchJobId);
        Assert.Null(waiting.SubmittedAt);
        Assert.Equal(JobErrorCodes.StorageError, waiting.ErrorCode);
        Assert.Equal(VideoStatus.Processing, (await _db.Videos.FindAsync(video.Id, None))!.Status);
        var attempt = Assert.Single(await _db.Jobs.ListAttemptsAsync(job.Id, None));
        Assert.Equal(
            (T0.AddMinutes(1), JobState.RetryWait, JobErrorCodes.StorageError, "R2 said 503"),
            (attempt.EndedAt, attempt.Outcome, attempt.ErrorCode, attempt.ErrorMessage));
    }

    [Fact]
    public async Task The_fifth_transient_failure_is_dead_and_fails_the_video_with_five_attempts_on_record()
    {
        var (video, job) = await _db.RunningAsync(T0);
        var at = T0;
        for (var attempt = 1; attempt < JobPolicy.DefaultMaxAttempts; attempt++)
        {
            at = at.AddMinutes(5);
            job = await _db.ApplyAsync(job, job.Fail(JobError.Transient(JobErrorCodes.EncodeFailed, $"try {attempt}"), at, JobPolicy.Default));
            job = await _db.SubmitAsync(job, $"batch-{attempt + 1}", at.AddMinutes(1));
            job = await _db.ApplyAsync(job, job.Start(at.AddMinutes(2)));
        }

        var dead = await _db.ApplyAsync(job, job.Fail(JobError.Transient(JobErrorCodes.EncodeFailed, "try 5"), at.AddMinutes(3), JobPolicy.Default));

        Assert.Equal((JobState.Dead, 5), (dead.State, dead.AttemptCount));
        Assert.Equal(VideoStatus.Failed, (await _db.Videos.FindAsync(video.Id, None))!.Status);
        var attempts = await _db.Jobs.ListAttemptsAsync(job.Id, None);
        Assert.Equal([1, 2, 3, 4, 5], attempts.Select(a => a.Attempt));
        Assert.Equal(
            [JobState.RetryWait, JobState.RetryWait, JobState.RetryWait, JobState.RetryWait, JobState.Dead],
            attempts.Select(a => a.Outcome!.Value));
        Assert.Equal([$"batch-{job.Id:N}", "batch-2", "batch-3", "batch-4", "batch-5"], attempts.Select(a => a.BatchJobId));
        Assert.All(attempts, a => Assert.Equal(JobErrorCodes.EncodeFailed, a.ErrorCode));
    }

    [Fact]
    public async Task A_permanent_failure_fails_job_and_video_at_once()
    {
        var (video, job) = await _db.RunningAsync(T0);

        var failed = await _db.ApplyAsync(job, job.Fail(JobError.NoVideoStream(), T0.AddMinutes(1), JobPolicy.Default));

        Assert.Equal((JobState.Failed, JobErrorCodes.NoVideoStream), (failed.State, failed.ErrorCode));
        Assert.Equal(VideoStatus.Failed, (await _db.Videos.FindAsync(video.Id, None))!.Status);
        Assert.Equal(JobState.Failed, Assert.Single(await _db.Jobs.ListAttemptsAsync(job.Id, None)).Outcome);
    }

    [Fact]
    public async Task Cancelling_for_deletion_ends_the_running_attempt_and_leaves_the_video_deleting()
    {
        var (video, job) = await _db.RunningAsync(T0);
        var deleting = (await _db.Videos.FindAsync(video.Id, None))!;
        var cleanup = new Application.Storage.StorageCleanup(Guid.NewGuid(), StorageKeys.VideoPrefix(video.Id), video.Id, "video deleted", 0, T0.AddMinutes(1));
        Assert.True(await _db.Videos.TryStartDeletionAsync(deleting.Delete(T0.AddMinutes(1))!, cleanup, None));
        Assert.Equal(HeartbeatResult.Lost, await _db.Jobs.HeartbeatAsync(job.Id, 1, 50, T0.AddMinutes(1), None));

        var cancelled = await _db.ApplyAsync(job, job.CancelForDeletion(T0.AddMinutes(2))!);

        Assert.Equal((JobState.Failed, JobErrorCodes.VideoDeleted), (cancelled.State, cancelled.ErrorCode));
        Assert.Equal(VideoStatus.Deleting, (await _db.Videos.FindAsync(video.Id, None))!.Status);
        Assert.Equal(JobState.Failed, Assert.Single(await _db.Jobs.ListAttemptsAsync(job.Id, None)).Outcome);
    }

    [Fact]
    public async Task A_failure_never_drags_a_deleted_video_back_to_failed()
    {
        var (video, job) = await _db.RunningAsync(T0);
        var current = (await _db.Videos.FindAsync(video.Id, None))!;
        var cleanup = new Application.Storage.StorageCleanup(Guid.NewGuid(), StorageKeys.VideoPrefix(video.Id), video.Id, "video deleted", 0, T0);
        Assert.True(await _db.Videos.TryStartDeletionAsync(current.Delete(T0.AddMinutes(1))!, cleanup, None));

        await _db.ApplyAsync(job, job.Fail(JobError.SourceMissing(video.SourceKey), T0.AddMinutes(2), JobPolicy.Default));

        Assert.Equal(VideoStatus.Deleting, (await _db.Videos.FindAsync(video.Id, None))!.Status);
    }

    [Fact]
    public async Task Completing_an_already_published_queued_job_opens_no_attempt()
    {
        var (video, job) = await _db.QueueAsync(T0);

        var done = await _db.ApplyAsync(job, job.CompleteAlreadyPublished(T0.AddMinutes(1))!);

        Assert.Equal((JobState.Succeeded, 0, 100), (done.State, done.AttemptCount, done.ProgressPercent));
        Assert.Empty(await _db.Jobs.ListAttemptsAsync(job.Id, None));
        Assert.Equal(VideoStatus.Uploaded, (await _db.Videos.FindAsync(video.Id, None))!.Status);
    }

    [Fact]
    public async Task A_stale_transition_loses_and_changes_nothing()
    {
        var (_, job) = await _db.RunningAsync(T0);
        var staleFail = job.Fail(JobError.Transient(JobErrorCodes.StorageError, "late"), T0.AddMinutes(2), JobPolicy.Default);
        await _db.ApplyAsync(job, job.MarkStuck(T0.AddMinutes(4), JobPolicy.Default));
        var before = await _db.Jobs.FindAsync(job.Id, None);
        var attemptsBefore = await _db.Jobs.ListAttemptsAsync(job.Id, None);

        Assert.False(await _db.Jobs.TryTransitionAsync(staleFail, None));
        Assert.False(await _db.Jobs.TryRecordSubmissionAsync(new JobSubmission(job.Id, JobState.Queued, 0, "late", T0.AddMinutes(5)), None));

        Assert.Equal(before, await _db.Jobs.FindAsync(job.Id, None));
        Assert.Equal(attemptsBefore, await _db.Jobs.ListAttemptsAsync(job.Id, None));
    }

    [Fact]
    public async Task Of_fifty_workers_starting_the_same_job_exactly_one_wins()
    {
        var (_, job) = await _db.QueueAsync(T0);
        var start = job.Start(T0.AddSeconds(10));

        var results = await Task.WhenAll(Enumerable.Range(0, 50)
            .Select(_ => Task.Run(() => _db.Jobs.TryTransitionAsync(start, None))));

        Assert.Single(results, won => won);
        Assert.Single(await _db.Jobs.ListAttemptsAsync(job.Id, None));
        var started = (await _db.Jobs.FindAsync(job.Id, None))!;
        Assert.Equal((JobState.Running, 1), (started.State, started.AttemptCount));
    }

    [Fact]
    public async Task Only_the_running_attempt_may_heartbeat()
    {
        var (_, job) = await _db.RunningAsync(T0);

        Assert.Equal(HeartbeatResult.Alive, await _db.Jobs.HeartbeatAsync(job.Id, 1, 42, T0.AddSeconds(30), None));
        Assert.Equal(HeartbeatResult.Lost, await _db.Jobs.HeartbeatAsync(job.Id, 2, 43, T0.AddSeconds(31), None));
        var beaten = (await _db.Jobs.FindAsync(job.Id, None))!;
        Assert.Equal((42, T0.AddSeconds(30)), (beaten.ProgressPercent, beaten.LastHeartbeatAt));

        await _db.ApplyAsync(beaten, beaten.MarkStuck(T0.AddMinutes(5), JobPolicy.Default));
        Assert.Equal(HeartbeatResult.Lost, await _db.Jobs.HeartbeatAsync(job.Id, 1, 44, T0.AddMinutes(5), None));
        Assert.Equal(HeartbeatResult.Lost, await _db.Jobs.HeartbeatAsync(Guid.NewGuid(), 1, 44, T0.AddMinutes(5), None));
    }
}
