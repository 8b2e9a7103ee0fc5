using Mediator;

namespace Academy.Video.Application.Webhooks.ListWebhookEndpoints;

/// <summary>Every endpoint, those from settings first; secrets are never listed.</summary>
public sealed record ListWebhookEndpointsQuery : IQuery<WebhookEndpointList>;

public sealed class ListWebhookEndpointsHandler(WebhookEndpointCatalog endpoints) : IQueryHandler<ListWebhookEndpointsQuery, WebhookEndpointList>
{
    public async ValueTask<WebhookEndpointList> Handle(ListWebhookEndpointsQuery query, CancellationToken cancellationToken) =>
        new((await endpoints.ListAsync(cancellationToken)).Select(WebhookEndpointView.From).ToList());
}
