using Academy.Video.Application.Jobs;
using Academy.Video.Domain.Jobs;
using Microsoft.Extensions.Options;

namespace Academy.Video.Operations.Application.Checks;

/// <summary>
/// RUNNER_CHECK (BATCH_CHECK in Batch mode): the runner ids the database holds are described and
/// compared with the database — a job RUNNING in the database whose runner job has ended, an
/// unfinished job the runner does not know, a submission waiting in RUNNABLE for too long.
/// </summary>
public sealed class RunnerAgreementCheck(
    IOperationsStore store,
    ITranscodeJobStore jobs,
    IJobRunner runner,
    RuntimeProfile profile,
    JobPolicy policy,
    IOptions<OperationsOptions> options,
    TimeProvider time)
{
    private static readonly HashSet<string> Ended = new(StringComparer.OrdinalIgnoreCase) { "SUCCEEDED", "FAILED" };

    public async Task<CheckResult> RunAsync(ReportBuilder report, int step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var name = profile.RunnerCheckName;
        var now = time.GetUtcNow();
        var settings = options.Value;
        var withIds = await store.ListJobsWithRunnerIdAsync(now - settings.RecentWindow, settings.RowLimit, cancellationToken);
        if (withIds.Count == 0)
        {
            report.Step(step, "Runner", [$"{profile.RunnerName}: no runner ids in the last {Durations.Hours(settings.RecentWindow)}, nothing to describe"]);
            return CheckResult.Ok(name, "no runner ids to compare");
        }

        var statuses = (await runner.DescribeAsync(withIds.Select(j => j.BatchJobId!).ToList(), cancellationToken))
            .ToDictionary(s => s.RunnerJobId, StringComparer.Ordinal);
        var lines = new List<string>
        {
            $"{profile.RunnerName}: described {statuses.Count} of {withIds.Count} runner id(s): " +
            (statuses.Count == 0 ? "none known" : string.Join(" ", statuses.Values.GroupBy(s => s.Status).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}={g.Count()}"))),
        };
        var problems = new List<string>();
        var hints = new List<string>();
        var notVisible = 0;
        var forgotten = 0;

        foreach (var job in withIds)
        {
            var runnerJobId = job.BatchJobId!;
            statuses.TryGetValue(runnerJobId, out var status);
            if (status is null)
            {
                if (job.State.IsTerminal())
                {
                    forgotten++;
                }
                else if (profile.OnAws)
                {
                    problems.Add($"job {job.Id} is {job.State.ToWire()} in the database but Batch does not know {runnerJobId}");
                    lines.Add($"UNKNOWN {runnerJobId}: job {job.Id} {job.State.ToWire()} attempt {job.AttemptCount}");
                    hints.Add($"{name}: Batch does not know {runnerJobId} (job {job.Id}): it was submitted to another region or account (Runner:Batch:Region), or Batch purged it. " +
                              "The recovery scan resubmits a QUEUED job it cannot find after Jobs:SubmissionCheckAfter; a RUNNING one after the stuck threshold.");
                }
                else
                {
                    notVisible++;
                }

                continue;
            }

            if (job.State == JobState.Running && Ended.Contains(status.Status))
            {
                // The worker may have finished between the two reads: only a job still RUNNING on the same id counts.
                var current = await jobs.FindAsync(job.Id, cancellationToken);
                if (current is { State: JobState.Running } && current.BatchJobId == runnerJobId && current.AttemptCount == job.AttemptCount)
                {
                    var silence = now - (current.LastHeartbeatAt ?? current.UpdatedAt);
                    problems.Add($"job {job.Id} is RUNNING in the database but {runnerJobId} is {status.Status} at the runner");
                    lines.Add($"MISMATCH {runnerJobId}: DB RUNNING attempt {job.AttemptCount} (last heartbeat {Durations.Format(silence)} ago), runner {status.Status} " +
                              $"(exit code {status.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}, reason: {status.StatusReason ?? "none"})");
                    hints.Add($"{name}: job {job.Id} is RUNNING in the database while {runnerJobId} is {status.Status} ({status.StatusReason ?? "no reason given"}): " +
                              $"the container ended without its worker finishing the attempt (killed, out of memory, instance reclaimed, start error). " +
                              $"The recovery scan releases it after {Durations.Format(policy.StuckThreshold)} without a heartbeat; if it stays RUNNING the scan is not running. Read the attempt's log for the cause.");
                }

                continue;
            }

            if (job.State is JobState.Queued or JobState.RetryWait)
            {
                var waited = now - (job.SubmittedAt ?? job.UpdatedAt);
                if (!Ended.Contains(status.Status) && status.Status != "RUNNING" && waited > policy.SubmissionCheckAfter)
                {
                    var explained = RunnerStatusReasons.Explain(status.StatusReason);
                    problems.Add($"{runnerJobId} is {status.Status} for {Durations.Format(waited)}");
                    lines.Add($"WAITING {runnerJobId}: job {job.Id} {job.State.ToWire()}, {status.Status} for {Durations.Format(waited)}, statusReason: {status.StatusReason ?? "none"}");
                    hints.Add(explained is null
                        ? $"{name}: {runnerJobId} has waited {status.Status} for {Durations.Format(waited)} ({status.StatusReason ?? "no statusReason"}): check the queue and its compute environment (diagnose-infra: QUEUE_CHECK, CE_CHECK)."
                        : $"{name}: {runnerJobId} has waited {status.Status} for {Durations.Format(waited)}: {explained}.");
                }
                else if (status.Status.Equals("FAILED", StringComparison.OrdinalIgnoreCase))
                {
                    problems.Add($"{runnerJobId} FAILED before its worker started");
                    lines.Add($"FAILED BEFORE START {runnerJobId}: job {job.Id} {job.State.ToWire()}, reason: {status.StatusReason ?? "none"}");
                    hints.Add($"{name}: {runnerJobId} ended FAILED before its worker started attempt {job.AttemptCount + 1} ({status.StatusReason ?? "no reason given"}): " +
                              "the container could not start (image pull, execution role, missing job_id parameter). The recovery scan resubmits it after Jobs:SubmissionCheckAfter; fix the cause first (diagnose-infra).");
                }
            }
        }

        if (forgotten > 0)
        {
            lines.Add(profile.OnAws
                ? $"{forgotten} finished job(s) Batch no longer describes (it keeps finished jobs for a limited time): not compared"
                : $"{forgotten} finished job(s) ran under another process's local runner (its memory is per process): not compared");
        }

        if (notVisible > 0)
        {
            lines.Add($"{notVisible} unfinished job(s) run under another process's local runner (its memory is per process): not compared");
        }

        report.Step(step, "Runner", lines);
        return problems.Count == 0
            ? CheckResult.Ok(name, $"{statuses.Count} of {withIds.Count} runner id(s) described" +
                (forgotten + notVisible > 0 ? $", {forgotten + notVisible} not visible from here" : "") + "; the runner agrees with the database")
            : CheckResult.Fail(name, string.Join("; ", problems), hints);
    }
}
