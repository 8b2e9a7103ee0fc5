namespace Academy.Video.Operations.Application;

public enum RunnerMode
{
    /// <summary>The embedded child-process runner and (usually) local storage: no cloud account.</summary>
    Local,
    /// <summary>AWS Batch: the checks also read the AWS account.</summary>
    Batch,
}

/// <summary>
/// What the settings chose, as the operator checks need to know it: the runner, the storage, the Batch names, and
/// whether local mode is declared (<c>LocalMode=true</c>; the API's own reading of it, never inferred from the runner).
/// </summary>
public sealed record RuntimeProfile(RunnerMode Runner, string Storage, string? JobQueue = null, string? JobDefinition = null, string? Region = null)
{
    public bool LocalMode { get; init; }

    public bool OnAws => Runner == RunnerMode.Batch;

    /// <summary>The earlier system called the runner check BATCH_CHECK; locally it checks the local runner.</summary>
    public string RunnerCheckName => OnAws ? "BATCH_CHECK" : "RUNNER_CHECK";

    /// <summary>Local mode only when declared; the local runner without it (a single server) is "local runner".</summary>
    public string ModeName => OnAws ? "batch" : LocalMode ? "local" : "local runner";

    public string RunnerName => OnAws ? "Batch" : "Local runner";

    public string AwsOnlySkipReason => $"Runner:Kind is Local: no AWS account in use";
}
