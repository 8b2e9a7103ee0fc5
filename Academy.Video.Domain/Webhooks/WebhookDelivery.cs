namespace Academy.Video.Domain.Webhooks;

public enum DeliveryState
{
    /// <summary>Waiting for its next attempt, due at <see cref="WebhookDelivery.NextAttemptAt"/>.</summary>
    Pending,
    /// <summary>An attempt is in flight, leased until <see cref="WebhookDelivery.NextAttemptAt"/>; past that its sender is presumed dead.</summary>
    Sending,
    /// <summary>The receiver answered 2xx.</summary>
    Delivered,
    /// <summary>Given up: every attempt failed, or the endpoint was removed. A replay can still send it.</summary>
    Failed,
}

public enum DeliveryAttemptOutcome
{
    /// <summary>2xx.</summary>
    Delivered,
    /// <summary>Any other status (redirects are not followed).</summary>
    HttpError,
    /// <summary>No answer: refused target, DNS, connection, TLS or timeout.</summary>
    NetworkError,
    /// <summary>The endpoint was removed before the attempt: nothing was sent, and nothing will be.</summary>
    EndpointRemoved,
    /// <summary>The sender never reported back (its process died); a later claim closed the attempt.</summary>
    Abandoned,
}

/// <summary>What one attempt found. <see cref="Duration"/> is how long the request took.</summary>
public sealed record DeliveryAttemptResult(
    DeliveryAttemptOutcome Outcome,
    int? StatusCode,
    TimeSpan Duration,
    string? ResponseExcerpt,
    string? Error);

/// <summary>
/// One event on its way to one endpoint. Immutable like <see cref="Jobs.TranscodeJob"/>: intent methods return
/// the <see cref="DeliveryTransition"/> a store applies as one compare-and-set on (state, attempt count).
/// A replay is a new delivery of the same event (same id, same body) that points back at this one.
/// </summary>
public sealed record WebhookDelivery
{
    public required Guid Id { get; init; }
    public required Guid EventId { get; init; }
    public required Guid EndpointId { get; init; }

    /// <summary>The endpoint's URL when the delivery was made (endpoints are never edited, only removed).</summary>
    public required string Url { get; init; }

    public DeliveryState State { get; init; } = DeliveryState.Pending;

    /// <summary>Attempts claimed so far; the current attempt's number is its fencing token.</summary>
    public int AttemptCount { get; init; }

