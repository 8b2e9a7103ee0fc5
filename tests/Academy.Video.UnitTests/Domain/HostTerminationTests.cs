using Academy.Video.Domain.Jobs;
using static Academy.Video.UnitTests.Domain.Jobs;

namespace Academy.Video.UnitTests.Domain;

/// <summary>
/// An attempt whose host AWS Batch terminated (a Spot reclaim) resumes without counting toward
/// Jobs:MaxAttempts, bounded on its own by Jobs:MaxHostTerminations.
/// </summary>
public sealed class HostTerminationTests
{
    private const string Reclaimed = "Host EC2 (instance i-0a1b2c3d4e5f60718) terminated.";

    private static readonly JobPolicy Policy = JobPolicy.Default with { MaxAttempts = 2, MaxHostTerminations = 2 };

    [Theory]
    [InlineData("FAILED", Reclaimed, true)]
    [InlineData("FAILED", "Host EC2 (instance i-0123abcd) terminated", true)]
    [InlineData("RUNNING", Reclaimed, false)]
    [InlineData("FAILED", "Essential container in task exited", false)]
    [InlineData("FAILED", "Host EC2 (instance i-0123abcd) terminated. Later it was something else", false)]
    [InlineData("FAILED", null, false)]
    public void Only_a_FAILED_job_with_Batch_s_host_terminated_reason_is_a_host_termination(string status, string? reason, bool expected) =>
        Assert.Equal(expected, RecoveryDecision.IsHostTermination(new RunnerSighting(status, reason)));

    [Fact]
    public void An_unknown_runner_id_is_no_host_termination() => Assert.False(RecoveryDecision.IsHostTermination(null));

    [Fact]
    public void A_host_termination_waits_for_a_new_attempt_at_once_uncounted_fenced_on_the_runner_id()
    {
        var job = In(JobState.Running, attempt: 2, batchJobId: "b-spot") with { HostTerminationCount = 0 };

        var transition = job.HostTerminated(Reclaimed, T0.AddMinutes(5), Policy);

        Assert.Equal((JobState.RetryWait, 2, T0.AddMinutes(5)), (transition.ToState, transition.ToAttempt, transition.NextAttemptAt));
        Assert.Equal(JobErrorCodes.HostTerminated, transition.Error!.Code);
        Assert.False(transition.Error.IsPermanent);
        Assert.Equal($"The attempt's host was terminated: b-spot: {Reclaimed}", transition.Error.Message);
        Assert.Equal(1, transition.HostTerminationCount);
        Assert.Equal("b-spot", transition.FenceBatchJobId);
        Assert.True(transition.ClearBatchJobId);
        Assert.Equal([job.AttemptPrefix(2)], transition.OrphanedPrefixes);
    }

    [Fact]
    public void Attempts_lost_to_their_host_do_not_count_toward_MaxAttempts()
    {
        // Attempt 1 and 2 lost their host; attempts 3 and 4 are the two counted ones.
        var job = In(JobState.Running, attempt: 3, batchJobId: "b-3") with { HostTerminationCount = 2 };
        var failure = JobError.Transient(JobErrorCodes.StorageError, "storage down");

        var third = job.Fail(failure, T0, Policy);
        var fourth = (job with { AttemptCount = 4 }).Fail(failure, T0, Policy);

        Assert.Equal(JobState.RetryWait, third.ToState);
        Assert.Equal(JobState.Dead, fourth.ToState);
        Assert.Equal(JobState.Dead, (job with { HostTerminationCount = 0 }).Fail(failure, T0, Policy).ToState);
    }

    [Fact]
    public void More_host_terminations_than_MaxHostTerminations_end_the_job_DEAD_HOST_TERMINATED()
    {
        var job = In(JobState.Running, attempt: 3, batchJobId: "b-3") with { HostTerminationCount = 2 };

        var transition = job.HostTerminated(Reclaimed, T0, Policy);

        Assert.Equal(JobState.Dead, transition.ToState);
        Assert.Equal(JobErrorCodes.HostTerminated, transition.Error!.Code);
        Assert.Equal($"3 attempts lost their host (the last: b-3: {Reclaimed}); the limit is reached.", transition.Error.Message);
        Assert.Equal(3, transition.HostTerminationCount);
        Assert.Equal(Academy.Video.Domain.Events.VideoEventType.JobDead, transition.JobEvent);
    }

    [Fact]
    public void Only_a_running_attempt_under_a_runner_id_can_lose_its_host()
    {
        Assert.Throws<InvalidJobTransitionException>(() => In(JobState.RetryWait, batchJobId: "b-1").HostTerminated(Reclaimed, T0, Policy));
        Assert.Throws<InvalidJobTransitionException>(() => In(JobState.Running).HostTerminated(Reclaimed, T0, Policy));
    }
}
