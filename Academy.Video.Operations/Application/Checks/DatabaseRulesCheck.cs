using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using Microsoft.Extensions.Options;

namespace Academy.Video.Operations.Application.Checks;

/// <summary>
/// DB_CHECK: the schema is up to date and the jobs obey the rules of docs/contract.md §2. The job rules are the
/// recovery scan's own decision (<see cref="RecoveryDecision"/>): a job the scan should already have
/// taken is evidence that submissions or the scan itself are failing (docs/contract.md §2).
/// </summary>
public sealed class DatabaseRulesCheck(IOperationsStore store, JobPolicy policy, IOptions<OperationsOptions> options, TimeProvider time)
{
    public const string Name = "DB_CHECK";

    public const string QueuedWithoutRunnerId = "QUEUED_WITHOUT_RUNNER_ID";
    public const string RetryOverdue = "RETRY_WAIT_OVERDUE";
    public const string RunningWithoutHeartbeat = "RUNNING_WITHOUT_HEARTBEAT";
    public const string SucceededVideoNotReady = "SUCCEEDED_BUT_VIDEO_NOT_READY";
    public const string ReadyWithoutHlsPath = "READY_WITHOUT_HLS_PATH";
    public const string SucceededWithUndoneChunks = "SUCCEEDED_WITH_UNDONE_CHUNKS";

    public async Task<CheckResult> RunAsync(DatabaseStatus database, ReportBuilder report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(report);
        var settings = options.Value;
        var now = time.GetUtcNow();
        if (database.PendingMigrations.Count > 0 && database.PendingMigrations.Count == database.ShippedMigrations)
        {
            report.Step(1, "Schema", [$"Schema: none of the {database.ShippedMigrations} migration(s) applied ({database.Target})"]);
            return CheckResult.Fail(Name, "the database has no schema",
                $"DB_CHECK: {database.Target} has none of the product's tables: run `Academy.Video.Api migrate` (the API also migrates when it starts), or point ConnectionStrings:Postgres at the right database.");
        }

        var latest = await store.ListLatestJobsAsync(settings.LatestJobs, cancellationToken);
        report.Step(1, "Latest jobs", [], latest.Select(j => JobEvidence.From(j)).ToList());

        var broken = new List<JobEvidence>();
        var brokenRules = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var unfinished = await store.ListUnfinishedJobsAsync(settings.RowLimit, cancellationToken);
        foreach (var (job, videoStatus) in unfinished)
        {
            if (BrokenRule(job, videoStatus, now) is { } rule)
            {
                broken.Add(JobEvidence.From(job, rule: $"{rule.Kind}: {rule.Reason}"));
                Count(brokenRules, rule.Kind);
            }
        }

        foreach (var (job, videoStatus) in await store.ListSucceededJobsWithUnreadyVideoAsync(now - settings.RecentWindow, settings.RowLimit, cancellationToken))
        {
            broken.Add(JobEvidence.From(job, videoStatus, $"{SucceededVideoNotReady}: the job SUCCEEDED but its video is {videoStatus}"));
            Count(brokenRules, SucceededVideoNotReady);
        }

        foreach (var (job, chunk, chunkState) in await store.ListSucceededJobsWithUndoneChunksAsync(now - settings.RecentWindow, settings.RowLimit, cancellationToken))
        {
            broken.Add(JobEvidence.From(job, rule: $"{SucceededWithUndoneChunks}: the job SUCCEEDED but its chunk {chunk} is {chunkState}"));
            Count(brokenRules, SucceededWithUndoneChunks);
        }

        var readyWithoutPath = await store.ListReadyVideosWithoutHlsPathAsync(settings.RowLimit, cancellationToken);
        if (readyWithoutPath.Count > 0)
        {
            brokenRules[ReadyWithoutHlsPath] = readyWithoutPath.Count;
        }

        var lines = new List<string>
        {
            database.PendingMigrations.Count == 0
                ? $"Schema: up to date ({database.Target})"
                : $"Schema: {database.PendingMigrations.Count} migration(s) not applied: {string.Join(", ", database.PendingMigrations)}",
        };
        if (readyWithoutPath.Count > 0)
        {
            lines.Add($"READY videos without hls_path: {string.Join(", ", readyWithoutPath)}");
        }

        if (broken.Count > 0)
        {
            report.Step(1, "Jobs breaking the rules", lines, broken);
        }
        else
        {
            lines.Add($"Validation rules: OK ({unfinished.Count} unfinished job(s) checked)");
            report.Step(1, "Validation rules", lines);
        }

        var problems = new List<string>();
        var hints = new List<string>();
        if (database.PendingMigrations.Count > 0)
        {
            problems.Add($"schema behind by {database.PendingMigrations.Count} migration(s)");
            hints.Add($"DB_CHECK: the schema lacks {string.Join(", ", database.PendingMigrations)}: run `Academy.Video.Api migrate` (the API also migrates when it starts).");
        }

        foreach (var (rule, count) in brokenRules)
        {
            problems.Add($"{count} {Describe(rule)}");
            hints.Add(Hint(rule));
        }

        return problems.Count == 0
            ? CheckResult.Ok(Name, $"schema up to date, {unfinished.Count} unfinished job(s) obey the rules")
            : CheckResult.Fail(Name, string.Join("; ", problems), hints);
    }

