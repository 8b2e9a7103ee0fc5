using Academy.Video.Application.Jobs;

namespace Academy.Video.Operations.Application.Checks;

/// <summary>
/// LOG_CHECK / LOG_CONTENT_CHECK: the newest SUCCEEDED attempt's log shows <c>BATCH_PROCESS_START</c> and
/// <c>BATCH_JOB_COMPLETED</c> (CloudWatch Logs in Batch mode, the attempt log file locally). Skipped, not
/// failed, when no job has succeeded yet.
/// </summary>
public sealed class JobLogCheck(IOperationsStore store, IJobLogReader logs, RuntimeProfile profile)
{
    public static readonly IReadOnlyList<string> RequiredEvents = [JobEvents.ProcessStart, JobEvents.JobCompleted];

    public async Task<CheckResult> RunAsync(string name, string title, ReportBuilder report, int step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var attempt = await store.FindNewestSucceededAttemptAsync(cancellationToken);
        if (attempt is null)
        {
            report.Step(step, title, ["Logs: no job has SUCCEEDED yet, nothing to read"]);
            return CheckResult.Skip(name, "no job has SUCCEEDED yet");
        }

        var findings = await logs.FindEventsAsync(attempt, RequiredEvents, cancellationToken);
        var flags = string.Join(" ", RequiredEvents.Select(e => $"{e}={findings.Found.Contains(e)}"));
        report.Step(step, title, [$"Logs: {flags} (job {attempt.JobId} attempt {attempt.Attempt}, {findings.Location})"]);
        if (findings.Problem is not null)
        {
            return CheckResult.Fail(name, $"the log of job {attempt.JobId} attempt {attempt.Attempt} could not be read: {findings.Problem}",
                profile.OnAws
                    ? $"{name}: the worker log at {findings.Location} is missing or unreadable ({findings.Problem}): check the job definition's awslogs logConfiguration, the log group, and logs:CreateLogStream/logs:PutLogEvents for the execution role and logs:FilterLogEvents for this command."
                    : $"{name}: the attempt log at {findings.Location} is missing or unreadable ({findings.Problem}): run this command with the same Runner:Local:LogDirectory as the API that ran the job.");
        }

        var missing = RequiredEvents.Where(e => !findings.Found.Contains(e)).ToList();
        return missing.Count == 0
            ? CheckResult.Ok(name, $"job {attempt.JobId} attempt {attempt.Attempt}: {flags}")
            : CheckResult.Fail(name, $"job {attempt.JobId} attempt {attempt.Attempt}: {flags}",
                $"{name}: the log of SUCCEEDED job {attempt.JobId} lacks {string.Join(" and ", missing)}: the worker's stdout does not reach {findings.Location} " +
                "(another image or entrypoint, logging reconfigured, or events filtered); the worker writes one JSON object a line with an \"event\" field.");
    }
}