    /// <summary>PENDING: when the next attempt is due; SENDING: when the attempt's lease ends. Null once finished.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>The delivery this one replays, if it is a replay.</summary>
    public Guid? ReplayOf { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    public static WebhookDelivery Create(Guid id, Guid eventId, Guid endpointId, string url, DateTimeOffset now, Guid? replayOf = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        return new()
        {
            Id = id,
            EventId = eventId,
            EndpointId = endpointId,
            Url = url,
            State = DeliveryState.Pending,
            NextAttemptAt = now,
            ReplayOf = replayOf,
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

    /// <summary>PENDING and due, or SENDING past its lease (the sender died).</summary>
    public bool IsDue(DateTimeOffset now) => State is DeliveryState.Pending or DeliveryState.Sending && NextAttemptAt <= now;

    /// <summary>
    /// A sender takes the next attempt: SENDING, the attempt opened now and leased for <see cref="DeliveryPolicy.Lease"/>.
    /// Claimed while SENDING, the attempt in flight was abandoned by a sender that died; it is closed so, and
    /// when that was the last attempt allowed the delivery ends FAILED instead.
    /// </summary>
    public DeliveryTransition Claim(DateTimeOffset now, DeliveryPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (!IsDue(now))
        {
            throw new InvalidDeliveryTransitionException(this, "be claimed (it is not due)");
        }

        var abandons = State == DeliveryState.Sending;
        if (AttemptCount >= policy.MaxAttempts)
        {
            return Move(DeliveryState.Failed, AttemptCount, now) with { AbandonsOpenAttempts = abandons };
        }

        return Move(DeliveryState.Sending, AttemptCount + 1, now) with
        {
            NextAttemptAt = now + policy.Lease,
            OpensAttempt = true,
            AbandonsOpenAttempts = abandons,
        };
    }

    /// <summary>
    /// The claimed attempt's result: DELIVERED on 2xx; FAILED when the endpoint is gone or this was the last
    /// attempt allowed; otherwise PENDING again after <see cref="DeliveryPolicy.DelayAfter"/>. Only the SENDING
    /// attempt is recorded, once: a late or repeated result loses its compare-and-set.
    /// </summary>
    public DeliveryTransition Record(DeliveryAttemptResult result, DateTimeOffset now, DeliveryPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(policy);
        if (State != DeliveryState.Sending)
        {
            throw new InvalidDeliveryTransitionException(this, "record an attempt (none is in flight)");
        }

        if (result.Outcome is DeliveryAttemptOutcome.Abandoned)
        {
            throw new ArgumentException("An attempt is recorded abandoned only by the claim that follows it.", nameof(result));
        }

        var to = result.Outcome switch
        {
            DeliveryAttemptOutcome.Delivered => DeliveryState.Delivered,
            DeliveryAttemptOutcome.EndpointRemoved => DeliveryState.Failed,
            _ when AttemptCount >= policy.MaxAttempts => DeliveryState.Failed,
            _ => DeliveryState.Pending,
        };

        return Move(to, AttemptCount, now) with
        {
            NextAttemptAt = to == DeliveryState.Pending ? now + policy.DelayAfter(AttemptCount) : null,
            ClosesAttempt = result,
        };
    }

    /// <summary>Sends the same event to the same endpoint again, whatever became of this delivery.</summary>
    public WebhookDelivery Replay(Guid newId, DateTimeOffset now) => Create(newId, EventId, EndpointId, Url, now, replayOf: Id);

    private DeliveryTransition Move(DeliveryState to, int toAttempt, DateTimeOffset now) =>
        new(Id, State, AttemptCount, to, toAttempt, now);
}

/// <summary>
/// A delivery's change as a compare-and-set on (<see cref="FromState"/>, <see cref="FromAttempt"/>), carrying
/// every value it writes: the stores write it in one statement and return the row they wrote, or nothing.
/// </summary>
public sealed record DeliveryTransition(
    Guid DeliveryId,
    DeliveryState FromState,
    int FromAttempt,
    DeliveryState ToState,
    int ToAttempt,
    DateTimeOffset At)
{
    /// <summary>Written as is: the due time while PENDING, the lease end while SENDING, null once finished.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>Attempt <see cref="ToAttempt"/> is opened, started at <see cref="At"/>.</summary>
    public bool OpensAttempt { get; init; }

    /// <summary>The attempt that was SENDING past its lease is closed ABANDONED.</summary>
    public bool AbandonsOpenAttempts { get; init; }

    /// <summary>Attempt <see cref="FromAttempt"/> is closed with this result.</summary>
    public DeliveryAttemptResult? ClosesAttempt { get; init; }
}

public sealed class InvalidDeliveryTransitionException(WebhookDelivery delivery, string action)
    : DomainException(
        "INVALID_DELIVERY_TRANSITION",
        $"Delivery {delivery.Id} is {delivery.State.ToWire()} (attempt {delivery.AttemptCount}); it cannot {action}.");

public static class DeliveryNames
{
    public static string ToWire(this DeliveryState state) => state switch
    {
        DeliveryState.Pending => "PENDING",
        DeliveryState.Sending => "SENDING",
        DeliveryState.Delivered => "DELIVERED",
        DeliveryState.Failed => "FAILED",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static bool TryParseDeliveryState(string? wire, out DeliveryState state)
    {
        foreach (var candidate in Enum.GetValues<DeliveryState>())
        {
            if (string.Equals(candidate.ToWire(), wire, StringComparison.OrdinalIgnoreCase))
            {
                state = candidate;
                return true;
            }
        }

        state = default;
        return false;
    }

    public static DeliveryState ParseDeliveryState(string wire) =>
        TryParseDeliveryState(wire, out var state) ? state : throw new ArgumentOutOfRangeException(nameof(wire), wire, "Unknown delivery state.");

    public static string ToWire(this DeliveryAttemptOutcome outcome) => outcome switch
    {
        DeliveryAttemptOutcome.Delivered => "DELIVERED",
        DeliveryAttemptOutcome.HttpError => "HTTP_ERROR",
        DeliveryAttemptOutcome.NetworkError => "NETWORK_ERROR",
        DeliveryAttemptOutcome.EndpointRemoved => "ENDPOINT_REMOVED",
        DeliveryAttemptOutcome.Abandoned => "ABANDONED",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };

    public static DeliveryAttemptOutcome ParseDeliveryAttemptOutcome(string wire)
    {
        foreach (var outcome in Enum.GetValues<DeliveryAttemptOutcome>())
        {
            if (outcome.ToWire() == wire)
            {
                return outcome;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(wire), wire, "Unknown attempt outcome.");
    }
}
