using Academy.Video.Domain;
using Academy.Video.Domain.Webhooks;

namespace Academy.Video.UnitTests.Domain;

public sealed class WebhookDeliveryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private static readonly DeliveryPolicy Policy = DeliveryPolicy.Default;

    private static readonly DeliveryAttemptResult Ok = new(DeliveryAttemptOutcome.Delivered, 204, TimeSpan.FromMilliseconds(40), "", null);
    private static readonly DeliveryAttemptResult ServerError = new(DeliveryAttemptOutcome.HttpError, 500, TimeSpan.FromMilliseconds(40), "boom", null);

    [Fact]
    public void The_default_schedule_doubles_from_30_seconds_to_6_hours_and_gives_up_after_15_attempts_about_32_hours_on()
    {
        var waits = Enumerable.Range(1, Policy.MaxAttempts - 1).Select(Policy.DelayAfter).ToList();

        Assert.Equal(TimeSpan.FromSeconds(30), waits[0]);
        Assert.Equal(TimeSpan.FromMinutes(256), waits[9]);
        Assert.All(waits.Skip(10), w => Assert.Equal(TimeSpan.FromHours(6), w));
        Assert.Equal(TimeSpan.FromSeconds(30 * 1023) + TimeSpan.FromHours(24), waits.Aggregate(TimeSpan.Zero, (a, b) => a + b));
    }

    [Fact]
    public void A_claim_opens_the_next_attempt_and_leases_it()
    {
        var delivery = New();

        var claim = delivery.Claim(T0, Policy);

        Assert.Equal((DeliveryState.Pending, 0, DeliveryState.Sending, 1), (claim.FromState, claim.FromAttempt, claim.ToState, claim.ToAttempt));
        Assert.Equal((T0 + Policy.Lease, true, false, (DeliveryAttemptResult?)null), (claim.NextAttemptAt, claim.OpensAttempt, claim.AbandonsOpenAttempts, claim.ClosesAttempt));
        Assert.Throws<InvalidDeliveryTransitionException>(() => (delivery with { NextAttemptAt = T0.AddSeconds(1) }).Claim(T0, Policy));
    }

    [Fact]
    public void An_attempt_past_its_lease_is_abandoned_by_the_next_claim_and_a_sending_one_within_it_cannot_be_claimed()
    {
        var sending = Claimed(New(), attempt: 3);

        Assert.Throws<InvalidDeliveryTransitionException>(() => sending.Claim(T0 + Policy.Lease - TimeSpan.FromSeconds(1), Policy));
        var next = sending.Claim(T0 + Policy.Lease, Policy);

        Assert.Equal((DeliveryState.Sending, 3, DeliveryState.Sending, 4, true), (next.FromState, next.FromAttempt, next.ToState, next.ToAttempt, next.AbandonsOpenAttempts));
    }

    [Fact]
    public void A_2xx_delivers_and_a_failure_waits_its_backoff_until_the_last_attempt_gives_up()
    {
        var inFlight = Claimed(New(), attempt: 1);
        var last = Claimed(New(), attempt: Policy.MaxAttempts);

        var delivered = inFlight.Record(Ok, T0, Policy);
        var retry = inFlight.Record(ServerError, T0, Policy);
        var givenUp = last.Record(ServerError, T0, Policy);

        Assert.Equal((DeliveryState.Delivered, (DateTimeOffset?)null, Ok), (delivered.ToState, delivered.NextAttemptAt, delivered.ClosesAttempt));
        Assert.Equal((DeliveryState.Pending, T0 + Policy.DelayAfter(1), 1), (retry.ToState, retry.NextAttemptAt!.Value, retry.FromAttempt));
        Assert.Equal((DeliveryState.Failed, (DateTimeOffset?)null), (givenUp.ToState, givenUp.NextAttemptAt));
    }

    [Fact]
    public void A_removed_endpoint_ends_the_delivery_at_once()
    {
        var removed = new DeliveryAttemptResult(DeliveryAttemptOutcome.EndpointRemoved, null, TimeSpan.Zero, null, "removed");

        Assert.Equal(DeliveryState.Failed, Claimed(New(), attempt: 1).Record(removed, T0, Policy).ToState);
    }

    [Fact]
    public void A_sender_that_died_on_the_last_attempt_leaves_a_delivery_that_the_next_claim_ends_FAILED()
    {
        var abandoned = Claimed(New(), attempt: Policy.MaxAttempts) with { NextAttemptAt = T0 };

        var claim = abandoned.Claim(T0, Policy);

        Assert.Equal((DeliveryState.Failed, Policy.MaxAttempts, false, true), (claim.ToState, claim.ToAttempt, claim.OpensAttempt, claim.AbandonsOpenAttempts));
        Assert.Null(claim.NextAttemptAt);
    }

    [Fact]
    public void Only_an_attempt_in_flight_can_be_recorded_and_never_as_abandoned()
    {
        var abandonedResult = ServerError with { Outcome = DeliveryAttemptOutcome.Abandoned };

        Assert.Throws<InvalidDeliveryTransitionException>(() => New().Record(Ok, T0, Policy));
        Assert.Throws<InvalidDeliveryTransitionException>(() => (Claimed(New(), 1) with { State = DeliveryState.Pending }).Record(Ok, T0, Policy));
        Assert.Throws<InvalidDeliveryTransitionException>(() => (Claimed(New(), 1) with { State = DeliveryState.Delivered }).Record(Ok, T0, Policy));
        Assert.Throws<ArgumentException>(() => Claimed(New(), 1).Record(abandonedResult, T0, Policy));
        Assert.IsAssignableFrom<DomainException>(Assert.Throws<InvalidDeliveryTransitionException>(() => New().Record(Ok, T0, Policy)));
    }

    [Fact]
    public void A_replay_is_a_new_pending_delivery_of_the_same_event_to_the_same_endpoint()
    {
        var failed = Claimed(New(), attempt: 15) with { State = DeliveryState.Failed, NextAttemptAt = null };

        var replay = failed.Replay(Guid.NewGuid(), T0.AddDays(2));

        Assert.Equal((failed.EventId, failed.EndpointId, failed.Url, (Guid?)failed.Id), (replay.EventId, replay.EndpointId, replay.Url, replay.ReplayOf));
        Assert.Equal((DeliveryState.Pending, 0, (DateTimeOffset?)T0.AddDays(2)), (replay.State, replay.AttemptCount, replay.NextAttemptAt));
        Assert.NotEqual(failed.Id, replay.Id);
    }

    private static WebhookDelivery New() => WebhookDelivery.Create(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), "https://example.com/hooks", T0);

    private static WebhookDelivery Claimed(WebhookDelivery delivery, int attempt) =>
        delivery with { State = DeliveryState.Sending, AttemptCount = attempt, NextAttemptAt = T0 + Policy.Lease };
}
