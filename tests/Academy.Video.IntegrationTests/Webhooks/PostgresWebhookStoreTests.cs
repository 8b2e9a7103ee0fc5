using Academy.Video.Testing;
using Academy.Video.Application.Webhooks;
using Academy.Video.Domain.Events;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using Academy.Video.Domain.Webhooks;
using Academy.Video.Infrastructure.Persistence;
using Academy.Video.IntegrationTests.Persistence;
using static Academy.Video.IntegrationTests.Persistence.PersistenceScenario;

namespace Academy.Video.IntegrationTests.Webhooks;

/// <summary>The webhook tables on PostgreSQL: the dispatch once per event, the delivery compare-and-sets, every attempt kept, and the races.</summary>
public sealed class PostgresWebhookStoreTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DeliveryPolicy Policy = DeliveryPolicy.Default;
    private readonly PersistenceScenario db = new(database.DataSource);
    private readonly PostgresWebhookDeliveryStore deliveries = new(database.DataSource, NamedPipelines.Postgres);
    private readonly PostgresVideoEventStore events = new(database.DataSource, NamedPipelines.Postgres);
    private static readonly string SecretKey = WebhookSecretEncryptionTests.NewKey();
    private readonly PostgresWebhookEndpointStore endpoints = new(database.DataSource, WebhookSecretEncryptionTests.Protector(SecretKey), NamedPipelines.Postgres);

    [Fact]
    public async Task Fifty_racing_completions_of_one_attempt_write_one_video_ready_and_the_losers_none()
    {
        var (video, job) = await db.RunningAsync(T0);
        var hlsPath = job.AttemptPrefix(1) + StorageKeys.MasterPlaylistName;

        var results = await Task.WhenAll(Enumerable.Range(0, 50)
            .Select(i => Task.Run(() => db.Jobs.TryTransitionAsync(job.Complete(hlsPath, T0.AddSeconds(i))!, None))));

        Assert.Single(results, r => r is not null);
        var ready = (await events.ListAsync(new VideoEventQuery(video.Id, VideoEventType.VideoReady, null, 100), None)).Items;
        Assert.Equal(Assert.Single(results, r => r is not null)!.FinishedAt, Assert.Single(ready).OccurredAt);
    }

    [Fact]
    public async Task An_event_is_dispatched_once_with_its_body_and_one_delivery_per_endpoint()
    {
        var videoEvent = await ReadyEventAsync();
        var first = Dispatch(videoEvent, """{"first":true}""", T0.AddMinutes(1), 2);
        var second = Dispatch(videoEvent, """{"second":true}""", T0.AddMinutes(2), 3);

        Assert.True(await deliveries.TryDispatchAsync(first, None));
        Assert.False(await deliveries.TryDispatchAsync(second, None));

        var stored = (await events.FindAsync(videoEvent.Id, None))!;
        Assert.Equal(("""{"first":true}""", (DateTimeOffset?)T0.AddMinutes(1)), (stored.Body, stored.DispatchedAt));
        Assert.DoesNotContain(await deliveries.ListUndispatchedAsync(100, None), e => e.Id == videoEvent.Id);
        var listed = (await deliveries.ListAsync(new DeliveryQuery(null, videoEvent.Id, null, null, null, 10), None)).Items;
        Assert.Equal(first.Deliveries.Select(d => d.Id).Order(), listed.Select(r => r.Delivery.Id).Order());
        Assert.All(listed, r => Assert.Equal(first.Deliveries.Single(d => d.Id == r.Delivery.Id), r.Delivery));
        Assert.All(listed, r => Assert.Equal((VideoEventType.VideoReady, videoEvent.VideoId, (DeliveryAttempt?)null), (r.EventType, r.VideoId, r.LastAttempt)));
    }

    [Fact]
    public async Task Of_ten_racing_claims_one_opens_the_attempt_and_its_result_closes_it_with_status_duration_and_excerpt()
    {
        var delivery = await DispatchedDeliveryAsync();
        var due = Assert.Single(await deliveries.ListDueAsync(T0.AddMinutes(1), 100, None), d => d.Delivery.Id == delivery.Id);
        Assert.Equal("""{"video":"ready"}""", due.Body);

        var claims = await Task.WhenAll(Enumerable.Range(0, 10)
            .Select(_ => Task.Run(() => deliveries.TryTransitionAsync(delivery.Claim(T0.AddMinutes(1), Policy), None))));
        var claimed = Assert.Single(claims, c => c is not null)!;
        var failed = await deliveries.TryTransitionAsync(
            claimed.Record(new DeliveryAttemptResult(DeliveryAttemptOutcome.HttpError, 500, TimeSpan.FromMilliseconds(37), "boom", null), T0.AddMinutes(2), Policy), None);

        Assert.Equal((DeliveryState.Pending, 1, (DateTimeOffset?)(T0.AddMinutes(2) + Policy.DelayAfter(1))), (failed!.State, failed.AttemptCount, failed.NextAttemptAt));
        var attempt = Assert.Single(await deliveries.ListAttemptsAsync(delivery.Id, None));
        Assert.Equal(
            new DeliveryAttempt(delivery.Id, 1, T0.AddMinutes(1), T0.AddMinutes(2), DeliveryAttemptOutcome.HttpError, 500, TimeSpan.FromMilliseconds(37), "boom", null),
            attempt);
        Assert.Equal(attempt, (await deliveries.FindAsync(delivery.Id, None))!.LastAttempt);
        Assert.DoesNotContain(await deliveries.ListDueAsync(T0.AddMinutes(2), 100, None), d => d.Delivery.Id == delivery.Id);
        Assert.Null(await deliveries.TryTransitionAsync(claimed.Record(new DeliveryAttemptResult(DeliveryAttemptOutcome.Delivered, 200, TimeSpan.Zero, "", null), T0.AddMinutes(3), Policy), None));
    }

    [Fact]
    public async Task An_attempt_whose_sender_died_is_closed_abandoned_by_the_next_claim_once_its_lease_ends()
    {
        var delivery = await DispatchedDeliveryAsync();
        var first = (await deliveries.TryTransitionAsync(delivery.Claim(T0.AddMinutes(1), Policy), None))!;
        Assert.DoesNotContain(await deliveries.ListDueAsync(T0.AddMinutes(1) + Policy.Lease - TimeSpan.FromSeconds(1), 100, None), d => d.Delivery.Id == delivery.Id);

        var second = await deliveries.TryTransitionAsync(first.Claim(T0.AddMinutes(1) + Policy.Lease, Policy), None);

        Assert.Equal(2, second!.AttemptCount);
        var attempts = await deliveries.ListAttemptsAsync(delivery.Id, None);
        Assert.Equal([(1, (DeliveryAttemptOutcome?)DeliveryAttemptOutcome.Abandoned), (2, null)], attempts.Select(a => (a.Attempt, a.Outcome)));
        Assert.Contains("never reported back", attempts[0].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replay_is_a_new_delivery_of_the_same_event_listed_by_state_and_endpoint()
    {
        var delivery = await DispatchedDeliveryAsync();
        var claimed = (await deliveries.TryTransitionAsync(delivery.Claim(T0.AddMinutes(1), Policy), None))!;
        var delivered = (await deliveries.TryTransitionAsync(claimed.Record(new DeliveryAttemptResult(DeliveryAttemptOutcome.Delivered, 204, TimeSpan.FromMilliseconds(5), "", null), T0.AddMinutes(1), Policy), None))!;

        var replay = delivered.Replay(Guid.NewGuid(), T0.AddHours(1));
        await deliveries.AddAsync(replay, None);

        var found = (await deliveries.FindAsync(replay.Id, None))!;
        Assert.Equal((replay, delivery.EventId, (Guid?)delivery.Id), (found.Delivery, found.Delivery.EventId, found.Delivery.ReplayOf));
        var pending = await deliveries.ListAsync(new DeliveryQuery(DeliveryState.Pending, null, delivery.EndpointId, null, null, 10), None);
        var deliveredList = await deliveries.ListAsync(new DeliveryQuery(DeliveryState.Delivered, null, delivery.EndpointId, null, null, 10), None);
        Assert.Equal([replay.Id], pending.Items.Select(r => r.Delivery.Id));
        Assert.Equal([delivery.Id], deliveredList.Items.Select(r => r.Delivery.Id));
    }

    [Fact]
    public async Task Endpoints_are_added_listed_found_and_removed()
    {
        var endpoint = new WebhookEndpoint(Guid.NewGuid(), "https://hooks.example.com/a", "whsec_0123456789abcdef", [VideoEventType.VideoReady, VideoEventType.JobDead],
            WebhookEndpointSource.Api, T0);

        await endpoints.AddAsync(endpoint, None);

        var found = (await endpoints.FindAsync(endpoint.Id, None))!;
        Assert.Equal((endpoint.Url, endpoint.Secret, endpoint.CreatedAt), (found.Url, found.Secret, found.CreatedAt));
        Assert.Equal(endpoint.Events, found.Events);
        Assert.Contains(await endpoints.ListAsync(None), e => e.Id == endpoint.Id);
        Assert.True(await endpoints.TryRemoveAsync(endpoint.Id, None));
        Assert.False(await endpoints.TryRemoveAsync(endpoint.Id, None));
        Assert.Null(await endpoints.FindAsync(endpoint.Id, None));
    }

    private async Task<VideoEvent> ReadyEventAsync()
    {
        var (video, job) = await db.RunningAsync(T0);
        await db.ApplyAsync(job, job.Complete(job.AttemptPrefix(1) + StorageKeys.MasterPlaylistName, T0.AddSeconds(30))!);
        return Assert.Single((await events.ListAsync(new VideoEventQuery(video.Id, VideoEventType.VideoReady, null, 10), None)).Items);
    }

    private async Task<WebhookDelivery> DispatchedDeliveryAsync()
    {
        var dispatch = Dispatch(await ReadyEventAsync(), """{"video":"ready"}""", T0.AddMinutes(1), 1);
        Assert.True(await deliveries.TryDispatchAsync(dispatch, None));
        return dispatch.Deliveries[0];
    }

    private static EventDispatch Dispatch(VideoEvent videoEvent, string body, DateTimeOffset at, int endpointCount) => new(
        videoEvent.Id,
        body,
        at,
        Enumerable.Range(0, endpointCount)
            .Select(i => WebhookDelivery.Create(Guid.NewGuid(), videoEvent.Id, Guid.NewGuid(), $"https://hooks{i}.example.com/", at))
            .ToList());
}
