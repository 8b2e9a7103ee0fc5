using Academy.Video.Application.Webhooks;
using Academy.Video.Application.Webhooks.DeliverWebhooks;
using Academy.Video.Application.Webhooks.DispatchVideoEvents;
using Academy.Video.Application.Webhooks.PruneWebhookHistory;
using Mediator;
using Microsoft.Extensions.Options;

namespace Academy.Video.Api.Background;

/// <summary>Renders new events and fans them out to their endpoints, oldest first, one replica at a time.</summary>
public sealed class WebhookDispatchService(IServiceScopeFactory scopes, IOptions<WebhookOptions> options, TimeProvider time, ILogger<WebhookDispatchService> logger)
    : PeriodicWork(scopes, time, logger)
{
    /// <summary>A backlog is worked off in full batches; the bound hands the lock back now and then.</summary>
    private const int MaxRoundsPerTick = 20;

    protected override string LockName => "academy-video:webhook-dispatch";

    protected override TimeSpan Interval => options.Value.PollInterval;

    protected override async Task RunOnceAsync(IMediator mediator, CancellationToken cancellationToken)
    {
        var command = new DispatchVideoEventsCommand();
        for (var round = 0; round < MaxRoundsPerTick; round++)
        {
            var report = await mediator.Send(command, cancellationToken);
            if (report.Events < command.Limit || report.Dispatched == 0)
            {
                break;
            }
        }
    }
}

/// <summary>Sends due deliveries, one replica at a time (several requests at once within it).</summary>
public sealed class WebhookDeliveryService(IServiceScopeFactory scopes, IOptions<WebhookOptions> options, TimeProvider time, ILogger<WebhookDeliveryService> logger)
    : PeriodicWork(scopes, time, logger)
{
    private const int MaxRoundsPerTick = 20;

    protected override string LockName => "academy-video:webhook-delivery";

    protected override TimeSpan Interval => options.Value.PollInterval;

    protected override async Task RunOnceAsync(IMediator mediator, CancellationToken cancellationToken)
    {
        var command = new DeliverWebhooksCommand();
        for (var round = 0; round < MaxRoundsPerTick; round++)
        {
            if ((await mediator.Send(command, cancellationToken)).Due < command.Limit)
            {
                break;
            }
        }
    }
}

/// <summary>Deletes webhook history older than <c>Webhooks:Retention</c> every <c>Webhooks:PruneInterval</c> (an hour), one replica at a time.</summary>
public sealed class WebhookHistoryRetentionService(IServiceScopeFactory scopes, IOptions<WebhookOptions> options, TimeProvider time, ILogger<WebhookHistoryRetentionService> logger)
    : PeriodicWork(scopes, time, logger)
{
    protected override string LockName => "academy-video:webhook-history-retention";

    // History outlives the retention by at most about one interval.
    protected override TimeSpan Interval => options.Value.PruneInterval;

    protected override async Task RunOnceAsync(IMediator mediator, CancellationToken cancellationToken) =>
        await mediator.Send(new PruneWebhookHistoryCommand(), cancellationToken);
}
