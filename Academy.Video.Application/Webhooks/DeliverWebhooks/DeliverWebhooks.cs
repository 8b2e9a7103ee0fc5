using System.Globalization;
using Academy.Video.Application.Common;
using Academy.Video.Domain.Events;
using Academy.Video.Domain.Webhooks;
using Mediator;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Academy.Video.Application.Webhooks.DeliverWebhooks;

/// <summary>
/// Sends due deliveries, several at once: each is claimed (a compare-and-set that opens its attempt and
/// leases it), sent with no transaction open, and its result recorded (a compare-and-set that closes the
/// attempt and decides delivered, retry later, or give up). A failure affects only its own delivery.
/// </summary>
public sealed record DeliverWebhooksCommand(int Limit = 50) : ICommand<WebhookDeliveryReport>;

/// <param name="Due">Due deliveries looked at; as many as the limit means more may wait.</param>
public sealed record WebhookDeliveryReport(int Due, int Delivered, int Failed);

public sealed partial class DeliverWebhooksHandler(
    IWebhookDeliveryStore store,
    WebhookEndpointCatalog endpoints,
    IWebhookSender sender,
    IOptions<WebhookOptions> options,
    TimeProvider time,
    ILogger<DeliverWebhooksHandler> logger) : ICommandHandler<DeliverWebhooksCommand, WebhookDeliveryReport>
{
    public const string DeliveredEvent = "WEBHOOK_DELIVERED";
    public const string AttemptFailedEvent = "WEBHOOK_ATTEMPT_FAILED";
    public const string GaveUpEvent = "WEBHOOK_GAVE_UP";

    public async ValueTask<WebhookDeliveryReport> Handle(DeliverWebhooksCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var settings = options.Value;
        var due = await store.ListDueAsync(time.GetUtcNow(), command.Limit, cancellationToken);
        int delivered = 0, failed = 0;
        await Parallel.ForEachAsync(
            due,
            new ParallelOptions { MaxDegreeOfParallelism = settings.MaxConcurrency, CancellationToken = cancellationToken },
            async (item, token) =>
            {
                try
                {
                    var state = await DeliverAsync(item, settings.Policy, token);
                    if (state == DeliveryState.Delivered)
                    {
                        Interlocked.Increment(ref delivered);
                    }
                    else if (state is not null)
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
                catch (Exception ex) when (!token.IsCancellationRequested)
                {
                    // A store error: the attempt stays open and is taken again when its lease ends.
                    Interlocked.Increment(ref failed);
                    LogError(logger, ex, AttemptFailedEvent, item.Delivery.Id, ex.Message);
                }
            });

        return new WebhookDeliveryReport(due.Count, delivered, failed);
    }

    /// <returns>The state recorded, or null when another sender took the delivery first or the result lost its lease.</returns>
    private async Task<DeliveryState?> DeliverAsync(DueDelivery item, DeliveryPolicy policy, CancellationToken cancellationToken)
    {
        var claimed = await store.TryTransitionAsync(item.Delivery.Claim(time.GetUtcNow(), policy), cancellationToken);
        if (claimed is null)
        {
            return null;
        }

        if (claimed.State == DeliveryState.Failed)
        {
            LogGaveUp(logger, GaveUpEvent, claimed.Id, item.EventType.ToWire(), UrlRedaction.Redact(claimed.Url), claimed.AttemptCount, "the last attempt never reported back");
            return claimed.State;
        }

        var result = await AttemptAsync(claimed, item, cancellationToken);
        var recorded = await store.TryTransitionAsync(claimed.Record(result, time.GetUtcNow(), policy), CancellationToken.None);
        var summary = result.StatusCode is { } status ? $"HTTP {status}" : result.Error ?? result.Outcome.ToWire();
        switch (recorded?.State)
        {
            case DeliveryState.Delivered:
                LogDelivered(logger, DeliveredEvent, claimed.Id, claimed.EventId, UrlRedaction.Redact(claimed.Url), claimed.AttemptCount, (long)result.Duration.TotalMilliseconds);
                break;
            case DeliveryState.Failed:
                LogGaveUp(logger, GaveUpEvent, claimed.Id, item.EventType.ToWire(), UrlRedaction.Redact(claimed.Url), claimed.AttemptCount, summary);
                break;
            case null:
                // The lease ended before the result came back: a later claim owns the delivery now.
                LogAttemptFailed(logger, AttemptFailedEvent, claimed.Id, UrlRedaction.Redact(claimed.Url), claimed.AttemptCount, $"{summary}, not recorded: the attempt's lease ended", null);
                break;
            default:
                LogAttemptFailed(logger, AttemptFailedEvent, claimed.Id, UrlRedaction.Redact(claimed.Url), claimed.AttemptCount, summary, recorded.NextAttemptAt);
                break;
        }

        var state = recorded?.State;
        return state;
    }

    private async Task<DeliveryAttemptResult> AttemptAsync(WebhookDelivery delivery, DueDelivery item, CancellationToken cancellationToken)
    {
        var endpoint = await endpoints.FindAsync(delivery.EndpointId, cancellationToken);
        if (endpoint is null)
        {
            return new DeliveryAttemptResult(DeliveryAttemptOutcome.EndpointRemoved, null, TimeSpan.Zero, null, "The endpoint was removed; nothing was sent.");
        }

        var started = time.GetTimestamp();
        var headers = new Dictionary<string, string>
        {
            [WebhookSignature.Header] = WebhookSignature.Create(endpoint.Secret, time.GetUtcNow().ToUnixTimeSeconds(), item.Body),
            [WebhookHeaders.EventId] = delivery.EventId.ToString(),
            [WebhookHeaders.EventType] = item.EventType.ToWire(),
            [WebhookHeaders.DeliveryId] = delivery.Id.ToString(),
            [WebhookHeaders.Attempt] = delivery.AttemptCount.ToString(CultureInfo.InvariantCulture),
        };
        var response = await sender.SendAsync(new WebhookRequest(new Uri(delivery.Url), item.Body, headers), cancellationToken);
        var outcome = response.StatusCode switch
        {
            >= 200 and < 300 => DeliveryAttemptOutcome.Delivered,
            not null => DeliveryAttemptOutcome.HttpError,
            null => DeliveryAttemptOutcome.NetworkError,
        };
        return new DeliveryAttemptResult(outcome, response.StatusCode, time.GetElapsedTime(started), response.ResponseExcerpt, response.Error);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{event} delivery {delivery_id} event {event_id} to {url} attempt {attempt} duration_ms {duration_ms}")]
    private static partial void LogDelivered(ILogger logger, string @event, Guid delivery_id, Guid event_id, string url, int attempt, long duration_ms);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{event} delivery {delivery_id} to {url} attempt {attempt}: {reason}; next attempt at {next_attempt_at:O}")]
    private static partial void LogAttemptFailed(ILogger logger, string @event, Guid delivery_id, string url, int attempt, string reason, DateTimeOffset? next_attempt_at);

    [LoggerMessage(Level = LogLevel.Error, Message = "{event} delivery {delivery_id} ({event_type}) to {url} after {attempt} attempt(s): {reason}")]
    private static partial void LogGaveUp(ILogger logger, string @event, Guid delivery_id, string event_type, string url, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{event} delivery {delivery_id}: {reason}")]
    private static partial void LogError(ILogger logger, Exception exception, string @event, Guid delivery_id, string reason);
}
