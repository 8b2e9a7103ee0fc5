using Academy.Video.Domain;
using Academy.Video.Domain.Events;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using static Academy.Video.UnitTests.Domain.Jobs;

namespace Academy.Video.UnitTests.Domain;

public sealed class TranscodeJobTests
{
    private static readonly JobPolicy Policy = JobPolicy.Default;
    private static readonly DateTimeOffset Later = T0.AddMinutes(1);

    [Fact]
    public void Start_from_QUEUED_runs_attempt_one_as_the_first_heartbeat_and_marks_the_video_PROCESSING()
    {
        var job = Queued();

        var transition = job.Start(Later);

        Assert.Equal((JobState.Queued, 0, JobState.Running, 1), (transition.FromState, transition.FromAttempt, transition.ToState, transition.ToAttempt));
        Assert.Equal(new VideoEffect(job.VideoId, job.Id, VideoStatus.Processing) { Event = VideoEventType.VideoProcessing }, transition.Video);
        Assert.Equal((Later, 0, true), (transition.HeartbeatAt, transition.ProgressPercent, transition.ClearsError));
        Assert.True(transition.StartsAttempt);
        Assert.Empty(transition.OrphanedPrefixes);
    }

    [Fact]
    public void Start_from_RETRY_WAIT_runs_the_next_attempt_clears_the_last_error_and_the_due_time()
    {
        var job = In(JobState.RetryWait, attempt: 2) with { ErrorCode = "X", ErrorMessage = "boom", NextAttemptAt = T0 };

        var transition = job.Start(Later);

        Assert.Equal((JobState.Running, 3, true, null), (transition.ToState, transition.ToAttempt, transition.ClearsError, transition.NextAttemptAt));
    }

    [Theory]
    [InlineData(JobState.Running)]
    [InlineData(JobState.Succeeded)]
    [InlineData(JobState.Failed)]
    [InlineData(JobState.Dead)]
    public void Start_is_refused_with_a_typed_error_outside_QUEUED_and_RETRY_WAIT(JobState state)
    {
        var error = Assert.Throws<InvalidJobTransitionException>(() => In(state).Start(Later));

        Assert.Equal("INVALID_JOB_TRANSITION", error.Code);
        Assert.Equal(state, error.From);
        Assert.IsAssignableFrom<DomainException>(error);
    }

    [Fact]
    public void Complete_from_RUNNING_succeeds_publishes_the_video_and_orphans_every_earlier_attempt()
    {
        var job = In(JobState.Running, attempt: 3);
        var hlsPath = job.AttemptPrefix(3) + "master.m3u8";

        var transition = job.Complete(hlsPath, Later)!;

        Assert.Equal((JobState.Succeeded, 100, true, Later), (transition.ToState, transition.ProgressPercent, transition.ClearsError, transition.FinishedAt));
        Assert.Equal(new VideoEffect(job.VideoId, job.Id, VideoStatus.Ready, hlsPath) { Event = VideoEventType.VideoReady }, transition.Video);
        Assert.Equal([job.AttemptPrefix(1), job.AttemptPrefix(2)], transition.OrphanedPrefixes);
    }

    [Fact]
    public void Complete_repeated_on_SUCCEEDED_is_a_no_op()
    {
        Assert.Null(In(JobState.Succeeded).Complete("p/master.m3u8", Later));
        Assert.Null(In(JobState.Succeeded).CompleteAlreadyPublished("p/master.m3u8", Later));
    }

    [Theory]
    [InlineData(JobState.Queued)]
    [InlineData(JobState.RetryWait)]
    [InlineData(JobState.Failed)]
    [InlineData(JobState.Dead)]
    public void Complete_is_refused_unless_RUNNING(JobState state) =>
        Assert.Throws<InvalidJobTransitionException>(() => In(state).Complete("p/master.m3u8", Later));

    [Theory]
    [InlineData(JobState.Queued)]
    [InlineData(JobState.Running)]
    [InlineData(JobState.RetryWait)]
    public void CompleteAlreadyPublished_finishes_any_unfinished_job_without_touching_the_video(JobState state)
    {
        var transition = In(state).CompleteAlreadyPublished("p/master.m3u8", Later)!;

        Assert.Equal(JobState.Succeeded, transition.ToState);
        Assert.Null(transition.Video);
    }

    [Fact]
    public void CompleteAlreadyPublished_orphans_every_attempt_prefix_but_the_published_one()
    {
        var job = In(JobState.RetryWait, attempt: 3);

        var transition = job.CompleteAlreadyPublished(job.AttemptPrefix(2) + "master.m3u8", Later)!;

        Assert.Equal([job.AttemptPrefix(1), job.AttemptPrefix(3)], transition.OrphanedPrefixes);
    }

