using Academy.Video.Testing;
using Academy.Video.Application.Common;
using Academy.Video.Application.Webhooks;
using Academy.Video.Application.Webhooks.PruneWebhookHistory;
using Academy.Video.Application.Webhooks.ReplayWebhookDelivery;
using Academy.Video.Domain.Events;
using Academy.Video.Domain.Videos;
using Academy.Video.Domain.Webhooks;
using Academy.Video.Infrastructure.Persistence;
using Academy.Video.IntegrationTests.Persistence;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static Academy.Video.IntegrationTests.Persistence.PersistenceScenario;

namespace Academy.Video.IntegrationTests.Webhooks;

/// <summary>
/// Webhook history past <c>Webhooks:Retention</c> on PostgreSQL: finished events go with their deliveries and
/// attempts, batch after batch; an event with a delivery under way, or a young one, stays.
/// </summary>
public sealed class WebhookHistoryRetentionTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DeliveryPolicy OneAttempt = DeliveryPolicy.Default with { MaxAttempts = 1 };
    private static readonly TimeSpan Retention = TimeSpan.FromDays(30);
    private readonly PersistenceScenario db = new(database.DataSource);
    private readonly PostgresWebhookDeliveryStore deliveries = new(database.DataSource, NamedPipelines.Postgres);
    private readonly PostgresVideoEventStore events = new(database.DataSource, NamedPipelines.Postgres);

    [Fact]
    public async Task Old_finished_events_go_with_their_deliveries_and_attempts_and_a_pruned_delivery_replays_as_unknown()
    {
        var (delivered, failed) = await FinishedPairAsync(T0);
        var noDelivery = await DispatchedEventAsync(T0, endpointCount: 0);

        await PruneAtAsync(T0.AddMinutes(5) + Retention);

        Assert.Null(await events.FindAsync(delivered.EventId, None));
        Assert.Null(await events.FindAsync(noDelivery.Id, None));
        foreach (var delivery in new[] { delivered, failed })
        {
            Assert.Null(await deliveries.FindAsync(delivery.Id, None));
            Assert.Empty(await deliveries.ListAttemptsAsync(delivery.Id, None));
        }

        Assert.Equal(0, await CountAsync("SELECT count(*) FROM webhook_delivery_attempts WHERE delivery_id = ANY(@Ids)", new { Ids = new[] { delivered.Id, failed.Id } }));
        var replay = new ReplayWebhookDeliveryHandler(deliveries, new WebhookEndpointCatalog(new PostgresWebhookEndpointStore(database.DataSource, WebhookSecretEncryptionTests.Protector(WebhookSecretEncryptionTests.NewKey()), NamedPipelines.Postgres), Options()), new FakeTimeProvider(T0));
        await Assert.ThrowsAsync<NotFoundException>(async () => await replay.Handle(new ReplayWebhookDeliveryCommand(delivered.Id), None));
    }

    [Fact]
    public async Task An_old_event_with_a_pending_or_sending_delivery_stays_with_its_finished_ones()
    {
        var pendingEvent = await DispatchedEventAsync(T0, endpointCount: 2);
        var pendingDeliveries = await DeliveriesOfAsync(pendingEvent.Id);
        await DeliverAsync(pendingDeliveries[0], T0.AddMinutes(2));
        var sendingEvent = await DispatchedEventAsync(T0, endpointCount: 1);
        var sending = (await DeliveriesOfAsync(sendingEvent.Id))[0];
        Assert.NotNull(await deliveries.TryTransitionAsync(sending.Claim(T0.AddMinutes(2), DeliveryPolicy.Default), None));

        await PruneAtAsync(T0 + Retention * 3);

        Assert.NotNull(await events.FindAsync(pendingEvent.Id, None));
        Assert.NotNull(await events.FindAsync(sendingEvent.Id, None));
        Assert.NotNull(await deliveries.FindAsync(pendingDeliveries[0].Id, None));
        Assert.Single(await deliveries.ListAttemptsAsync(pendingDeliveries[0].Id, None));
        Assert.Equal(DeliveryState.Pending, (await deliveries.FindAsync(pendingDeliveries[1].Id, None))!.Delivery.State);
        Assert.Equal(DeliveryState.Sending, (await deliveries.FindAsync(sending.Id, None))!.Delivery.State);
    }

    [Fact]
    public async Task Young_events_stay_and_so_does_an_old_one_replayed_within_the_retention_or_not_dispatched_yet()
    {
        var now = T0.AddDays(100);
        var (young, _) = await FinishedPairAsync(now - Retention + TimeSpan.FromHours(1));
        var (replayedLately, _) = await FinishedPairAsync(T0);
        var replay = replayedLately.Replay(Guid.NewGuid(), now - TimeSpan.FromHours(2));
        await deliveries.AddAsync(replay, None);
        await DeliverAsync(replay, now - TimeSpan.FromHours(1));
        var undispatched = await ReadyEventAsync(T0);

        await PruneAtAsync(now);

        Assert.NotNull(await deliveries.FindAsync(young.Id, None));
        Assert.NotNull(await deliveries.FindAsync(replayedLately.Id, None));
        Assert.NotNull(await deliveries.FindAsync(replay.Id, None));
        Assert.NotNull(await events.FindAsync(undispatched.Id, None));
        Assert.Contains(await deliveries.ListUndispatchedAsync(1000, None), e => e.Id == undispatched.Id);
    }

    [Fact]
    public async Task More_events_than_one_batch_all_go_batch_after_batch()
    {
        var video = await db.AddVideoAsync(T0);
        await using (var connection = await database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO video_events (id, type, video_id, occurred_at, body, dispatched_at)
                SELECT gen_random_uuid(), 'video.deleted', @VideoId, @At, '{}', @At FROM generate_series(1, 25)
                """,
                new { VideoId = video.Id, At = T0.UtcDateTime });
        }

        var report = await PruneAtAsync(T0.AddDays(31), batchSize: 10);

        Assert.True(report.Events >= 25, $"{report.Events} events deleted");
        Assert.True(report.Batches >= 4, $"{report.Batches} batches");
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM video_events WHERE video_id = @VideoId", new { VideoId = video.Id }));
    }

    private async Task<WebhookHistoryPruneReport> PruneAtAsync(DateTimeOffset now, int batchSize = 1000) =>
        await new PruneWebhookHistoryHandler(deliveries, Options(), new FakeTimeProvider(now), NullLogger<PruneWebhookHistoryHandler>.Instance)
            .Handle(new PruneWebhookHistoryCommand(batchSize), None);

    private static Microsoft.Extensions.Options.IOptions<WebhookOptions> Options() =>
        Microsoft.Extensions.Options.Options.Create(new WebhookOptions { Retention = Retention });

    /// <summary>An event of <paramref name="at"/> sent to two endpoints: one delivery DELIVERED, one FAILED, each with its attempt.</summary>
    private async Task<(WebhookDelivery Delivered, WebhookDelivery Failed)> FinishedPairAsync(DateTimeOffset at)
    {
        var videoEvent = await DispatchedEventAsync(at, endpointCount: 2);
        var pair = await DeliveriesOfAsync(videoEvent.Id);
        var delivered = await DeliverAsync(pair[0], at.AddMinutes(2));
        var claimed = (await deliveries.TryTransitionAsync(pair[1].Claim(at.AddMinutes(2), OneAttempt), None))!;
        var failed = (await deliveries.TryTransitionAsync(
            claimed.Record(new DeliveryAttemptResult(DeliveryAttemptOutcome.HttpError, 500, TimeSpan.FromMilliseconds(9), "down", null), at.AddMinutes(3), OneAttempt), None))!;
        Assert.Equal(DeliveryState.Failed, failed.State);
        return (delivered, failed);
    }

    private async Task<WebhookDelivery> DeliverAsync(WebhookDelivery delivery, DateTimeOffset at)
    {
        var claimed = (await deliveries.TryTransitionAsync(delivery.Claim(at, DeliveryPolicy.Default), None))!;
        var delivered = (await deliveries.TryTransitionAsync(
            claimed.Record(new DeliveryAttemptResult(DeliveryAttemptOutcome.Delivered, 204, TimeSpan.FromMilliseconds(5), "", null), at, DeliveryPolicy.Default), None))!;
        Assert.Equal(DeliveryState.Delivered, delivered.State);
        return delivered;
    }

    private async Task<VideoEvent> DispatchedEventAsync(DateTimeOffset at, int endpointCount)
    {
        var videoEvent = await ReadyEventAsync(at);
        var dispatchedAt = at.AddMinutes(1);
        Assert.True(await deliveries.TryDispatchAsync(new EventDispatch(
            videoEvent.Id,
            """{"video":"ready"}""",
            dispatchedAt,
            Enumerable.Range(0, endpointCount)
                .Select(i => WebhookDelivery.Create(Guid.NewGuid(), videoEvent.Id, Guid.NewGuid(), $"https://hooks{i}.example.com/", dispatchedAt))
                .ToList()), None));
        return videoEvent;
    }

    private async Task<IReadOnlyList<WebhookDelivery>> DeliveriesOfAsync(Guid eventId) =>
        (await deliveries.ListAsync(new DeliveryQuery(null, eventId, null, null, null, 10), None)).Items.Select(r => r.Delivery).OrderBy(d => d.Url, StringComparer.Ordinal).ToList();

    private async Task<VideoEvent> ReadyEventAsync(DateTimeOffset at)
    {
        var (video, job) = await db.RunningAsync(at);
        await db.ApplyAsync(job, job.Complete(job.AttemptPrefix(1) + StorageKeys.MasterPlaylistName, at.AddSeconds(30))!);
        return Assert.Single((await events.ListAsync(new VideoEventQuery(video.Id, VideoEventType.VideoReady, null, 10), None)).Items);
    }

    private async Task<int> CountAsync(string sql, object parameters)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<int>(sql, parameters);
    }
}