    /// <summary>
    /// The rule a job breaks, decided by the scan's own decision: QUEUED without an id past the
    /// grace period, RUNNING silent past the stuck threshold, RETRY_WAIT due for longer than the grace.
    /// </summary>
    private (string Kind, string Reason)? BrokenRule(TranscodeJob job, VideoStatus? videoStatus, DateTimeOffset now)
    {
        var action = RecoveryDecision.Decide(job, videoStatus, now, policy);
        switch (action.Kind)
        {
            case RecoveryActionKind.SubmitMissing:
                return (QueuedWithoutRunnerId, $"QUEUED for {Durations.Format(now - job.CreatedAt)} without a runner id (grace {Durations.Format(policy.SubmitGracePeriod)})");
            case RecoveryActionKind.MarkStuck:
                var silence = now - (job.LastHeartbeatAt ?? job.UpdatedAt);
                return (RunningWithoutHeartbeat, $"no heartbeat for {Durations.Format(silence)} (threshold {Durations.Format(policy.StuckThreshold)})");
            case RecoveryActionKind.Resubmit when RecoveryDecision.Decide(job, videoStatus, now - policy.SubmitGracePeriod, policy).Kind == RecoveryActionKind.Resubmit:
                var overdue = now - (job.NextAttemptAt ?? job.UpdatedAt);
                return (RetryOverdue, $"attempt {job.AttemptCount + 1} due for {Durations.Format(overdue)} and not submitted");
            default:
                return null;
        }
    }

    private static void Count(SortedDictionary<string, int> counts, string rule) => counts[rule] = counts.GetValueOrDefault(rule) + 1;

    private string Describe(string rule) => rule switch
    {
        QueuedWithoutRunnerId => $"QUEUED job(s) without a runner id past the {Durations.Format(policy.SubmitGracePeriod)} grace period",
        RetryOverdue => $"RETRY_WAIT job(s) due for more than {Durations.Format(policy.SubmitGracePeriod)} without a runner id",
        RunningWithoutHeartbeat => $"RUNNING job(s) without a heartbeat for more than {Durations.Format(policy.StuckThreshold)}",
        SucceededVideoNotReady => "SUCCEEDED job(s) whose video is not READY",
        SucceededWithUndoneChunks => "chunk(s) not DONE of SUCCEEDED job(s)",
        _ => "READY video(s) without hls_path",
    };

    private string Hint(string rule) => rule switch
    {
        QueuedWithoutRunnerId =>
            "DB_CHECK: QUEUED jobs have an empty aws_batch_job_id: the submission failed or its id was never stored. Check the submit path " +
            "and the runner's permissions and names (batch:SubmitJob, VIDEO_BATCH_JOB_QUEUE, VIDEO_BATCH_JOB_DEFINITION; JOB_SUBMIT_FAILED in the API log). " +
            "The recovery scan submits them every Recovery:Interval: if they stay, the scan is not running (Recovery:RunInApi) or every submit fails.",
        RetryOverdue =>
            "DB_CHECK: RETRY_WAIT jobs are overdue: the recovery scan is not running (Recovery:RunInApi, one replica holds its lock) or its submits fail (JOB_SUBMIT_FAILED in the API log).",
        RunningWithoutHeartbeat =>
            $"DB_CHECK: RUNNING jobs are silent past {Durations.Format(policy.StuckThreshold)}: their workers died (killed, out of memory, instance reclaimed) or cannot reach the database. " +
            "The recovery scan releases them to RETRY_WAIT; if they stay RUNNING, the scan is not running.",
        SucceededWithUndoneChunks =>
            "DB_CHECK: a chunked job SUCCEEDED while a chunk of its plan is not DONE (docs/decisions/0023-chunked-encoding.md): only the assembler elected after every chunk was recorded DONE completes a chunked job, so another writer changed these rows. Compare the job's published playlists with its chunks' recorded segments.",
        SucceededVideoNotReady =>
            "DB_CHECK: a SUCCEEDED job's video is not READY: job and video were written apart (job_complete must update both in one statement). Inspect the rows and retry the video.",
        _ =>
            "DB_CHECK: READY videos lack hls_path: the videos_ready_has_hls_path constraint is gone. Restore it (migration 0001) and re-run those videos.",
    };
}
