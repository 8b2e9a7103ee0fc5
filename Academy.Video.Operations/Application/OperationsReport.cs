using Academy.Video.Domain.Jobs;

namespace Academy.Video.Operations.Application;

public enum CheckStatus
{
    Ok,
    Fail,
    /// <summary>Not applicable here (the local runner has no AWS account, nothing to look at yet); never a failure.</summary>
    Skip,
}

/// <summary>
/// One line of an operator report (<c>NAME: OK|FAIL|SKIP</c>): what was seen, and for a failure,
/// the root-cause hints that name the fix.
/// </summary>
public sealed record CheckResult(string Name, CheckStatus Status, string Detail, IReadOnlyList<string> Hints)
{
    public static CheckResult Ok(string name, string detail) => new(name, CheckStatus.Ok, detail, []);

    public static CheckResult Skip(string name, string reason) => new(name, CheckStatus.Skip, reason, []);

    public static CheckResult Fail(string name, string detail, params IEnumerable<string> hints) =>
        new(name, CheckStatus.Fail, detail, hints.ToList());
}

/// <summary>A step of the report with its evidence: text lines and, where rows are the evidence, the job rows.</summary>
public sealed record ReportStep(int Number, string Title, IReadOnlyList<string> Lines, IReadOnlyList<JobEvidence>? Jobs = null);

/// <summary>
/// The report of <c>validate-system</c> or <c>diagnose-infra</c>: the steps in order, one result per
/// check, <see cref="SystemStatus"/> and the hints of every failure.
/// </summary>
public sealed record OperationsReport(string Command, string Mode, DateTimeOffset At, IReadOnlyList<ReportStep> Steps, IReadOnlyList<CheckResult> Checks)
{
    public const string Healthy = "OK";
    public const string NeedsAttention = "NEEDS_ATTENTION";

    public string SystemStatus => Checks.Any(c => c.Status == CheckStatus.Fail) ? NeedsAttention : Healthy;

    public IReadOnlyList<string> RootCauseHints => Checks.Where(c => c.Status == CheckStatus.Fail).SelectMany(c => c.Hints).Distinct().ToList();
}

/// <summary>A job row as operators read it (the earlier system's reports showed these fields), with the rule it breaks if any.</summary>
public sealed record JobEvidence(
    Guid Id,
    Guid VideoId,
    string State,
    string? AwsBatchJobId,
    int AttemptCount,
    string? ErrorCode,
    string? ErrorMessage,
    DateTimeOffset? Heartbeat,
    DateTimeOffset UpdatedAt,
    string? VideoStatus = null,
    string? Rule = null)
{
    public static JobEvidence From(TranscodeJob job, string? videoStatus = null, string? rule = null)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new(job.Id, job.VideoId, job.State.ToWire(), job.BatchJobId, job.AttemptCount, job.ErrorCode, job.ErrorMessage,
            job.LastHeartbeatAt, job.UpdatedAt, videoStatus, rule);
    }
}
