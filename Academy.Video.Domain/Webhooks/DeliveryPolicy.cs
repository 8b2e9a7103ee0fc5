namespace Academy.Video.Domain.Webhooks;

/// <summary>
/// How long a delivery keeps trying (decision 0010). With the defaults the waits after attempts 1..14 are
/// 30 s, 1, 2, 4, 8, 16, 32, 64, 128, 256 min, then 6 h four times: the 15th and last attempt is about
/// 32.5 hours after the first, so a receiver that is down overnight or for a day still gets the event.
/// </summary>
public sealed record DeliveryPolicy
{
    public int MaxAttempts { get; init; } = 15;

    /// <summary>The wait after the first failed attempt; it doubles after each further one.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromHours(6);

    /// <summary>
    /// How long a claimed attempt is left to its sender before another may claim the delivery again (the
    /// sender died mid-request). Longer than any one request may take.
    /// </summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(2);

    public static DeliveryPolicy Default { get; } = new();

    /// <summary>The wait after failed attempt <paramref name="failedAttempt"/>: base * 2^(n-1), capped.</summary>
    public TimeSpan DelayAfter(int failedAttempt)
    {
        if (failedAttempt < 1 || RetryBaseDelay <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        var exponent = Math.Min(failedAttempt - 1, 30);
        var ticks = (decimal)RetryBaseDelay.Ticks * (1L << exponent);
        return ticks > RetryMaxDelay.Ticks ? RetryMaxDelay : TimeSpan.FromTicks((long)ticks);
    }
}
