namespace Academy.Video.Worker;

public readonly record struct WorkerJobId(Guid Value, string? Error)
{
    public const string EnvironmentVariable = "VIDEO_JOB_ID";

    /// <summary>VIDEO_JOB_ID wins; argv[1] (the Batch job definition's <c>Ref::job_id</c>) otherwise. Both set and different is refused.</summary>
    public static WorkerJobId Resolve(string[] args, string? environmentValue)
    {
        ArgumentNullException.ThrowIfNull(args);
        var fromEnvironment = string.IsNullOrWhiteSpace(environmentValue) ? null : environmentValue.Trim();
        var fromArgs = args is [var first, ..] && !first.Contains('=') ? first.Trim() : null;
        if (fromEnvironment is null && fromArgs is null)
        {
            return new(Guid.Empty, $"No job id: set {EnvironmentVariable} or pass the job id as the first argument.");
        }

        if (fromEnvironment is not null && fromArgs is not null && !string.Equals(fromEnvironment, fromArgs, StringComparison.OrdinalIgnoreCase))
        {
            return new(Guid.Empty, $"{EnvironmentVariable}={fromEnvironment} and argument '{fromArgs}' name different jobs.");
        }

        var raw = fromEnvironment ?? fromArgs!;
        return Guid.TryParse(raw, out var id) && id != Guid.Empty
            ? new(id, null)
            : new(Guid.Empty, $"'{(raw.Length > 64 ? raw[..64] : raw)}' is not a job id (a UUID).");
    }
}
