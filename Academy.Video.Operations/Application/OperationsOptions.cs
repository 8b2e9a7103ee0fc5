using System.ComponentModel;

namespace Academy.Video.Operations.Application;

/// <summary>Settings of the operator checks (section <c>Operations</c>).</summary>
public sealed class OperationsOptions
{
    public const string Section = "Operations";

    /// <summary>Finished jobs younger than this are "recent": their runner ids are described, their rows checked.</summary>
    [Description("Finished jobs younger than this are \"recent\": their runner ids are described, their rows checked.")]
    public TimeSpan RecentWindow { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How many latest jobs the report prints as evidence.</summary>
    [Description("How many latest jobs the report prints as evidence.")]
    public int LatestJobs { get; set; } = 5;

    /// <summary>How many runner ids and rule-breaking rows are looked at, at most.</summary>
    [Description("How many runner ids and rule-breaking rows are looked at, at most.")]
    public int RowLimit { get; set; } = 100;

    /// <summary>A deletion waiting in the cleanup outbox longer than this needs attention.</summary>
    [Description("A deletion waiting in the cleanup outbox longer than this needs attention.")]
    public TimeSpan CleanupBacklogMaxAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long the canary may take to become READY (a Batch compute environment may have to start an instance).</summary>
    [Description("How long the canary may take to become READY (a Batch compute environment may have to start an instance).")]
    public TimeSpan CanaryTimeout { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>
    /// The bound on every operator command but migrate: past it the command prints one FAIL line and exits 2
    /// (with <c>--smoke-submit</c> the bound is this plus <see cref="CanaryTimeout"/>).
    /// </summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The bound on <c>migrate</c>: a migration may rewrite a large table.</summary>
    [Description("The bound on migrate: a migration may rewrite a large table.")]
    public TimeSpan MigrateTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the canary's runner state and video are polled.</summary>
    [Description("How often the canary's runner state and video are polled.")]
    public TimeSpan CanaryPollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
