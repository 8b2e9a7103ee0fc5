using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using static Academy.Video.UnitTests.Domain.Jobs;

namespace Academy.Video.UnitTests.Domain;

public sealed class WorkerStartDecisionTests
{
    private static LectureVideo VideoIn(VideoStatus status, string? hlsPath = null) =>
        LectureVideo.Create(Guid.NewGuid(), "t", "a.mp4", "video/mp4", T0) with { Status = status, HlsPath = hlsPath };

    [Fact]
    public void Guard_1_a_missing_job_is_JOB_NOT_FOUND() =>
        Assert.Equal(WorkerStartOutcome.JobNotFound, WorkerStartDecision.Decide(null, null).Outcome);

    [Fact]
    public void Guard_2_a_SUCCEEDED_job_is_IDEMPOTENT_DONE_even_when_the_video_is_READY() =>
        Assert.Equal(WorkerStartOutcome.IdempotentDone,
            WorkerStartDecision.Decide(In(JobState.Succeeded), VideoIn(VideoStatus.Ready, "p/master.m3u8")).Outcome);

    [Theory]
    [InlineData(JobState.Queued)]
    [InlineData(JobState.Running)]
    [InlineData(JobState.RetryWait)]
    public void Guard_3_a_READY_video_with_an_HLS_path_is_IDEMPOTENT_READY(JobState state) =>
        Assert.Equal(WorkerStartOutcome.IdempotentReady,
            WorkerStartDecision.Decide(In(state), VideoIn(VideoStatus.Ready, "p/master.m3u8")).Outcome);

    [Theory]
    [InlineData(JobState.Dead)]
    [InlineData(JobState.Failed)]
    [InlineData(JobState.Running)]
    public void Ended_or_already_running_jobs_are_not_run(JobState state) =>
        Assert.Equal(WorkerStartOutcome.NotRunnable, WorkerStartDecision.Decide(In(state), VideoIn(VideoStatus.Processing)).Outcome);

    [Theory]
    [InlineData(JobState.Queued, VideoStatus.Deleting)]
    [InlineData(JobState.RetryWait, VideoStatus.Deleted)]
    public void A_waiting_job_of_a_deleted_video_is_ended_not_processed(JobState state, VideoStatus status) =>
        Assert.Equal(WorkerStartOutcome.EndForDeletedVideo, WorkerStartDecision.Decide(In(state), VideoIn(status)).Outcome);

    [Theory]
    [InlineData(JobState.Queued)]
    [InlineData(JobState.RetryWait)]
    public void A_waiting_job_of_a_live_video_is_processed(JobState state) =>
        Assert.Equal(WorkerStartOutcome.Process, WorkerStartDecision.Decide(In(state), VideoIn(VideoStatus.Uploaded)).Outcome);

    [Fact]
    public void A_READY_video_without_an_HLS_path_does_not_count_as_published() =>
        Assert.Equal(WorkerStartOutcome.Process, WorkerStartDecision.Decide(In(JobState.Queued), VideoIn(VideoStatus.Ready)).Outcome);
}

public sealed class RecoveryDecisionTests
{
    private static readonly JobPolicy Policy = JobPolicy.Default;
    private const VideoStatus Live = VideoStatus.Processing;

    [Theory]
    [InlineData(179, RecoveryActionKind.None)]
    [InlineData(180, RecoveryActionKind.None)]
    [InlineData(181, RecoveryActionKind.MarkStuck)]
    public void A_RUNNING_job_is_stuck_only_after_more_than_three_minutes_without_heartbeat(int silentSeconds, RecoveryActionKind expected)
    {
        var job = In(JobState.Running) with { LastHeartbeatAt = T0 };

        Assert.Equal(expected, RecoveryDecision.Decide(job, Live, T0.AddSeconds(silentSeconds), Policy).Kind);
    }

    [Fact]
    public void The_stuck_threshold_is_configurable()
    {
        var job = In(JobState.Running) with { LastHeartbeatAt = T0 };

        Assert.Equal(RecoveryActionKind.MarkStuck,
            RecoveryDecision.Decide(job, Live, T0.AddSeconds(11), Policy with { StuckThreshold = TimeSpan.FromSeconds(10) }).Kind);
    }

    [Theory]
    [InlineData(-1, RecoveryActionKind.None)]
    [InlineData(0, RecoveryActionKind.Resubmit)]
    [InlineData(1, RecoveryActionKind.Resubmit)]
    public void A_RETRY_WAIT_job_is_resubmitted_once_its_backoff_is_over(int secondsAfterDue, RecoveryActionKind expected)
    {
        var job = In(JobState.RetryWait, attempt: 2) with { NextAttemptAt = T0 };

        Assert.Equal(expected, RecoveryDecision.Decide(job, Live, T0.AddSeconds(secondsAfterDue), Policy).Kind);
    }

