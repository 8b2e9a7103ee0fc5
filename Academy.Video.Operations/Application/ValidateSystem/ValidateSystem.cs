using Academy.Video.Application.Common;
using Academy.Video.Operations.Application.Checks;

namespace Academy.Video.Operations.Application.ValidateSystem;

/// <summary>
/// The health summary (the earlier system's <c>validate_batch_video_system</c>, docs/contract.md §4): DB_CHECK, RUNNER_CHECK or
/// BATCH_CHECK, LOG_CHECK, STUCK_CHECK, STORAGE_CHECK and IAM_CHECK, each with its evidence and hints.
/// Read-only but for the storage probe, which it deletes.
/// </summary>
public sealed record ValidateSystemQuery;

public sealed class ValidateSystemHandler(
    IOperationsStore store,
    RuntimeProfile profile,
    DatabaseRulesCheck database,
    RunnerAgreementCheck runner,
    JobLogCheck logs,
    StuckScanCheck stuck,
    StorageProbeCheck storage,
    IamRolesCheck iam,
    TimeProvider time)
{
    public const string Command = "validate-system";
    public const string LogCheckName = "LOG_CHECK";

    public async ValueTask<OperationsReport> Handle(ValidateSystemQuery query, CancellationToken cancellationToken)
    {
        var status = await DatabaseGate.RequireAsync(store, cancellationToken);
        var report = new ReportBuilder(Command, profile, time.GetUtcNow());
        await report.CheckAsync(DatabaseRulesCheck.Name, () => database.RunAsync(status, report, cancellationToken));
        await report.CheckAsync(profile.RunnerCheckName, () => runner.RunAsync(report, 2, cancellationToken));
        await report.CheckAsync(LogCheckName, () => logs.RunAsync(LogCheckName, "Logs", report, 3, cancellationToken));
        await report.CheckAsync(StuckScanCheck.Name, () => stuck.RunAsync(report, 4, cancellationToken));
        await report.CheckAsync(StorageProbeCheck.Name, () => storage.RunAsync(report, 5, cancellationToken));
        await report.CheckAsync(IamRolesCheck.Name, () => iam.RunAsync(report, 6, null, cancellationToken));
        return report.Build();
    }
}

/// <summary>Every operator command needs the database first: when it cannot be reached, that is the one answer.</summary>
public static class DatabaseGate
{
    public static async Task<DatabaseStatus> RequireAsync(IOperationsStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var status = await store.ProbeAsync(cancellationToken);
        return status.Reachable
            ? status
            : throw new DependencyUnavailableException(DependencyUnavailableException.DatabaseUnavailable, $"the database is unreachable: {status.Cause}");
    }
}
