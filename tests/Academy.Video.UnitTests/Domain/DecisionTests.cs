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
    [InlineData(VideoStatus.Deleting)]
    [InlineData(VideoStatus.Deleted)]
    public void A_deleted_video_is_not_processed(VideoStatus status) =>
        Assert.Equal(WorkerStartOutcome.NotRunnable, WorkerStartDecision.Decide(In(JobState.Queued), VideoIn(status)).Outcome);

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

    [Theory]
    [InlineData(179, RecoveryActionKind.None)]
    [InlineData(180, RecoveryActionKind.None)]
    [InlineData(181, RecoveryActionKind.MarkStuck)]
    public void A_RUNNING_job_is_stuck_only_after_more_than_three_minutes_without_heartbeat(int silentSeconds, RecoveryActionKind expected)
    {
        var job = In(JobState.Running) with { LastHeartbeatAt = T0 };

        Assert.Equal(expected, RecoveryDecision.Decide(job, T0.AddSeconds(silentSeconds), Policy).Kind);
    }

    [Fact]
    public void The_stuck_threshold_is_configurable()
    {
        var job = In(JobState.Running) with { LastHeartbeatAt = T0 };

        Assert.Equal(RecoveryActionKind.MarkStuck,
            RecoveryDecision.Decide(job, T0.AddSeconds(11), Policy with { StuckThreshold = TimeSpan.FromSeconds(10) }).Kind);
    }

    [Theory]
    [InlineData(-1, RecoveryActionKind.None)]
    [InlineData(0, RecoveryActionKind.Resubmit)]
    [InlineData(1, RecoveryActionKind.Resubmit)]
    public void A_RETRY_WAIT_job_is_resubmitted_once_its_backoff_is_over(int secondsAfterDue, RecoveryActionKind expected)
    {
        var job = In(JobState.RetryWait, attempt: 2) with { NextAttemptAt = T0 };

        Assert.Equal(expected, RecoveryDecision.Decide(job, T0.AddSeconds(secondsAfterDue), Policy).Kind);
    }

    [Theory]
    [InlineData(119, RecoveryActionKind.None)]
    [InlineData(120, RecoveryActionKind.None)]
    [InlineData(121, RecoveryActionKind.SubmitMissing)]
    public void A_QUEUED_job_without_a_Batch_id_is_submitted_after_the_grace_period(int waitedSeconds, RecoveryActionKind expected) =>
        Assert.Equal(expected, RecoveryDecision.Decide(Queued(), T0.AddSeconds(waitedSeconds), Policy).Kind);

    [Theory]
    [InlineData(JobState.Queued, 599, RecoveryActionKind.None)]
    [InlineData(JobState.Queued, 601, RecoveryActionKind.VerifySubmission)]
    [InlineData(JobState.RetryWait, 601, RecoveryActionKind.VerifySubmission)]
    public void A_submitted_job_that_has_not_started_is_checked_with_the_runner(JobState state, int waitedSeconds, RecoveryActionKind expected)
    {
        var job = In(state, attempt: 1, batchJobId: "batch-1");

        Assert.Equal(expected, RecoveryDecision.Decide(job, T0.AddSeconds(waitedSeconds), Policy).Kind);
    }

    [Theory]
    [InlineData(JobState.Succeeded)]
    [InlineData(JobState.Failed)]
    [InlineData(JobState.Dead)]
    public void Ended_jobs_are_never_recovered(JobState state) =>
        Assert.Equal(RecoveryActionKind.None, RecoveryDecision.Decide(In(state), T0.AddDays(1), Policy).Kind);
}
