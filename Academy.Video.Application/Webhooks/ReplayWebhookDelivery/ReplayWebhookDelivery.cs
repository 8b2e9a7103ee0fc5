using Academy.Video.Application.Common;
using Mediator;

namespace Academy.Video.Application.Webhooks.ReplayWebhookDelivery;

/// <summary>
/// Sends a delivery's event to its endpoint again: a new delivery (<c>replayOf</c> the old one) with the same
/// event id and the same body bytes, on the usual schedule. The receiver's de-duplication by event id sees a repeat.
/// </summary>
public sealed record ReplayWebhookDeliveryCommand(Guid DeliveryId) : ICommand<WebhookDeliveryView>;

public sealed class ReplayWebhookDeliveryHandler(IWebhookDeliveryStore deliveries, WebhookEndpointCatalog endpoints, TimeProvider time)
    : ICommandHandler<ReplayWebhookDeliveryCommand, WebhookDeliveryView>
{
    public async ValueTask<WebhookDeliveryView> Handle(ReplayWebhookDeliveryCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var original = await deliveries.FindAsync(command.DeliveryId, cancellationToken) ?? throw new NotFoundException("Delivery", command.DeliveryId);
        if (await endpoints.FindAsync(original.Delivery.EndpointId, cancellationToken) is null)
        {
            throw new ConflictException(
                "WEBHOOK_ENDPOINT_REMOVED",
                $"Endpoint {original.Delivery.EndpointId} of delivery {command.DeliveryId} was removed: there is no secret to sign a replay with.");
        }

        var replay = original.Delivery.Replay(Guid.NewGuid(), time.GetUtcNow());
        await deliveries.AddAsync(replay, cancellationToken);
        return WebhookDeliveryView.From(await deliveries.FindAsync(replay.Id, cancellationToken)
            ?? throw new InvalidOperationException($"Replay {replay.Id} was not stored."));
    }
}
