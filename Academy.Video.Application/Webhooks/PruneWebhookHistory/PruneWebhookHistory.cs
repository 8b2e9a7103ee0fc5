using Mediator;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Academy.Video.Application.Webhooks.PruneWebhookHistory;

/// <summary>
/// Deletes webhook history older than <c>Webhooks:Retention</c>, batch after batch until none is left: events
/// whose deliveries are all finished, with those deliveries and their attempts. Which events may go is the
/// store's statement; an event with a delivery still under way stays however old.
/// </summary>
public sealed record PruneWebhookHistoryCommand(int BatchSize = 1000) : ICommand<WebhookHistoryPruneReport>;

public sealed record WebhookHistoryPruneReport(int Events, int Batches);

public sealed partial class PruneWebhookHistoryHandler(
    IWebhookDeliveryStore store,
    IOptions<WebhookOptions> options,
    TimeProvider time,
    ILogger<PruneWebhookHistoryHandler> logger) : ICommandHandler<PruneWebhookHistoryCommand, WebhookHistoryPruneReport>
{
    public const string PrunedEvent = "WEBHOOK_HISTORY_PRUNED";

    public async ValueTask<WebhookHistoryPruneReport> Handle(PruneWebhookHistoryCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentOutOfRangeException.ThrowIfLessThan(command.BatchSize, 1);
        var retention = options.Value.Retention;
        var cutoff = time.GetUtcNow() - retention;
        int events = 0, batches = 0, deleted;
        do
        {
            deleted = await store.DeleteFinishedHistoryAsync(cutoff, command.BatchSize, cancellationToken);
            events += deleted;
            batches++;
        }
        while (deleted > 0);

        if (events > 0)
        {
            LogPruned(logger, PrunedEvent, events, cutoff, retention);
        }

        return new WebhookHistoryPruneReport(events, batches);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{event} count {count}: events before {cutoff:O} (retention {retention}) deleted with their finished deliveries and attempts")]
    private static partial void LogPruned(ILogger logger, string @event, int count, DateTimeOffset cutoff, TimeSpan retention);
}
