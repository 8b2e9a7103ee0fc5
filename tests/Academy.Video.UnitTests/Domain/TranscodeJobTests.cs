using Academy.Video.Domain;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using static Academy.Video.UnitTests.Domain.Jobs;

namespace Academy.Video.UnitTests.Domain;

public sealed class TranscodeJobTests
{
    private static readonly JobPolicy Policy = JobPolicy.Default;
    private static readonly DateTimeOffset Later = T0.AddMinutes(1);

    [Fact]
    public void Start_from_QUEUED_runs_attempt_one_and_marks_the_video_PROCESSING()
    {
        var job = Queued();

        var transition = job.Start(Later);
        var running = transition.ApplyTo(job);

        Assert.Equal((JobState.Queued, 0, JobState.Running, 1), (transition.FromState, transition.FromAttempt, transition.ToState, transition.ToAttempt));
        Assert.Equal(new VideoEffect(job.VideoId, VideoStatus.Processing), transition.Video);
        Assert.Equal(Later, running.LastHeartbeatAt);
        Assert.Equal(0, running.ProgressPercent);
    }

    [Fact]
    public void Start_from_RETRY_WAIT_runs_the_next_attempt_and_clears_the_last_error()
    {
        var job = In(JobState.RetryWait, attempt: 2) with { ErrorCode = "X", ErrorMessage = "boom" };

        var running = job.Start(Later).ApplyTo(job);

        Assert.Equal((JobState.Running, 3, null, null), (running.State, running.AttemptCount, running.ErrorCode, running.ErrorMessage));
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
    public void Complete_from_RUNNING_succeeds_and_publishes_the_video_in_the_same_transition()
    {
        var job = In(JobState.Running);

        var transition = job.Complete("videos/x/hls/master.m3u8", Later)!;
        var done = transition.ApplyTo(job);

        Assert.Equal(JobState.Succeeded, done.State);
        Assert.Equal(100, done.ProgressPercent);
        Assert.Equal(Later, done.FinishedAt);
        Assert.Equal(new VideoEffect(job.VideoId, VideoStatus.Ready, "videos/x/hls/master.m3u8"), transition.Video);
    }

    [Fact]
    public void Complete_repeated_on_SUCCEEDED_is_a_no_op()
    {
        Assert.Null(In(JobState.Succeeded).Complete("p/master.m3u8", Later));
        Assert.Null(In(JobState.Succeeded).CompleteAlreadyPublished(Later));
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
        var transition = In(state).CompleteAlreadyPublished(Later)!;

        Assert.Equal(JobState.Succeeded, transition.ToState);
        Assert.Null(transition.Video);
    }

    [Theory]
    [InlineData(JobState.Failed)]
    [InlineData(JobState.Dead)]
    public void CompleteAlreadyPublished_is_refused_on_ended_jobs(JobState state) =>
        Assert.Throws<InvalidJobTransitionException>(() => In(state).CompleteAlreadyPublished(Later));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void A_transient_failure_with_attempts_left_waits_for_a_retry_with_backoff(int attempt)
    {
        var job = In(JobState.Running, attempt, batchJobId: "batch-1");

        var transition = job.Fail(JobError.Transient(JobErrorCodes.EncodeFailed, "ffmpeg exited 1"), Later, Policy);
        var waiting = transition.ApplyTo(job);

        Assert.Equal((JobState.RetryWait, attempt), (waiting.State, waiting.AttemptCount));
        Assert.Equal(Later + Policy.BackoffAfter(attempt), waiting.NextAttemptAt);
        Assert.Null(waiting.BatchJobId);
        Assert.Equal(JobErrorCodes.EncodeFailed, waiting.ErrorCode);
        Assert.Null(transition.Video);
    }

    [Fact]
    public void A_transient_failure_of_the_fifth_attempt_is_DEAD_and_fails_the_video()
    {
        var transition = In(JobState.Running, attempt: 5).Fail(JobError.Transient("X", "boom"), Later, Policy);

        Assert.Equal(JobState.Dead, transition.ToState);
        Assert.Equal(VideoStatus.Failed, transition.Video!.Status);
    }

    [Fact]
    public void Attempts_four_then_five_then_DEAD()
    {
        var job = Queued();
        var states = new List<(JobState, int)>();
        for (var i = 0; i < 5; i++)
        {
            job = job.Start(Later).ApplyTo(job);
            job = job.Fail(JobError.Transient("X", "boom"), Later, Policy).ApplyTo(job);
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
        Assert.Equal(JobState.Dead, last.ToState);
    }

    [Theory]
    [InlineData(JobState.Queued)]
    [InlineData(JobState.Running)]
    [InlineData(JobState.RetryWait)]
    public void Deleting_the_video_ends_an_unfinished_job_FAILED(JobState state)
    {
        var transition = In(state).CancelForDeletion(Later)!;

        Assert.Equal((JobState.Failed, JobErrorCodes.VideoDeleted), (transition.ToState, transition.Error!.Code));
    }

    [Theory]
    [InlineData(JobState.Succeeded)]
    [InlineData(JobState.Failed)]
    [InlineData(JobState.Dead)]
    public void Deleting_the_video_leaves_an_ended_job_alone(JobState state) =>
        Assert.Null(In(state).CancelForDeletion(Later));

    [Fact]
    public void A_submission_is_recorded_only_while_the_job_waits_to_start()
    {
        var submission = Queued().RecordSubmission("batch-9", Later);

        Assert.Equal((JobState.Queued, 0, "batch-9"), (submission.ExpectedState, submission.ExpectedAttempt, submission.BatchJobId));
        Assert.Throws<InvalidJobTransitionException>(() => In(JobState.Running).RecordSubmission("batch-9", Later));
    }

    [Fact]
    public void A_transition_does_not_apply_to_a_job_that_moved_on()
    {
        var job = Queued();
        var transition = job.Start(Later);

        Assert.Throws<InvalidOperationException>(() => transition.ApplyTo(transition.ApplyTo(job)));
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
}
