using Academy.Video.Application.Common;
using Mediator;

namespace Academy.Video.Application.Webhooks.GetWebhookDelivery;

/// <summary>A delivery with every attempt: when, how long, the status or error, and what the receiver answered.</summary>
public sealed record GetWebhookDeliveryQuery(Guid DeliveryId) : IQuery<WebhookDeliveryDetails>;

public sealed class GetWebhookDeliveryHandler(IWebhookDeliveryStore deliveries) : IQueryHandler<GetWebhookDeliveryQuery, WebhookDeliveryDetails>
{
    public async ValueTask<WebhookDeliveryDetails> Handle(GetWebhookDeliveryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var record = await deliveries.FindAsync(query.DeliveryId, cancellationToken) ?? throw new NotFoundException("Delivery", query.DeliveryId);
        var attempts = await deliveries.ListAttemptsAsync(query.DeliveryId, cancellationToken);
        return new WebhookDeliveryDetails(WebhookDeliveryView.From(record), attempts.Select(DeliveryAttemptView.From).ToList());
    }
}
