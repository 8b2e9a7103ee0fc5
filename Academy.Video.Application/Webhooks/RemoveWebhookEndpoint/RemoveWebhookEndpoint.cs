using Academy.Video.Application.Common;
using Mediator;

namespace Academy.Video.Application.Webhooks.RemoveWebhookEndpoint;

/// <summary>
/// Removes an endpoint added through the API. Its pending deliveries end FAILED (ENDPOINT_REMOVED) at their
/// next attempt, sending nothing; endpoints from settings are removed in the settings.
/// </summary>
public sealed record RemoveWebhookEndpointCommand(Guid EndpointId) : ICommand;

public sealed class RemoveWebhookEndpointHandler(WebhookEndpointCatalog endpoints, IWebhookEndpointStore store) : ICommandHandler<RemoveWebhookEndpointCommand>
{
    public async ValueTask<Unit> Handle(RemoveWebhookEndpointCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (endpoints.FromSettings.Any(e => e.Id == command.EndpointId))
        {
            throw new ConflictException(
                "WEBHOOK_ENDPOINT_FROM_SETTINGS",
                $"Endpoint {command.EndpointId} is declared in the settings ({WebhookOptions.Section}:Endpoints); remove it there.");
        }

        return await store.TryRemoveAsync(command.EndpointId, cancellationToken)
            ? Unit.Value
            : throw new NotFoundException("Endpoint", command.EndpointId);
    }
}
