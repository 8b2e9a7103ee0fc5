using System.ComponentModel;
using Academy.Video.Application.Common;
using Academy.Video.Domain.Events;
using Academy.Video.Domain.Webhooks;

namespace Academy.Video.Application.Webhooks;

/// <summary>Section <c>Webhooks</c>: the endpoints declared in settings, the delivery schedule and its bounds.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";
    public const string AllowPrivateTargetsKey = "Webhooks:AllowPrivateTargets";

    /// <summary>How a refusal of a private target says when one is accepted (docs/webhooks.md, targets).</summary>
    public const string PrivateTargetsRule = "private targets are accepted only in local mode (LocalMode=true) with Webhooks:AllowPrivateTargets unset or true";

    public const int MinSecretLength = 16;
    public const int MaxExcerptBytes = 64 * 1024;

    public List<WebhookEndpointSetting> Endpoints { get; set; } = [];

    /// <summary>
    /// Whether targets on private, loopback, link-local or otherwise non-public addresses may be called.
    /// Unset: allowed in local mode (<c>LocalMode=true</c>) only, where every URL points at this machine anyway;
    /// the API refuses <c>true</c> outside local mode, and <c>false</c> keeps them off in local mode too.
    /// </summary>
    public bool? AllowPrivateTargets { get; set; }

    public bool PrivateTargetsAllowed => AllowPrivateTargets ?? false;

    /// <summary>How often the API renders new events and sends due deliveries.</summary>
    [Description("How often the API renders new events and sends due deliveries.")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest one attempt may take, connecting and reading the response excerpt included.</summary>
    [Description("The longest one attempt may take, connecting and reading the response excerpt included.")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public int MaxAttempts { get; set; } = DeliveryPolicy.Default.MaxAttempts;

    public TimeSpan RetryBaseDelay { get; set; } = DeliveryPolicy.Default.RetryBaseDelay;

    public TimeSpan RetryMaxDelay { get; set; } = DeliveryPolicy.Default.RetryMaxDelay;

    /// <summary>How much of a receiver's answer is kept with the attempt; the rest is never read.</summary>
    [Description("How much of a receiver's answer is kept with the attempt; the rest is never read.")]
    public int ResponseExcerptBytes { get; set; } = 1024;

    /// <summary>Attempts in flight at once, so one slow receiver does not hold up the others.</summary>
    [Description("Attempts in flight at once, so one slow receiver does not hold up the others.")]
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>How long an event and its finished deliveries are kept; an event with a delivery still under way is kept however old.</summary>
    [Description("How long an event and its finished deliveries are kept; an event with a delivery still under way is kept however old.")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often history older than <see cref="Retention"/> is deleted.</summary>
    [Description("How often history older than Retention is deleted.")]
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The schedule. A claimed attempt is leased well past the request timeout before another sender may take it.</summary>
    public DeliveryPolicy Policy => new()
    {
        MaxAttempts = MaxAttempts,
        RetryBaseDelay = RetryBaseDelay,
        RetryMaxDelay = RetryMaxDelay,
        Lease = RequestTimeout * 2 + TimeSpan.FromSeconds(30),
    };

    public IEnumerable<string> Problems()
    {
        for (var i = 0; i < Endpoints.Count; i++)
        {
            var endpoint = Endpoints[i];
            var key = $"{Section}:Endpoints:{i}";
            if (WebhookUrls.Problem(endpoint.Url) is { } urlProblem)
            {
                yield return $"{key}:Url {urlProblem}";
            }
            else if (!PrivateTargetsAllowed && WebhookUrls.LiteralAddressProblem(new Uri(endpoint.Url)) is { } addressProblem)
            {
                yield return $"{key}:Url {addressProblem} ({PrivateTargetsRule})";
            }

            if (string.IsNullOrWhiteSpace(endpoint.Secret) || endpoint.Secret.Length < MinSecretLength)
            {
                yield return $"{key}:Secret must be at least {MinSecretLength} characters: receivers check each body's signature with it.";
            }

            foreach (var unknown in endpoint.Events.Where(e => !VideoEventTypeNames.TryParseVideoEventType(e, out _)))
            {
                yield return $"{key}:Events names '{unknown}', which is not an event type; use {WebhookEventNames.List}.";
            }
        }

        foreach (var duplicate in Endpoints.GroupBy(e => e.Url, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            yield return $"{Section}:Endpoints declares {duplicate.Key} {duplicate.Count()} times; declare each URL once.";
        }

        if (PollInterval <= TimeSpan.Zero)
        {
            yield return $"{Section}:PollInterval must be more than zero (was {PollInterval}).";
        }

        if (RequestTimeout <= TimeSpan.Zero || RequestTimeout > TimeSpan.FromMinutes(5))
        {
            yield return $"{Section}:RequestTimeout must be more than zero and at most 5 minutes (was {RequestTimeout}).";
        }

        if (MaxAttempts is < 1 or > 100)
        {
            yield return $"{Section}:MaxAttempts must be between 1 and 100 (was {MaxAttempts}).";
        }

        if (RetryBaseDelay < TimeSpan.Zero || RetryMaxDelay < RetryBaseDelay)
        {
            yield return $"{Section}:RetryBaseDelay must not be negative and RetryMaxDelay not below it (were {RetryBaseDelay} and {RetryMaxDelay}).";
        }

        if (ResponseExcerptBytes is < 0 or > MaxExcerptBytes)
        {
            yield return $"{Section}:ResponseExcerptBytes must be between 0 and {MaxExcerptBytes} (was {ResponseExcerptBytes}).";
        }

        if (MaxConcurrency is < 1 or > 64)
        {
            yield return $"{Section}:MaxConcurrency must be between 1 and 64 (was {MaxConcurrency}).";
        }

        if (Retention < TimeSpan.FromHours(1))
        {
            yield return $"{Section}:Retention must be at least 1 hour (was {Retention}).";
        }

        if (PruneInterval <= TimeSpan.Zero)
        {
            yield return $"{Section}:PruneInterval must be more than zero (was {PruneInterval}).";
        }
    }
}

/// <summary>One <c>Webhooks:Endpoints:N</c> entry. <see cref="Events"/> empty means every event type.</summary>
public sealed class WebhookEndpointSetting
{
    public string Url { get; set; } = "";

    [Secret]

    public string Secret { get; set; } = "";

    public List<string> Events { get; set; } = [];
}

public static class WebhookEventNames
{
    public static string List { get; } = string.Join(", ", VideoEventTypeNames.All.Select(t => t.ToWire()));
}
