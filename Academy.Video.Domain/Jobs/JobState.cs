namespace Academy.Video.Domain.Jobs;

public enum JobState
{
    Queued,
    Running,
    Succeeded,
    RetryWait,
    /// <summary>Permanent failure: retrying cannot help (the source is not a decodable video).</summary>
    Failed,
    /// <summary>Transient failures used up every attempt.</summary>
    Dead,
}

public static class JobStateNames
{
    /// <summary>The names the database, the logs and the API use (docs/contract.md §2).</summary>
    public static string ToWire(this JobState state) => state switch
    {
        JobState.Queued => "QUEUED",
        JobState.Running => "RUNNING",
        JobState.Succeeded => "SUCCEEDED",
        JobState.RetryWait => "RETRY_WAIT",
        JobState.Failed => "FAILED",
        JobState.Dead => "DEAD",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static JobState ParseJobState(string wire) => wire switch
    {
        "QUEUED" => JobState.Queued,
        "RUNNING" => JobState.Running,
        "SUCCEEDED" => JobState.Succeeded,
        "RETRY_WAIT" => JobState.RetryWait,
        "FAILED" => JobState.Failed,
        "DEAD" => JobState.Dead,
        _ => throw new ArgumentOutOfRangeException(nameof(wire), wire, "Unknown job state."),
    };

    public static bool IsTerminal(this JobState state) =>
        state is JobState.Succeeded or JobState.Failed or JobState.Dead;

    /// <summary>States from which a worker may start an attempt.</summary>
    public static bool IsStartable(this JobState state) =>
        state is JobState.Queued or JobState.RetryWait;
}
