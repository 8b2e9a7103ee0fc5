using Academy.Video.Api.Security;
using Academy.Video.Application.Webhooks;
using Academy.Video.Application.Webhooks.AddWebhookEndpoint;
using Academy.Video.Application.Webhooks.GetVideoEvent;
using Academy.Video.Application.Webhooks.GetWebhookDelivery;
using Academy.Video.Application.Webhooks.ListVideoEvents;
using Academy.Video.Application.Webhooks.ListWebhookDeliveries;
using Academy.Video.Application.Webhooks.ListWebhookEndpoints;
using Academy.Video.Application.Webhooks.RemoveWebhookEndpoint;
using Academy.Video.Application.Webhooks.ReplayWebhookDelivery;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Academy.Video.Api.Endpoints;

/// <summary>Webhook endpoints, the events and every delivery with its attempts, behind the internal key (decision 0010).</summary>
public static class WebhookRoutes
{
    public sealed record AddEndpointRequest(string? Url, string? Secret, IReadOnlyList<string>? Events);

    public static RouteGroupBuilder MapWebhookRoutes(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/internal/webhooks")
            .WithTags("Webhooks")
            .RequireInternalKey()
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        group.MapPost("/endpoints", AddEndpointAsync)
            .WithSummary("Add an endpoint: its URL (public addresses only, except in local mode), an optional secret (generated when absent, shown only in this answer) and the event types it receives (all when absent)")
            .ProducesValidationProblem();
        group.MapGet("/endpoints", ListEndpointsAsync)
            .WithSummary("Every endpoint, those from settings first (source settings or api); secrets are never listed");
        group.MapDelete("/endpoints/{id}", RemoveEndpointAsync)
            .WithSummary("Remove an endpoint added through the API; its pending deliveries end FAILED unsent")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/events", ListEventsAsync)
            .WithSummary("Events newest first, optionally of one video or type, with cursor paging")
            .ProducesValidationProblem();
        group.MapGet("/events/{id}", GetEventAsync)
            .WithSummary("One event with its body exactly as every delivery sends it (null until dispatched)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/deliveries", ListDeliveriesAsync)
            .WithSummary("Deliveries newest first, filtered by state (PENDING, SENDING, DELIVERED, FAILED), event, endpoint or video, each with its latest attempt")
            .ProducesValidationProblem();
        group.MapGet("/deliveries/{id}", GetDeliveryAsync)
            .WithSummary("One delivery with every attempt: start, end, outcome, status, duration and the start of the receiver's answer")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/deliveries/{id}/replay", ReplayDeliveryAsync)
            .WithSummary("Send the delivery's event to its endpoint again: a new delivery (replayOf) with the same event id and body")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    private static async Task<Created<CreatedWebhookEndpoint>> AddEndpointAsync(AddEndpointRequest request, IMediator mediator, CancellationToken cancellationToken)
    {
        var created = await mediator.Send(new AddWebhookEndpointCommand(request.Url ?? "", request.Secret, request.Events), cancellationToken);
        return TypedResults.Created($"/api/v1/internal/webhooks/endpoints/{created.EndpointId}", created);
    }

    private static async Task<Ok<WebhookEndpointList>> ListEndpointsAsync(IMediator mediator, CancellationToken cancellationToken) =>
        TypedResults.Ok(await mediator.Send(new ListWebhookEndpointsQuery(), cancellationToken));

    private static async Task<NoContent> RemoveEndpointAsync(string id, IMediator mediator, CancellationToken cancellationToken)
    {
        await mediator.Send(new RemoveWebhookEndpointCommand(RouteIds.Parse(id, "endpoint")), cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<VideoEventList>> ListEventsAsync(Guid? videoId, string? type, string? cursor, int? limit, IMediator mediator, CancellationToken cancellationToken) =>
        TypedResults.Ok(await mediator.Send(new ListVideoEventsQuery(videoId, type, cursor, limit ?? 50), cancellationToken));

    private static async Task<Ok<VideoEventDetails>> GetEventAsync(string id, IMediator mediator, CancellationToken cancellationToken) =>
        TypedResults.Ok(await mediator.Send(new GetVideoEventQuery(RouteIds.Parse(id, "event")), cancellationToken));

    private static async Task<Ok<WebhookDeliveryList>> ListDeliveriesAsync(
        string? state, Guid? eventId, Guid? endpointId, Guid? videoId, string? cursor, int? limit, IMediator mediator, CancellationToken cancellationToken) =>
        TypedResults.Ok(await mediator.Send(new ListWebhookDeliveriesQuery(state, eventId, endpointId, videoId, cursor, limit ?? 50), cancellationToken));

    private static async Task<Ok<WebhookDeliveryDetails>> GetDeliveryAsync(string id, IMediator mediator, CancellationToken cancellationToken) =>
        TypedResults.Ok(await mediator.Send(new GetWebhookDeliveryQuery(RouteIds.Parse(id, "delivery")), cancellationToken));

    private static async Task<Accepted<WebhookDeliveryView>> ReplayDeliveryAsync(string id, IMediator mediator, CancellationToken cancellationToken)
    {
        var replay = await mediator.Send(new ReplayWebhookDeliveryCommand(RouteIds.Parse(id, "delivery")), cancellationToken);
        return TypedResults.Accepted($"/api/v1/internal/webhooks/deliveries/{replay.DeliveryId}", replay);
    }
}

/// <summary>A malformed id is a 400 that says so, as for videos (<see cref="VideoIds"/>).</summary>
internal static class RouteIds
{
    public static Guid Parse(string id, string what) =>
        Guid.TryParse(id, out var parsed)
            ? parsed
            : throw new FluentValidation.ValidationException(
                [new FluentValidation.Results.ValidationFailure("id", $"'{(id.Length <= 64 ? id : id[..64] + "…")}' is not an {what} id (a UUID).")]);
}
