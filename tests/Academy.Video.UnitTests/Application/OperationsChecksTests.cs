using Academy.Video.Application.Jobs;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using Academy.Video.Operations.Application;
using Academy.Video.Operations.Application.CheckSettings;
using Academy.Video.Operations.Application.Checks;
using Academy.Video.UnitTests.Domain;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Academy.Video.UnitTests.Application;

/// <summary>The rules of the operator checks at their boundaries, on in-memory ports.</summary>
public sealed class OperationsChecksTests
{
    private static readonly RuntimeProfile Local = new(RunnerMode.Local, "Local");

    [Theory]
    [InlineData(120, false)]
    [InlineData(121, true)]
    public async Task A_QUEUED_job_without_a_runner_id_breaks_DB_CHECK_only_past_the_grace_period(int ageSeconds, bool fails)
    {
        var job = Jobs.Queued();

        var result = await DbCheckAsync(job, Jobs.T0.AddSeconds(ageSeconds));

        Assert.Equal(fails ? CheckStatus.Fail : CheckStatus.Ok, result.Status);
    }

    [Theory]
    [InlineData(119, false)]
    [InlineData(121, true)]
    public async Task A_due_RETRY_WAIT_job_breaks_DB_CHECK_only_when_due_for_longer_than_the_grace_period(int overdueSeconds, bool fails)
    {
        var job = Jobs.In(JobState.RetryWait) with { NextAttemptAt = Jobs.T0 };

        var result = await DbCheckAsync(job, Jobs.T0.AddSeconds(overdueSeconds));

        Assert.Equal(fails ? CheckStatus.Fail : CheckStatus.Ok, result.Status);
        Assert.Equal(fails, result.Hints.Any(h => h.Contains("RETRY_WAIT jobs are overdue", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(180, false)]
    [InlineData(181, true)]
    public async Task A_RUNNING_job_breaks_DB_CHECK_only_when_silent_past_the_stuck_threshold(int silenceSeconds, bool fails)
    {
        var job = Jobs.In(JobState.Running, batchJobId: "b-1");

        var result = await DbCheckAsync(job, Jobs.T0.AddSeconds(silenceSeconds));

        Assert.Equal(fails ? CheckStatus.Fail : CheckStatus.Ok, result.Status);
    }

    [Fact]
    public async Task A_QUEUED_job_with_a_runner_id_is_the_runner_checks_business_not_DB_CHECK()
    {
        var result = await DbCheckAsync(Jobs.In(JobState.Queued, batchJobId: "b-1"), Jobs.T0.AddHours(1));

        Assert.Equal(CheckStatus.Ok, result.Status);
    }

    [Fact]
    public async Task A_schema_behind_the_code_fails_DB_CHECK_with_the_migrate_hint()
    {
        var database = new DatabaseStatus(true, null, "db", ["0004_operations_indexes"], 2);

        var result = await DbCheckAsync(null, Jobs.T0, database);

        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Contains(result.Hints, h => h.Contains("run `Academy.Video.Api migrate`", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("logs:*", "logs:PutLogEvents", true)]
    [InlineData("logs:Create*", "logs:CreateLogStream", true)]
    [InlineData("logs:Create*", "logs:PutLogEvents", false)]
    [InlineData("LOGS:putlogevents", "logs:PutLogEvents", true)]
    [InlineData("*", "ecr:BatchGetImage", true)]
    [InlineData("s3:Get?bject", "s3:GetObject", true)]
    [InlineData("ecr:Get*", "ecr:BatchGetImage", false)]
    public void IAM_actions_match_with_wildcards_and_without_case(string allowed, string action, bool allows) =>
        Assert.Equal(allows, IamActions.Allows([allowed], action));

    [Theory]
    [InlineData("CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - Service cannot fulfill the capacity requested for instance type [c7g.xlarge]", "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY")]
    [InlineData("MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE - CE(s) associated with the job queue cannot meet the CPU requirement of the job.", "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE")]
    [InlineData("MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT - The job resource requirement is higher", "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT")]
    [InlineData("MISCONFIGURATION:SERVICE_ROLE_PERMISSIONS – Batch service role has a permission issue.", "MISCONFIGURATION:SERVICE_ROLE_PERMISSIONS")]
    [InlineData("ACTION_REQUIRED - CE(s) associated with the job queue are invalid.", "ACTION_REQUIRED")]
    public void Each_documented_RUNNABLE_statusReason_is_decoded(string statusReason, string code) =>
        Assert.StartsWith(code + ": ", RunnerStatusReasons.Explain(statusReason), StringComparison.Ordinal);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Essential container in task exited")]
    public void Other_reasons_are_not_decoded(string? statusReason) => Assert.Null(RunnerStatusReasons.Explain(statusReason));

    [Fact]
    public async Task Check_settings_compares_each_Jobs_setting_with_the_workers_environment()
    {
        var inspector = new StubInspector(new Dictionary<string, string>
        {
            ["Jobs__MaxAttempts"] = "3",
            ["JOBS__STUCKTHRESHOLD"] = "00:03:00",
            ["Jobs__RetryBackoffBase"] = "thirty seconds",
        });
        var handler = new CheckSettingsHandler(inspector, JobPolicy.Default, Local, null!);

        var report = await handler.Handle(new CheckSettingsQuery(), CancellationToken.None);

        Assert.False(report.Ok);
        Assert.Contains("Jobs:MaxAttempts API=5 worker=3 (local runner environment) MISMATCH", report.Worker);
        Assert.Contains("Jobs:StuckThreshold API=00:03:00 worker=00:03:00 (local runner environment) MATCH", report.Worker);
        Assert.Contains("Jobs:SubmitGracePeriod API=00:02:00 worker=00:02:00 (default) MATCH", report.Worker);
        Assert.Equal(
        [
            "Jobs:MaxAttempts: the API uses 5 but the worker 3 (local runner environment); set Jobs__MaxAttempts the same for both",
            "Jobs:RetryBackoffBase: the worker's value 'thirty seconds' (local runner environment) is not a valid TimeSpan",
        ], report.Problems);
    }

    [Fact]
    public async Task A_QUEUED_job_of_a_deleting_video_is_the_scans_to_end_not_a_DB_CHECK_failure()
    {
        var result = await DbCheckAsync(Jobs.Queued(), Jobs.T0.AddHours(1), videoStatus: VideoStatus.Deleting);

        Assert.Equal(CheckStatus.Ok, result.Status);
    }

    private static async Task<CheckResult> DbCheckAsync(TranscodeJob? job, DateTimeOffset now, DatabaseStatus? database = null, VideoStatus videoStatus = VideoStatus.Processing)
    {
        var store = new StubStore(job is null ? [] : [job], videoStatus);
        var check = new DatabaseRulesCheck(store, JobPolicy.Default, Options.Create(new OperationsOptions()), new FakeTimeProvider(now));
        var report = new ReportBuilder("validate-system", Local, now);
        return await check.RunAsync(database ?? new DatabaseStatus(true, null, "db", [], 2), report, CancellationToken.None);
    }

    private sealed class StubStore(IReadOnlyList<TranscodeJob> unfinished, VideoStatus videoStatus = VideoStatus.Processing) : IOperationsStore
    {
        public Task<DatabaseStatus> ProbeAsync(CancellationToken cancellationToken) => Task.FromResult(new DatabaseStatus(true, null, "db", [], 2));

        public Task<IReadOnlyList<TranscodeJob>> ListLatestJobsAsync(int limit, CancellationToken cancellationToken) => Task.FromResult(unfinished);

        public Task<IReadOnlyList<RecoveryCandidate>> ListUnfinishedJobsAsync(int limit, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<RecoveryCandidate>>(unfinished.Select(j => new RecoveryCandidate(j, videoStatus)).ToList());

        public Task<IReadOnlyList<(TranscodeJob Job, string VideoStatus)>> ListSucceededJobsWithUnreadyVideoAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<(TranscodeJob, string)>>([]);

        public Task<IReadOnlyList<Guid>> ListReadyVideosWithoutHlsPathAsync(int limit, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<Guid>>([]);

        public Task<IReadOnlyList<(TranscodeJob Job, int Chunk, string ChunkState)>> ListSucceededJobsWithUndoneChunksAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<(TranscodeJob, int, string)>>([]);

        public Task<IReadOnlyList<TranscodeJob>> ListJobsWithRunnerIdAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken) => Task.FromResult(unfinished);

        public Task<SucceededAttempt?> FindNewestSucceededAttemptAsync(CancellationToken cancellationToken) => Task.FromResult<SucceededAttempt?>(null);
    }

    private sealed class StubInspector(IReadOnlyDictionary<string, string> worker) : ISettingsInspector
    {
        public IReadOnlyList<SettingEntry> ListSettings() => [];

        public IReadOnlyList<string> Validate() => [];

        public IReadOnlyDictionary<string, string> LocalWorkerEnvironment() =>
            new Dictionary<string, string>(worker, StringComparer.OrdinalIgnoreCase);
    }
}
