using Academy.Video.Operations.Application.Checks;
using Academy.Video.Operations.Application.SmokeSubmit;
using Academy.Video.Operations.Application.ValidateSystem;

namespace Academy.Video.Operations.Application.DiagnoseInfra;

/// <summary>
/// The infrastructure diagnosis (docs/contract.md §4), with the same steps and FINAL REPORT names:
/// settings vs the template vs what is deployed, AWS access, the queue and its compute environments,
/// the job definition, the roles, the log group and its content, and with <see cref="SmokeSubmit"/> a
/// canary through the real path. With the local runner the AWS checks are skipped with the reason.
/// </summary>
public sealed record DiagnoseInfraCommand(bool SmokeSubmit = false);

public sealed class DiagnoseInfraHandler(
    IOperationsStore store,
    RuntimeProfile profile,
    BatchInfrastructureChecks batch,
    IamRolesCheck iam,
    JobLogCheck logs,
    RunCanaryHandler smokeSubmit,
    TimeProvider time)
{
    public const string Command = "diagnose-infra";
    public const string SmokeSubmitCheck = "SMOKE_SUBMIT_CHECK";
    public const string LogContentCheck = "LOG_CONTENT_CHECK";

    public async ValueTask<OperationsReport> Handle(DiagnoseInfraCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await DatabaseGate.RequireAsync(store, cancellationToken);
        var report = new ReportBuilder(Command, profile, time.GetUtcNow());
        var deployed = new DeployedBatch();

        if (profile.OnAws)
        {
            await report.CheckAsync(BatchInfrastructureChecks.ConfigMatchQueue, () => batch.ConfigMatchQueueAsync(report, deployed, cancellationToken));
            await report.CheckAsync(BatchInfrastructureChecks.ConfigMatchJobDefinition, () => batch.ConfigMatchJobDefinitionAsync(report, deployed, cancellationToken));
            await report.CheckAsync(BatchInfrastructureChecks.AwsAccess, () => batch.AwsAccessAsync(report, cancellationToken));
            await report.CheckAsync(BatchInfrastructureChecks.QueueCheck, () => batch.QueueAsync(report, deployed, cancellationToken));
            await report.CheckAsync(BatchInfrastructureChecks.ComputeEnvironmentCheck, () => batch.ComputeEnvironmentsAsync(report, deployed, cancellationToken));
            await report.CheckAsync(BatchInfrastructureChecks.JobDefinitionCheck, () => batch.JobDefinitionAsync(report, deployed, cancellationToken));
            await report.CheckAsync(IamRolesCheck.Name, () => iam.RunAsync(report, 3, deployed.JobDefinition, cancellationToken));
            var group = await report.CheckAsync(BatchInfrastructureChecks.LogGroupCheck, () => batch.LogGroupAsync(report, deployed, cancellationToken));
            if (group.Status == CheckStatus.Fail)
            {
                report.Add(CheckResult.Skip(LogContentCheck, "the log group is missing"));
            }
            else
            {
                await report.CheckAsync(LogContentCheck, () => logs.RunAsync(LogContentCheck, "LOG CONTENT", report, 4, cancellationToken));
            }
        }
        else
        {
            var reason = profile.AwsOnlySkipReason;
            report.Step(0, "CONFIG_DIFF", [$"Runner:Kind=Local: no Batch queue or job definition to compare ({reason})"]);
            report.Step(1, "AWS", ["Runner:Kind=Local: no AWS account, region or credentials in use"]);
            foreach (var name in new[]
                     {
                         BatchInfrastructureChecks.ConfigMatchQueue, BatchInfrastructureChecks.ConfigMatchJobDefinition, BatchInfrastructureChecks.AwsAccess,
                         BatchInfrastructureChecks.QueueCheck, BatchInfrastructureChecks.ComputeEnvironmentCheck, BatchInfrastructureChecks.JobDefinitionCheck,
                         IamRolesCheck.Name, BatchInfrastructureChecks.LogGroupCheck,
                     })
            {
                report.Add(CheckResult.Skip(name, reason));
            }

            await report.CheckAsync(LogContentCheck, () => logs.RunAsync(LogContentCheck, "LOG CONTENT", report, 4, cancellationToken));
        }

        if (command.SmokeSubmit)
        {
            await report.CheckAsync(SmokeSubmitCheck, () => SmokeAsync(report, cancellationToken));
        }
        else
        {
            report.Step(5, "SMOKE SUBMIT", ["skipped: run with --smoke-submit to send a canary through the real path"]);
            report.Add(CheckResult.Skip(SmokeSubmitCheck, "not requested: run with --smoke-submit"));
        }

        return report.Build();
    }

    private async Task<CheckResult> SmokeAsync(ReportBuilder report, CancellationToken cancellationToken)
    {
        var canary = await smokeSubmit.Handle(new RunCanaryCommand(), cancellationToken);
        var timeline = string.Join(" -> ", canary.Phases.Select(p => p.Duration > TimeSpan.Zero ? $"{p.Status} {Durations.Seconds(p.Duration)}" : p.Status));
        report.Step(5, "SMOKE SUBMIT",
        [
            $"canary video {canary.VideoId} job {canary.JobId?.ToString() ?? "none"} runner id {canary.RunnerJobId ?? "none"}",
            $"runner states: {(timeline.Length == 0 ? "none seen" : timeline)} (total {Durations.Seconds(canary.Elapsed)})",
            canary.Ready ? "video READY" : $"not READY: {canary.Problem}",
            canary.Cleanup,
        ]);
        if (canary.Ready)
        {
            return CheckResult.Ok(SmokeSubmitCheck, $"canary READY in {Durations.Seconds(canary.Elapsed)} ({timeline}); {canary.Cleanup}");
        }

        var explained = RunnerStatusReasons.Explain(canary.StatusReason);
        var hint = canary.RunnerJobId is null
            ? $"{SmokeSubmitCheck}: the submission was refused: check that this role may batch:SubmitJob on the queue and job definition of the settings (diagnose-infra CONFIG_MATCH_*); " +
              "'No parameter found for reference job_id' means the job definition's command references a parameter the product does not send (it sends job_id)."
            : explained is not null
                ? $"{SmokeSubmitCheck}: {explained}."
                : $"{SmokeSubmitCheck}: the canary did not become READY ({canary.Problem}; runner reason: {canary.StatusReason ?? "none"}): read the attempt's worker log " +
                  (profile.OnAws ? "in CloudWatch (LOG_CONTENT_CHECK) and check the image, the execution role and the job definition (JOBDEF_CHECK)." : "under Runner:Local:LogDirectory and check Runner:Local:Command and Arguments (check-settings).");
        return CheckResult.Fail(SmokeSubmitCheck, canary.Problem ?? "the canary did not become READY", hint);
    }
}
