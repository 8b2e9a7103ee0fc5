using Academy.Video.Application.Jobs;
using Academy.Video.Application.Jobs.ScanStuckJobs;
using Academy.Video.Domain.Jobs;
using Academy.Video.UnitTests.Fakes;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace Academy.Video.UnitTests.Application;

/// <summary>
/// The recovery scan asks the runner about a stuck attempt before releasing it: a host the runner
/// says was terminated (a Spot reclaim) costs no attempt; anything else, or no answer, is stuck as before.
/// </summary>
public sealed class SpotReclaimScanTests : IAsyncLifetime
{
    private const string Reclaimed = "Host EC2 (instance i-0a1b2c3d4e5f60718) terminated.";

    private readonly ApplicationHarness app = new(JobPolicy.Default with { MaxAttempts = 2, RetryBackoffBase = TimeSpan.FromMinutes(1) }, heartbeatInterval: TimeSpan.FromHours(1));
    private readonly IJobRunner runner = Substitute.For<IJobRunner>();

    public Task InitializeAsync()
    {
        runner.SubmitAsync(Arg.Any<Guid>(), Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns("b-next");
        app.RunnerOverride = runner;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_reclaimed_host_at_the_last_attempt_resumes_at_once_without_counting_it()
    {
        var job = await RunningUnderAsync("b-spot", attempt: 2);
        Describe("b-spot", "FAILED", Reclaimed);
        app.Time.Advance(TimeSpan.FromMinutes(4));

        var report = await app.Send(new ScanStuckJobsCommand());

        var entry = Assert.Single(report.Entries);
        Assert.Equal(RecoveryActionKind.MarkStuck, entry.Action);
        Assert.Equal($"HOST_TERMINATED: {Reclaimed}, not counted; RETRY_WAIT, submitted", entry.Result);
        var stored = app.Database.Job(job);
        Assert.Equal((JobState.RetryWait, 2, 1, "b-next"), (stored.State, stored.AttemptCount, stored.HostTerminationCount, stored.BatchJobId));
        Assert.Equal(JobErrorCodes.HostTerminated, stored.ErrorCode);
    }

    [Fact]
    public async Task A_stuck_attempt_the_runner_ended_for_another_reason_is_counted_as_before()
    {
        var job = await RunningUnderAsync("b-oom", attempt: 2);
        Describe("b-oom", "FAILED", "Essential container in task exited");
        app.Time.Advance(TimeSpan.FromMinutes(4));

        var report = await app.Send(new ScanStuckJobsCommand());

        Assert.Equal("DEAD", Assert.Single(report.Entries).Result);
        Assert.Equal((JobState.Dead, JobErrorCodes.HeartbeatTimeout), (app.Database.Job(job).State, app.Database.Job(job).ErrorCode));
    }

    [Fact]
    public async Task A_runner_that_cannot_answer_still_releases_the_stuck_attempt_as_stuck()
    {
        var job = await RunningUnderAsync("b-unknown", attempt: 1);
        runner.DescribeAsync(Arg.Any<IReadOnlyCollection<string>>(), Arg.Any<CancellationToken>()).ThrowsAsync(new HttpRequestException("Connection refused"));
        app.Time.Advance(TimeSpan.FromMinutes(4));

        var report = await app.Send(new ScanStuckJobsCommand());

        Assert.Equal("RETRY_WAIT", Assert.Single(report.Entries).Result);
        Assert.Equal((JobState.RetryWait, 0, JobErrorCodes.HeartbeatTimeout), (app.Database.Job(job).State, app.Database.Job(job).HostTerminationCount, app.Database.Job(job).ErrorCode));
    }

    [Fact]
    public async Task A_dry_run_says_what_it_would_do_and_changes_nothing()
    {
        var job = await RunningUnderAsync("b-spot", attempt: 1);
        Describe("b-spot", "FAILED", Reclaimed);
        app.Time.Advance(TimeSpan.FromMinutes(4));

        var report = await app.Send(new ScanStuckJobsCommand(DryRun: true));

        Assert.Equal($"HOST_TERMINATED: {Reclaimed}, not counted; would write RETRY_WAIT, would submit", Assert.Single(report.Entries).Result);
        Assert.Equal((JobState.Running, 0), (app.Database.Job(job).State, app.Database.Job(job).HostTerminationCount));
    }

    private async Task<Guid> RunningUnderAsync(string batchJobId, int attempt)
    {
        var (_, job) = await app.UploadVideoAsync(batchJobId);
        app.Database.Seed(app.Database.Job(job.JobId) with
        {
            State = JobState.Running, AttemptCount = attempt, LastHeartbeatAt = app.Time.GetUtcNow(), BatchJobId = batchJobId, SubmittedAt = app.Time.GetUtcNow(),
        });
        return job.JobId;
    }

    private void Describe(string batchJobId, string status, string reason) =>
        runner.DescribeAsync(Arg.Any<IReadOnlyCollection<string>>(), Arg.Any<CancellationToken>())
            .Returns([new RunnerJobStatus(batchJobId, "video-x", status, reason, null, null, null, null)]);
}
