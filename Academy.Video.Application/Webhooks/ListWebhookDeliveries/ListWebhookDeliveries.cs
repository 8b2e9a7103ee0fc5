using Academy.Video.Domain.Webhooks;
using FluentValidation;
using Mediator;

namespace Academy.Video.Application.Webhooks.ListWebhookDeliveries;

/// <param name="State">PENDING, SENDING, DELIVERED or FAILED; null for all.</param>
public sealed record ListWebhookDeliveriesQuery(string? State, Guid? EventId, Guid? EndpointId, Guid? VideoId, string? Cursor, int Limit = 50)
    : IQuery<WebhookDeliveryList>;

public sealed class ListWebhookDeliveriesValidator : AbstractValidator<ListWebhookDeliveriesQuery>
{
    public ListWebhookDeliveriesValidator()
    {
        RuleFor(q => q.Limit).InclusiveBetween(1, 200);
        RuleFor(q => q.State)
            .Must(s => s is null || DeliveryNames.TryParseDeliveryState(s, out _))
            .WithMessage(q => $"'{q.State}' is not a delivery state; use one of {string.Join(", ", Enum.GetValues<DeliveryState>().Select(s => s.ToWire()))}.");
        RuleFor(q => q.Cursor).IsPositionCursor();
    }
}

public sealed class ListWebhookDeliveriesHandler(IWebhookDeliveryStore deliveries) : IQueryHandler<ListWebhookDeliveriesQuery, WebhookDeliveryList>
{
    public async ValueTask<WebhookDeliveryList> Handle(ListWebhookDeliveriesQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        DeliveryState? state = query.State is null ? null : DeliveryNames.ParseDeliveryState(query.State);
        var page = await deliveries.ListAsync(
            new DeliveryQuery(state, query.EventId, query.EndpointId, query.VideoId, PositionCursor.Parse(query.Cursor), query.Limit),
            cancellationToken);
        return new WebhookDeliveryList(page.Items.Select(WebhookDeliveryView.From).ToList(), PositionCursor.Format(page.Next));
    }
}
