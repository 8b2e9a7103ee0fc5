using Academy.Video.Application.Webhooks;
using Academy.Video.Domain.Events;
using Academy.Video.Domain.Webhooks;

namespace Academy.Video.Infrastructure.Persistence;

// The rows of the event and webhook tables, mapped to domain records explicitly (wire names, UTC times).

internal sealed record EventRow
{
    public Guid Id { get; init; }
    public long Position { get; init; }
    public string Type { get; init; } = "";
    public Guid VideoId { get; init; }
    public Guid? JobId { get; init; }
    public DateTime OccurredAt { get; init; }
    public string? Body { get; init; }
    public DateTime? DispatchedAt { get; init; }
    public string? CaptionLanguage { get; init; }
    public string? CaptionKind { get; init; }

    public const string Columns = """
        id AS Id, position AS Position, type AS Type, video_id AS VideoId, job_id AS JobId,
        occurred_at AS OccurredAt, body AS Body, dispatched_at AS DispatchedAt,
        caption_language AS CaptionLanguage, caption_kind AS CaptionKind
        """;

    public VideoEvent ToDomain() => new(
        Id, Position, VideoEventTypeNames.ParseVideoEventType(Type), VideoId, JobId, DbTime.FromDb(OccurredAt), Body, DbTime.FromDb(DispatchedAt),
        CaptionLanguage is not null && CaptionKind is not null ? new EventCaption(CaptionLanguage, CaptionKind) : null);
}

internal sealed record EndpointRow
{
    public Guid Id { get; init; }
    public string Url { get; init; } = "";
    public string Secret { get; init; } = "";
    public string[] Events { get; init; } = [];
    public DateTime CreatedAt { get; init; }

    /// <summary>The secret as stored: encrypted (decision 0014), or plain text in a row written before that.</summary>
    public const string Columns = "id AS Id, url AS Url, secret AS Secret, events AS Events, created_at AS CreatedAt";
}

internal record DeliveryRow
{
    public Guid Id { get; init; }
    public long Position { get; init; }
    public Guid EventId { get; init; }
    public Guid EndpointId { get; init; }
    public string Url { get; init; } = "";
    public string State { get; init; } = "";
    public int AttemptCount { get; init; }
    public DateTime? NextAttemptAt { get; init; }
    public Guid? ReplayOf { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }

    public static readonly string Columns = ColumnsOf(null);

    public static string ColumnsOf(string? alias) => SqlColumns.Select(alias,
        ("id", "Id"), ("position", "Position"), ("event_id", "EventId"), ("endpoint_id", "EndpointId"), ("url", "Url"),
        ("state", "State"), ("attempt_count", "AttemptCount"), ("next_attempt_at", "NextAttemptAt"), ("replay_of", "ReplayOf"),
        ("created_at", "CreatedAt"), ("updated_at", "UpdatedAt"));

    public WebhookDelivery ToDomain() => new()
    {
        Id = Id,
        EventId = EventId,
        EndpointId = EndpointId,
        Url = Url,
        State = DeliveryNames.ParseDeliveryState(State),
        AttemptCount = AttemptCount,
        NextAttemptAt = DbTime.FromDb(NextAttemptAt),
        ReplayOf = ReplayOf,
        CreatedAt = DbTime.FromDb(CreatedAt),
        UpdatedAt = DbTime.FromDb(UpdatedAt),
    };
}

/// <summary>A due delivery with what it sends.</summary>
internal sealed record DueDeliveryRow : DeliveryRow
{
    public string EventType { get; init; } = "";
    public string Body { get; init; } = "";

    public DueDelivery ToDue() => new(ToDomain(), VideoEventTypeNames.ParseVideoEventType(EventType), Body);
}

/// <summary>A delivery with its event and, flattened, its latest attempt (all null when it has none).</summary>
internal sealed record DeliveryListRow : DeliveryRow
{
    public string EventType { get; init; } = "";
    public Guid VideoId { get; init; }
    public int? LastAttempt { get; init; }
    public DateTime? LastStartedAt { get; init; }
    public DateTime? LastEndedAt { get; init; }
    public string? LastOutcome { get; init; }
    public int? LastStatusCode { get; init; }
    public long? LastDurationMs { get; init; }
    public string? LastResponseExcerpt { get; init; }
    public string? LastError { get; init; }

    public DeliveryRecord ToRecord() => new(
        Position,
        ToDomain(),
        VideoEventTypeNames.ParseVideoEventType(EventType),
        VideoId,
        LastAttempt is { } attempt
            ? new DeliveryAttemptRow
            {
                DeliveryId = Id, Attempt = attempt, StartedAt = LastStartedAt!.Value, EndedAt = LastEndedAt, Outcome = LastOutcome,
                StatusCode = LastStatusCode, DurationMs = LastDurationMs, ResponseExcerpt = LastResponseExcerpt, Error = LastError,
            }.ToDomain()
            : null);
}

internal sealed record DeliveryAttemptRow
{
    public Guid DeliveryId { get; init; }
    public int Attempt { get; init; }
    public DateTime StartedAt { get; init; }
    public DateTime? EndedAt { get; init; }
    public string? Outcome { get; init; }
    public int? StatusCode { get; init; }
    public long? DurationMs { get; init; }
    public string? ResponseExcerpt { get; init; }
    public string? Error { get; init; }

    public const string Columns = """
        delivery_id AS DeliveryId, attempt AS Attempt, started_at AS StartedAt, ended_at AS EndedAt, outcome AS Outcome,
        status_code AS StatusCode, duration_ms AS DurationMs, response_excerpt AS ResponseExcerpt, error AS Error
        """;

    public DeliveryAttempt ToDomain() => new(
        DeliveryId,
        Attempt,
        DbTime.FromDb(StartedAt),
        DbTime.FromDb(EndedAt),
        Outcome is null ? null : DeliveryNames.ParseDeliveryAttemptOutcome(Outcome),
        StatusCode,
        DurationMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
        ResponseExcerpt,
        Error);
}
