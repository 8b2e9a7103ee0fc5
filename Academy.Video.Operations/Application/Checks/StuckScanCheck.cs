using Academy.Video.Application.Jobs.ScanStuckJobs;
using Academy.Video.Domain.Jobs;
using Mediator;

namespace Academy.Video.Operations.Application.Checks;

/// <summary>STUCK_CHECK: the recovery scan runs as a dry run (it decides, changes nothing) and reports its counts.</summary>
public sealed class StuckScanCheck(ISender sender)
{
    public const string Name = "STUCK_CHECK";

    public async Task<CheckResult> RunAsync(ReportBuilder report, int step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var scan = await sender.Send(new ScanStuckJobsCommand(DryRun: true), cancellationToken);
        var counts = $"would mark stuck={scan.Count(RecoveryActionKind.MarkStuck)} " +
                     $"would submit={scan.Count(RecoveryActionKind.SubmitMissing) + scan.Count(RecoveryActionKind.Resubmit)} " +
                     $"verify submission={scan.Count(RecoveryActionKind.VerifySubmission)}";
        var lines = new List<string> { $"scan_stuck_video_jobs (dry-run): OK Done: {counts} (dry-run)" };
        lines.AddRange(scan.Entries.Select(e => $"  {e.JobId} {e.State} attempt {e.Attempt}: {e.Action} ({e.Reason}) -> {e.Result}"));
        report.Step(step, "Stuck scan", lines);
        return CheckResult.Ok(Name, $"dry run: {counts}");
    }
}
