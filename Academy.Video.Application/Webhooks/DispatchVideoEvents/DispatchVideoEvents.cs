using Academy.Video.Application.Videos.GetVideo;
using Academy.Video.Domain.Events;
using Academy.Video.Domain.Webhooks;
using Mediator;
using Microsoft.Extensions.Logging;

namespace Academy.Video.Application.Webhooks.DispatchVideoEvents;

/// <summary>
/// Renders each new event's body once, from the video as <c>GET /api/v1/videos/{id}</c> returns it, and
/// stores it with one delivery per subscribed endpoint (one statement, once per event). Every attempt and
/// replay then sends these same bytes.
/// </summary>
public sealed record DispatchVideoEventsCommand(int Limit = 100) : ICommand<EventDispatchReport>;

/// <param name="Events">Undispatched events looked at; as many as the limit means more may wait.</param>
public sealed record EventDispatchReport(int Events, int Dispatched, int Deliveries);

public sealed partial class DispatchVideoEventsHandler(
    IWebhookDeliveryStore store,
    WebhookEndpointCatalog endpoints,
    IMediator mediator,
    EventBodyFormat format,
    TimeProvider time,
    ILogger<DispatchVideoEventsHandler> logger) : ICommandHandler<DispatchVideoEventsCommand, EventDispatchReport>
{
    public const string DispatchedEvent = "WEBHOOK_EVENT_DISPATCHED";

    public async ValueTask<EventDispatchReport> Handle(DispatchVideoEventsCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var pending = await store.ListUndispatchedAsync(command.Limit, cancellationToken);
        if (pending.Count == 0)
        {
            return new EventDispatchReport(0, 0, 0);
        }

        var targets = await endpoints.ListAsync(cancellationToken);
        int dispatched = 0, deliveries = 0;
        foreach (var videoEvent in pending)
        {
            // A deleted video's last event still carries its view (status DELETED), where GET would answer 404.
            var video = await mediator.Send(new GetVideoQuery(videoEvent.VideoId, IncludeDeleted: true), cancellationToken);
            var now = time.GetUtcNow();
            var fanOut = targets.Where(t => t.Subscribes(videoEvent.Type))
                .Select(t => WebhookDelivery.Create(Guid.NewGuid(), videoEvent.Id, t.Id, t.Url, now))
                .ToList();
            if (await store.TryDispatchAsync(new EventDispatch(videoEvent.Id, format.Render(videoEvent, video), now, fanOut), cancellationToken))
            {
                dispatched++;
                deliveries += fanOut.Count;
                LogDispatched(logger, DispatchedEvent, videoEvent.Type.ToWire(), videoEvent.Id, videoEvent.VideoId, fanOut.Count);
            }
        }

        return new EventDispatchReport(pending.Count, dispatched, deliveries);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{event} {event_type} {event_id} video {video_id}: {deliveries} delivery(ies)")]
    private static partial void LogDispatched(ILogger logger, string @event, string event_type, Guid event_id, Guid video_id, int deliveries);
}
