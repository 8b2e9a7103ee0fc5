using Academy.Video.Domain.Events;
using Academy.Video.Domain.Webhooks;

namespace Academy.Video.Application.Webhooks;

/// <summary>
/// The events the state changes wrote, each in the statement of its change (job transitions, deletion,
/// upload expiry): an event exists exactly when its change was stored.
/// </summary>
public interface IVideoEventStore
{
    Task<VideoEvent?> FindAsync(Guid eventId, CancellationToken cancellationToken);

    /// <summary>Newest first; <see cref="VideoEventQuery.Before"/> continues after the previous page.</summary>
    Task<VideoEventPage> ListAsync(VideoEventQuery query, CancellationToken cancellationToken);
}

/// <param name="Position">The order the events were written in.</param>
/// <param name="Body">The bytes every delivery of the event sends, rendered once by the dispatcher; null until then.</param>
public sealed record VideoEvent(
    Guid Id,
    long Position,
    VideoEventType Type,
    Guid VideoId,
    Guid? JobId,
    DateTimeOffset OccurredAt,
    string? Body,
    DateTimeOffset? DispatchedAt,
    EventCaption? Caption = null);

/// <summary>The caption track a <c>caption.*</c> event is about.</summary>
public sealed record EventCaption(string Language, string Kind);

public sealed record VideoEventQuery(Guid? VideoId, VideoEventType? Type, long? Before, int Limit);

public sealed record VideoEventPage(IReadOnlyList<VideoEvent> Items, long? Next);

/// <summary>Endpoints added through the internal API (those from settings live in <see cref="WebhookOptions"/>).</summary>
public interface IWebhookEndpointStore
{
    Task AddAsync(WebhookEndpoint endpoint, CancellationToken cancellationToken);

    Task<IReadOnlyList<WebhookEndpoint>> ListAsync(CancellationToken cancellationToken);

    Task<WebhookEndpoint?> FindAsync(Guid endpointId, CancellationToken cancellationToken);

    /// <summary>False when there was no such endpoint.</summary>
    Task<bool> TryRemoveAsync(Guid endpointId, CancellationToken cancellationToken);
}

/// <summary>
/// The way from an event to its receivers: the body rendered and the fan-out stored together (once), the
/// deliveries' compare-and-set transitions, and every attempt kept.
/// </summary>
public interface IWebhookDeliveryStore
{
    /// <summary>Events not yet rendered and fanned out, oldest first.</summary>
    Task<IReadOnlyList<VideoEvent>> ListUndispatchedAsync(int limit, CancellationToken cancellationToken);

    /// <summary>
    /// One statement: stores the body and inserts the deliveries, if the event was not dispatched yet; false
    /// when another dispatcher did it first (nothing is written twice).
    /// </summary>
    Task<bool> TryDispatchAsync(EventDispatch dispatch, CancellationToken cancellationToken);

    /// <summary>Deliveries due by <paramref name="now"/> (PENDING, or SENDING past the lease), most overdue first, with what they send.</summary>
    Task<IReadOnlyList<DueDelivery>> ListDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Applies the transition if the delivery is still in (FromState, FromAttempt), with the attempt row it
    /// opens, closes or abandons, in one statement; returns the row as written, or null when another writer won.
    /// </summary>
    Task<WebhookDelivery?> TryTransitionAsync(DeliveryTransition transition, CancellationToken cancellationToken);

    /// <summary>Adds a delivery of an event already dispatched (a replay).</summary>
    Task AddAsync(WebhookDelivery delivery, CancellationToken cancellationToken);

    Task<DeliveryRecord?> FindAsync(Guid deliveryId, CancellationToken cancellationToken);

    /// <summary>Newest first; <see cref="DeliveryQuery.Before"/> continues after the previous page.</summary>
    Task<DeliveryPage> ListAsync(DeliveryQuery query, CancellationToken cancellationToken);

    /// <summary>Every attempt of the delivery, oldest first.</summary>
    Task<IReadOnlyList<DeliveryAttempt>> ListAttemptsAsync(Guid deliveryId, CancellationToken cancellationToken);

    /// <summary>
    /// One statement: deletes up to <paramref name="limit"/> dispatched events that occurred before <paramref name="cutoff"/>
    /// and whose deliveries (if any) are all finished (DELIVERED or FAILED) and last changed before it, together with
    /// those deliveries and their attempts. Returns how many events went; an event with a delivery under way stays.
    /// </summary>
    Task<int> DeleteFinishedHistoryAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken);
}

/// <summary>An event's body and its deliveries, stored together.</summary>
public sealed record EventDispatch(Guid EventId, string Body, DateTimeOffset At, IReadOnlyList<WebhookDelivery> Deliveries);

public sealed record DueDelivery(WebhookDelivery Delivery, VideoEventType EventType, string Body);

/// <summary>A delivery with what the lists show beside it: its event and its latest attempt.</summary>
public sealed record DeliveryRecord(long Position, WebhookDelivery Delivery, VideoEventType EventType, Guid VideoId, DeliveryAttempt? LastAttempt);

public sealed record DeliveryQuery(DeliveryState? State, Guid? EventId, Guid? EndpointId, Guid? VideoId, long? Before, int Limit);

public sealed record DeliveryPage(IReadOnlyList<DeliveryRecord> Items, long? Next);

/// <summary>One attempt as kept: open (no outcome) while in flight.</summary>
public sealed record DeliveryAttempt(
    Guid DeliveryId,
    int Attempt,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    DeliveryAttemptOutcome? Outcome,
    int? StatusCode,
    TimeSpan? Duration,
    string? ResponseExcerpt,
    string? Error);

/// <summary>
/// Sends one signed request. It follows no redirect, bounds the whole attempt by <c>Webhooks:RequestTimeout</c>,
/// reads at most <c>Webhooks:ResponseExcerptBytes</c> of the answer, and connects only to an address the
/// target rule allows (checked on the address actually connected to). Failures are answers, not exceptions.
/// </summary>
public interface IWebhookSender
{
    Task<WebhookResponse> SendAsync(WebhookRequest request, CancellationToken cancellationToken);
}

public sealed record WebhookRequest(Uri Url, string Body, IReadOnlyDictionary<string, string> Headers);

/// <param name="StatusCode">Null when no answer came (see <paramref name="Error"/>).</param>
public sealed record WebhookResponse(int? StatusCode, string? ResponseExcerpt, string? Error);

/// <summary>Checks a target when an endpoint is added: its host resolved, every address public (unless private targets are allowed).</summary>
public interface IWebhookTargetGuard
{
    /// <returns>Null when the target may be called, otherwise why not.</returns>
    Task<string?> WhyRefusedAsync(Uri url, CancellationToken cancellationToken);
}
