using System.ComponentModel;

namespace Academy.Video.Domain.Jobs;

/// <summary>The numbers of the retry contract (docs/contract.md §2). Defaults are the earlier system's.</summary>
public sealed record JobPolicy
{
    public const int DefaultMaxAttempts = 5;

    /// <summary>Attempts a job may use, not counting those its host took away (<see cref="MaxHostTerminations"/>).</summary>
    [Description("Attempts a job may use, not counting those its host took away (MaxHostTerminations).")]
    public int MaxAttempts { get; init; } = DefaultMaxAttempts;

    /// <summary>
    /// Attempts a job may lose to its host being terminated (a Spot reclaim) before it ends DEAD
    /// (HOST_TERMINATED). Such attempts resume at once and do not count toward <see cref="MaxAttempts"/>.
    /// </summary>
    public int MaxHostTerminations { get; init; } = 5;

    /// <summary>A RUNNING attempt silent for longer than this is presumed dead.</summary>
    [Description("A RUNNING attempt silent for longer than this is presumed dead.")]
    public TimeSpan StuckThreshold { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>How long a QUEUED job may wait for its Batch id before the scan submits it itself.</summary>
    [Description("How long a QUEUED job may wait for its Batch id before the scan submits it itself.")]
    public TimeSpan SubmitGracePeriod { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a submitted job may wait to start before the scan asks the runner whether it still exists.</summary>
    [Description("How long a submitted job may wait to start before the scan asks the runner whether it still exists.")]
    public TimeSpan SubmissionCheckAfter { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Wait before attempt n+1 is submitted: base * 2^(n-1), capped.</summary>
    [Description("Wait before attempt n+1 is submitted: base * 2^(n-1), capped.")]
    public TimeSpan RetryBackoffBase { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan RetryBackoffCap { get; init; } = TimeSpan.FromMinutes(10);

    public static JobPolicy Default { get; } = new();

    public TimeSpan BackoffAfter(int failedAttempt)
    {
        if (failedAttempt < 1 || RetryBackoffBase <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        var exponent = Math.Min(failedAttempt - 1, 16);
        var ticks = RetryBackoffBase.Ticks * (1L << exponent);
        return ticks > RetryBackoffCap.Ticks ? RetryBackoffCap : TimeSpan.FromTicks(ticks);
    }
}