    [Theory]
    [InlineData(119, RecoveryActionKind.None)]
    [InlineData(120, RecoveryActionKind.None)]
    [InlineData(121, RecoveryActionKind.SubmitMissing)]
    public void A_QUEUED_job_without_a_Batch_id_is_submitted_after_the_grace_period(int waitedSeconds, RecoveryActionKind expected) =>
        Assert.Equal(expected, RecoveryDecision.Decide(Queued(), Live, T0.AddSeconds(waitedSeconds), Policy).Kind);

    [Theory]
    [InlineData(JobState.Queued, 599, RecoveryActionKind.None)]
    [InlineData(JobState.Queued, 601, RecoveryActionKind.VerifySubmission)]
    [InlineData(JobState.RetryWait, 601, RecoveryActionKind.VerifySubmission)]
    public void A_submitted_job_that_has_not_started_is_checked_with_the_runner(JobState state, int waitedSeconds, RecoveryActionKind expected)
    {
        var job = In(state, attempt: 1, batchJobId: "batch-1");

        Assert.Equal(expected, RecoveryDecision.Decide(job, Live, T0.AddSeconds(waitedSeconds), Policy).Kind);
    }

    [Theory]
    [InlineData(JobState.Succeeded)]
    [InlineData(JobState.Failed)]
    [InlineData(JobState.Dead)]
    public void Ended_jobs_are_never_recovered(JobState state) =>
        Assert.Equal(RecoveryActionKind.None, RecoveryDecision.Decide(In(state), Live, T0.AddDays(1), Policy).Kind);

    [Theory]
    [InlineData(JobState.Queued, VideoStatus.Deleting)]
    [InlineData(JobState.Running, VideoStatus.Deleting)]
    [InlineData(JobState.RetryWait, VideoStatus.Deleted)]
    [InlineData(JobState.Queued, null)]
    public void A_job_of_a_video_being_deleted_is_ended_never_submitted(JobState state, VideoStatus? video)
    {
        var job = In(state, batchJobId: "batch-1");

        Assert.Equal(RecoveryActionKind.EndForDeletedVideo, RecoveryDecision.Decide(job, video, T0.AddDays(1), Policy).Kind);
        Assert.True(RecoveryDecision.Decide(job, video, T0.AddDays(1), Policy).IsStateChange);
    }

    [Fact]
    public void A_job_due_for_a_submission_whose_submissions_never_started_as_often_as_allowed_is_ended()
    {
        var exhausted = Queued() with { NeverStartedCount = Policy.MaxAttempts };
        var retrying = In(JobState.RetryWait) with { NextAttemptAt = T0, NeverStartedCount = Policy.MaxAttempts };

        Assert.Equal(RecoveryActionKind.EndNeverStarted, RecoveryDecision.Decide(exhausted, Live, T0.AddMinutes(3), Policy).Kind);
        Assert.Equal(RecoveryActionKind.EndNeverStarted, RecoveryDecision.Decide(retrying, Live, T0.AddMinutes(3), Policy).Kind);
        Assert.Equal(RecoveryActionKind.SubmitMissing, RecoveryDecision.Decide(exhausted with { NeverStartedCount = 1 }, Live, T0.AddMinutes(3), Policy).Kind);
    }

    [Theory]
    [InlineData("RUNNABLE", null, true)]
    [InlineData("SUBMITTED", null, true)]
    [InlineData("STARTING", null, true)]
    [InlineData("RUNNING", null, true)]
    [InlineData("RUNNABLE", "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT - no compute environment can run it", false)]
    [InlineData("FAILED", "CannotPullContainerError: pull access denied", false)]
    [InlineData("SUCCEEDED", "Essential container in task exited", false)]
    public void A_submission_waiting_at_the_runner_is_alive_unless_blocked_or_ended(string status, string? reason, bool alive)
    {
        var verdict = RecoveryDecision.JudgeSubmission(new RunnerSighting(status, reason));

        Assert.Equal(alive, verdict.Alive);
        Assert.Equal(status == "RUNNABLE" && !alive, verdict.Terminate);
        if (reason is not null && !alive)
        {
            Assert.Contains(reason, verdict.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_submission_the_runner_does_not_know_never_starts() =>
        Assert.False(RecoveryDecision.JudgeSubmission(null).Alive);
}
