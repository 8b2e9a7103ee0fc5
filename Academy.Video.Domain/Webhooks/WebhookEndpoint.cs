using Academy.Video.Domain.Events;

namespace Academy.Video.Domain.Webhooks;

public enum WebhookEndpointSource
{
    /// <summary>Declared in the settings (<c>Webhooks:Endpoints:N</c>): read-only through the API.</summary>
    Settings,
    /// <summary>Added through the internal API; removable there.</summary>
    Api,
}

/// <summary>
/// A receiver of events. <see cref="Events"/> empty means every event type. An endpoint is never edited:
/// a new URL, secret or subscription is a new endpoint, so a delivery's URL and secret stay what they were.
/// </summary>
public sealed record WebhookEndpoint(
    Guid Id,
    string Url,
    string Secret,
    IReadOnlyList<VideoEventType> Events,
    WebhookEndpointSource Source,
    DateTimeOffset? CreatedAt)
{
    public bool Subscribes(VideoEventType type) => Events.Count == 0 || Events.Contains(type);
}