    [Theory]
    [InlineData(JobState.Failed)]
    [InlineData(JobState.Dead)]
    public void CompleteAlreadyPublished_is_refused_on_ended_jobs(JobState state) =>
        Assert.Throws<InvalidJobTransitionException>(() => In(state).CompleteAlreadyPublished("p/master.m3u8", Later));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void A_transient_failure_with_attempts_left_waits_for_a_retry_with_backoff_and_orphans_its_prefix(int attempt)
    {
        var job = In(JobState.Running, attempt, batchJobId: "batch-1");

        var transition = job.Fail(JobError.Transient(JobErrorCodes.EncodeFailed, "ffmpeg exited 1"), Later, Policy);

        Assert.Equal((JobState.RetryWait, attempt), (transition.ToState, transition.ToAttempt));
        Assert.Equal(Later + Policy.BackoffAfter(attempt), transition.NextAttemptAt);
        Assert.True(transition.ClearBatchJobId);
        Assert.Equal(JobErrorCodes.EncodeFailed, transition.Error!.Code);
        Assert.Null(transition.Video);
        Assert.Equal([job.AttemptPrefix(attempt)], transition.OrphanedPrefixes);
        Assert.True(transition.EndsAttempt);
    }

    [Fact]
    public void A_transient_failure_of_the_fifth_attempt_is_DEAD_and_fails_the_video()
    {
        var job = In(JobState.Running, attempt: 5);

        var transition = job.Fail(JobError.Transient("X", "boom"), Later, Policy);

        Assert.Equal(JobState.Dead, transition.ToState);
        Assert.Equal(new VideoEffect(job.VideoId, job.Id, VideoStatus.Failed) { Event = VideoEventType.VideoFailed }, transition.Video);
        Assert.Equal(VideoEventType.JobDead, transition.JobEvent);
        Assert.Equal([job.AttemptPrefix(5)], transition.OrphanedPrefixes);
    }

    [Fact]
    public void Attempts_four_then_five_then_DEAD()
    {
        var job = Queued();
        var states = new List<(JobState, int)>();
        for (var i = 0; i < 5; i++)
        {
            job = Moved(job, job.Start(Later));
            job = Moved(job, job.Fail(JobError.Transient("X", "boom"), Later, Policy));
            states.Add((job.State, job.AttemptCount));
        }

        Assert.Equal(
            [(JobState.RetryWait, 1), (JobState.RetryWait, 2), (JobState.RetryWait, 3), (JobState.RetryWait, 4), (JobState.Dead, 5)],
            states);
        Assert.Throws<InvalidJobTransitionException>(() => job.Start(Later));
    }

    [Fact]
    public void A_permanent_failure_is_FAILED_at_the_first_attempt()
    {
        var transition = In(JobState.Running, attempt: 1).Fail(JobError.NoVideoStream(), Later, Policy);

        Assert.Equal(JobState.Failed, transition.ToState);
        Assert.Equal(JobErrorCodes.NoVideoStream, transition.Error!.Code);
        Assert.Equal(VideoStatus.Failed, transition.Video!.Status);
    }

    [Theory]
    [InlineData(JobState.Queued)]
    [InlineData(JobState.RetryWait)]
    [InlineData(JobState.Succeeded)]
    [InlineData(JobState.Dead)]
    public void Fail_is_refused_unless_RUNNING(JobState state) =>
        Assert.Throws<InvalidJobTransitionException>(() => In(state).Fail(JobError.Transient("X", "boom"), Later, Policy));

    [Fact]
    public void MarkStuck_releases_the_attempt_with_a_heartbeat_timeout_or_kills_it_at_the_last_attempt()
    {
        var stuck = In(JobState.Running, attempt: 2).MarkStuck(T0.AddMinutes(4), Policy);
        var last = In(JobState.Running, attempt: 5).MarkStuck(T0.AddMinutes(4), Policy);

        Assert.Equal((JobState.RetryWait, JobErrorCodes.HeartbeatTimeout), (stuck.ToState, stuck.Error!.Code));
        Assert.Single(stuck.OrphanedPrefixes);
        Assert.Equal(JobState.Dead, last.ToState);
    }

    [Theory]
    [InlineData(JobState.Queued, 0)]
    [InlineData(JobState.Running, 1)]
    [InlineData(JobState.RetryWait, 0)]
    public void Deleting_the_video_ends_an_unfinished_job_FAILED_and_orphans_only_a_running_attempt(JobState state, int orphans)
    {
        var transition = In(state).CancelForDeletion(Later)!;

        Assert.Equal((JobState.Failed, JobErrorCodes.VideoDeleted), (transition.ToState, transition.Error!.Code));
        Assert.Null(transition.Video);
        Assert.Null(transition.NextAttemptAt);
        Assert.Equal(orphans, transition.OrphanedPrefixes.Count);
    }

