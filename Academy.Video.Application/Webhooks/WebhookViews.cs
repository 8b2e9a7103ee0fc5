using System.Text.Json;
using System.Text.Json.Serialization;
using Academy.Video.Application.Videos;
using Academy.Video.Domain.Events;
using Academy.Video.Domain.Webhooks;

namespace Academy.Video.Application.Webhooks;

/// <summary>
/// The body every delivery of an event sends, byte for byte: the event's id, type and time, and the video
/// as <c>GET /api/v1/videos/{id}</c> returned it when the event was rendered.
/// </summary>
/// <param name="Caption">The track of a <c>caption.*</c> event; absent from the others.</param>
public sealed record WebhookEventBody(
    Guid Id, string Type, DateTimeOffset OccurredAt, Guid VideoId, Guid? JobId, VideoDetails Video,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] EventCaption? Caption = null);

/// <summary>
/// The JSON settings of event bodies: the API registers its own HTTP JSON options here, so a body's
/// <c>video</c> is written exactly as the GET endpoint writes it.
/// </summary>
public sealed record EventBodyFormat(JsonSerializerOptions Json)
{
    public static EventBodyFormat Web { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public string Render(VideoEvent videoEvent, VideoDetails video)
    {
        ArgumentNullException.ThrowIfNull(videoEvent);
        return JsonSerializer.Serialize(
            new WebhookEventBody(videoEvent.Id, videoEvent.Type.ToWire(), videoEvent.OccurredAt, videoEvent.VideoId, videoEvent.JobId, video, videoEvent.Caption),
            Json);
    }
}

public sealed record WebhookEndpointView(Guid EndpointId, string Url, IReadOnlyList<string> Events, string Source, DateTimeOffset? CreatedAt)
{
    public static WebhookEndpointView From(WebhookEndpoint endpoint) => new(
        endpoint.Id,
        endpoint.Url,
        endpoint.Events.Select(e => e.ToWire()).ToList(),
        endpoint.Source == WebhookEndpointSource.Settings ? "settings" : "api",
        endpoint.CreatedAt);
}

/// <summary>An endpoint just added, with its secret: the only answer that ever shows it.</summary>
public sealed record CreatedWebhookEndpoint(Guid EndpointId, string Url, IReadOnlyList<string> Events, string Source, DateTimeOffset? CreatedAt, string Secret);

public sealed record WebhookEndpointList(IReadOnlyList<WebhookEndpointView> Items);

public sealed record VideoEventView(Guid EventId, string Type, Guid VideoId, Guid? JobId, DateTimeOffset OccurredAt, DateTimeOffset? DispatchedAt)
{
    public static VideoEventView From(VideoEvent e) => new(e.Id, e.Type.ToWire(), e.VideoId, e.JobId, e.OccurredAt, e.DispatchedAt);
}

/// <summary>An event with its body as sent (a JSON document in a string, so its bytes are the ones signed).</summary>
public sealed record VideoEventDetails(Guid EventId, string Type, Guid VideoId, Guid? JobId, DateTimeOffset OccurredAt, DateTimeOffset? DispatchedAt, string? Body);

public sealed record VideoEventList(IReadOnlyList<VideoEventView> Items, string? NextCursor);

public sealed record DeliveryAttemptView(
    int Attempt,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    string? Outcome,
    int? StatusCode,
    long? DurationMs,
    string? ResponseExcerpt,
    string? Error)
{
    public static DeliveryAttemptView From(DeliveryAttempt a) => new(
        a.Attempt, a.StartedAt, a.EndedAt, a.Outcome?.ToWire(), a.StatusCode,
        a.Duration is { } d ? (long)d.TotalMilliseconds : null, a.ResponseExcerpt, a.Error);
}

public sealed record WebhookDeliveryView(
    Guid DeliveryId,
    Guid EventId,
    string EventType,
    Guid VideoId,
    Guid EndpointId,
    string Url,
    string State,
    int AttemptCount,
    DateTimeOffset? NextAttemptAt,
    Guid? ReplayOf,
    DeliveryAttemptView? LastAttempt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static WebhookDeliveryView From(DeliveryRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var d = record.Delivery;
        return new(d.Id, d.EventId, record.EventType.ToWire(), record.VideoId, d.EndpointId, d.Url, d.State.ToWire(), d.AttemptCount,
            d.NextAttemptAt, d.ReplayOf, record.LastAttempt is null ? null : DeliveryAttemptView.From(record.LastAttempt), d.CreatedAt, d.UpdatedAt);
    }
}

public sealed record WebhookDeliveryDetails(WebhookDeliveryView Delivery, IReadOnlyList<DeliveryAttemptView> Attempts);

public sealed record WebhookDeliveryList(IReadOnlyList<WebhookDeliveryView> Items, string? NextCursor);