    [Theory]
    [InlineData(JobState.Succeeded)]
    [InlineData(JobState.Failed)]
    [InlineData(JobState.Dead)]
    public void Deleting_the_video_leaves_an_ended_job_alone(JobState state) =>
        Assert.Null(In(state).CancelForDeletion(Later));

    [Fact]
    public void A_submission_is_recorded_only_while_the_job_waits_to_start_and_has_none()
    {
        var submission = Queued().RecordSubmission("batch-9", Later);

        Assert.Equal((JobState.Queued, 0, null, "batch-9"), (submission.ExpectedState, submission.ExpectedAttempt, submission.ExpectedBatchJobId, submission.BatchJobId));
        Assert.Throws<InvalidJobTransitionException>(() => In(JobState.Running).RecordSubmission("batch-9", Later));
        Assert.Throws<InvalidJobTransitionException>(() => In(JobState.Queued, batchJobId: "batch-1").RecordSubmission("batch-9", Later));
    }

    [Fact]
    public void A_submission_that_never_started_is_counted_cleared_and_fenced_on_its_runner_id()
    {
        var job = In(JobState.RetryWait, attempt: 2, batchJobId: "batch-7") with { NextAttemptAt = T0, NeverStartedCount = 1 };

        var transition = job.SubmissionNeverStarted("CannotPullContainerError: no such image", Later, Policy);

        Assert.Equal((JobState.RetryWait, 2, T0, true, "batch-7", 2), (transition.ToState, transition.ToAttempt, transition.NextAttemptAt, transition.ClearBatchJobId, transition.FenceBatchJobId, transition.NeverStartedCount));
        Assert.Equal("batch-7: CannotPullContainerError: no such image", transition.NeverStartedReason);
        Assert.Null(transition.Error);
    }

    [Fact]
    public void The_last_allowed_submission_that_never_started_makes_the_job_DEAD_NEVER_STARTED_with_the_runner_s_reason()
    {
        var job = In(JobState.Queued, batchJobId: "batch-5") with { NeverStartedCount = Policy.MaxAttempts - 1 };

        var transition = job.SubmissionNeverStarted("MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT", Later, Policy);

        Assert.Equal((JobState.Dead, JobErrorCodes.NeverStarted, Policy.MaxAttempts), (transition.ToState, transition.Error!.Code, transition.NeverStartedCount));
        Assert.Contains("MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT", transition.Error.Message, StringComparison.Ordinal);
        Assert.Equal(VideoStatus.Failed, transition.Video!.Status);
        Assert.False(transition.EndsAttempt);
    }

    [Fact]
    public void Only_a_waiting_submission_can_be_counted_as_never_started()
    {
        Assert.Throws<InvalidJobTransitionException>(() => Queued().SubmissionNeverStarted("x", Later, Policy));
        Assert.Throws<InvalidJobTransitionException>(() => In(JobState.Running, batchJobId: "b").SubmissionNeverStarted("x", Later, Policy));
    }

    [Fact]
    public void The_runner_job_name_is_video_dash_the_first_eight_characters_of_the_id()
    {
        var job = Queued() with { Id = Guid.Parse("1234abcd-0000-0000-0000-000000000000") };

        Assert.Equal("video-1234abcd", job.RunnerJobName);
    }

    [Fact]
    public void Backoff_doubles_per_failed_attempt_up_to_the_cap()
    {
        var policy = new JobPolicy { RetryBackoffBase = TimeSpan.FromSeconds(30), RetryBackoffCap = TimeSpan.FromMinutes(3) };

        Assert.Equal(
            [TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(120), TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(3)],
            Enumerable.Range(1, 5).Select(policy.BackoffAfter));
    }

    [Fact]
    public void A_video_effect_applies_only_to_a_live_video_whose_current_job_drives_it()
    {
        var job = Queued();
        var effect = new VideoEffect(job.VideoId, job.Id, VideoStatus.Ready, "p/master.m3u8");
        var video = LectureVideo.Create(job.VideoId, "t", "a.mp4", "video/mp4", T0) with { CurrentJobId = job.Id, Status = VideoStatus.Processing };

        Assert.True(effect.AppliesTo(video));
        Assert.False(effect.AppliesTo(video with { Status = VideoStatus.Deleting }));
        Assert.False(effect.AppliesTo(video with { Status = VideoStatus.Deleted }));
        Assert.False(effect.AppliesTo(video with { CurrentJobId = Guid.NewGuid() }));
        Assert.False(effect.AppliesTo(video with { CurrentJobId = null }));
    }

    /// <summary>Only what the rules under test read: the state and attempt the transition leaves.</summary>
    private static TranscodeJob Moved(TranscodeJob job, JobTransition transition) =>
        job with { State = transition.ToState, AttemptCount = transition.ToAttempt };
}
