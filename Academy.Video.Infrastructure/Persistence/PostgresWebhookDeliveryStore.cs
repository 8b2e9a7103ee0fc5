using Academy.Video.Application.Webhooks;
using Academy.Video.Domain.Webhooks;
using Dapper;
using Npgsql;
using Polly.Registry;

namespace Academy.Video.Infrastructure.Persistence;

/// <summary>
/// Events to deliveries to attempts. Every write is one conditional statement that returns what it wrote:
/// the dispatch (body and fan-out, once per event) and each delivery transition (fenced on state and attempt).
/// </summary>
public sealed class PostgresWebhookDeliveryStore(NpgsqlDataSource dataSource, ResiliencePipelineProvider<string> pipelines) : IWebhookDeliveryStore
{
    private static readonly string UndispatchedSql = $"""
        SELECT {EventRow.Columns} FROM video_events WHERE dispatched_at IS NULL ORDER BY position LIMIT @Limit
        """;

    // The body is stored and the deliveries inserted only by the dispatcher that finds the event undispatched.
    private const string DispatchSql = """
        WITH dispatched AS (
            UPDATE video_events SET body = @Body, dispatched_at = @At
            WHERE id = @EventId AND dispatched_at IS NULL
            RETURNING id
        ),
        fanned_out AS (
            INSERT INTO webhook_deliveries (id, event_id, endpoint_id, url, state, attempt_count, next_attempt_at, replay_of, created_at, updated_at)
            SELECT d.id, dispatched.id, d.endpoint_id, d.url, d.state, d.attempt_count, d.next_attempt_at, d.replay_of, d.created_at, d.updated_at
            FROM dispatched,
                 unnest(@Ids::uuid[], @EndpointIds::uuid[], @Urls::text[], @States::text[], @AttemptCounts::integer[],
                        @NextAttemptAts::timestamptz[], @ReplayOfs::uuid[], @CreatedAts::timestamptz[], @UpdatedAts::timestamptz[])
                     AS d (id, endpoint_id, url, state, attempt_count, next_attempt_at, replay_of, created_at, updated_at)
        )
        SELECT count(*)::int FROM dispatched
        """;

    private static readonly string DueSql = $"""
        SELECT {DeliveryRow.ColumnsOf("d")}, e.type AS EventType, e.body AS Body
        FROM webhook_deliveries AS d
        JOIN video_events AS e ON e.id = d.event_id
        WHERE d.state IN ('PENDING', 'SENDING') AND d.next_attempt_at <= @Now
        ORDER BY d.next_attempt_at
        LIMIT @Limit
        """;

    // The fenced delivery update, and the attempt row it opens, closes, or finds abandoned: all or nothing.
    private static readonly string TransitionSql = $"""
        WITH moved AS (
            UPDATE webhook_deliveries AS d SET
                state = @ToState,
                attempt_count = @ToAttempt,
                next_attempt_at = @NextAttemptAt,
                updated_at = @At
            WHERE d.id = @DeliveryId AND d.state = @FromState AND d.attempt_count = @FromAttempt
            RETURNING d.*
        ),
        abandoned AS (
            UPDATE webhook_delivery_attempts AS a SET ended_at = @At, outcome = 'ABANDONED',
                error = 'The sender never reported back (lease ended); the attempt may or may not have reached the receiver.'
            FROM moved
            WHERE @AbandonsOpenAttempts AND a.delivery_id = moved.id AND a.outcome IS NULL
        ),
        opened AS (
            INSERT INTO webhook_delivery_attempts (delivery_id, attempt, started_at)
            SELECT moved.id, @ToAttempt, @At FROM moved WHERE @OpensAttempt
        ),
        closed AS (
            UPDATE webhook_delivery_attempts AS a SET
                ended_at = @At, outcome = @Outcome, status_code = @StatusCode, duration_ms = @DurationMs,
                response_excerpt = @ResponseExcerpt, error = @Error
            FROM moved
            WHERE @ClosesAttempt AND a.delivery_id = moved.id AND a.attempt = @FromAttempt
        )
        SELECT {DeliveryRow.Columns} FROM moved
        """;

    private const string InsertSql = """
        INSERT INTO webhook_deliveries (id, event_id, endpoint_id, url, state, attempt_count, next_attempt_at, replay_of, created_at, updated_at)
        VALUES (@Id, @EventId, @EndpointId, @Url, @State, @AttemptCount, @NextAttemptAt, @ReplayOf, @CreatedAt, @UpdatedAt)
        """;

    private static readonly string ListSelect = $"""
        SELECT {DeliveryRow.ColumnsOf("d")}, e.type AS EventType, e.video_id AS VideoId,
               last.attempt AS LastAttempt, last.started_at AS LastStartedAt, last.ended_at AS LastEndedAt, last.outcome AS LastOutcome,
               last.status_code AS LastStatusCode, last.duration_ms AS LastDurationMs,
               last.response_excerpt AS LastResponseExcerpt, last.error AS LastError
        FROM webhook_deliveries AS d
        JOIN video_events AS e ON e.id = d.event_id
        LEFT JOIN LATERAL (
            SELECT * FROM webhook_delivery_attempts AS a WHERE a.delivery_id = d.id ORDER BY a.attempt DESC LIMIT 1
        ) AS last ON true
        """;

    private static readonly string FindSql = $"{ListSelect} WHERE d.id = @DeliveryId";

    private static readonly string ListSql = $"""
        {ListSelect}
        WHERE (@State::text IS NULL OR d.state = @State::text)
          AND (@EventId::uuid IS NULL OR d.event_id = @EventId::uuid)
          AND (@EndpointId::uuid IS NULL OR d.endpoint_id = @EndpointId::uuid)
          AND (@VideoId::uuid IS NULL OR e.video_id = @VideoId::uuid)
          AND (@Before::bigint IS NULL OR d.position < @Before::bigint)
        ORDER BY d.position DESC
        LIMIT @Fetch
        """;

    private static readonly string AttemptsSql = $"""
        SELECT {DeliveryAttemptRow.Columns} FROM webhook_delivery_attempts WHERE delivery_id = @DeliveryId ORDER BY attempt
        """;

    // Which events may go, in one statement: dispatched, older than the cutoff, and every delivery (if any)
    // finished and last changed before it. The events are locked (skipping any a replay is inserting a
    // delivery for); the foreign keys are checked at the end of the statement, once all three deletes ran.
    private const string DeleteFinishedHistorySql = """
        WITH doomed AS (
            SELECT e.id FROM video_events AS e
            WHERE e.occurred_at < @Cutoff
              AND e.dispatched_at IS NOT NULL
              AND NOT EXISTS (
                  SELECT 1 FROM webhook_deliveries AS d
                  WHERE d.event_id = e.id AND (d.state NOT IN ('DELIVERED', 'FAILED') OR d.updated_at >= @Cutoff))
            ORDER BY e.occurred_at
            LIMIT @Limit
            FOR UPDATE SKIP LOCKED
        ),
        doomed_deliveries AS (
            SELECT d.id FROM webhook_deliveries AS d JOIN doomed ON d.event_id = doomed.id
        ),
        attempts_deleted AS (
            DELETE FROM webhook_delivery_attempts AS a USING doomed_deliveries AS dd WHERE a.delivery_id = dd.id
        ),
        deliveries_deleted AS (
            DELETE FROM webhook_deliveries AS d USING doomed_deliveries AS dd WHERE d.id = dd.id
        )
        DELETE FROM video_events AS e USING doomed WHERE e.id = doomed.id
        """;

    private readonly PostgresConnections connections = new(dataSource, pipelines);

    public Task<IReadOnlyList<VideoEvent>> ListUndispatchedAsync(int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return connections.RunAsync<IReadOnlyList<VideoEvent>>(async (connection, token) =>
            (await connection.QueryAsync<EventRow>(new CommandDefinition(UndispatchedSql, new { Limit = limit }, cancellationToken: token)))
                .Select(r => r.ToDomain()).ToList(),
            cancellationToken);
    }

    public Task<bool> TryDispatchAsync(EventDispatch dispatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dispatch);
        if (dispatch.Deliveries.Any(d => d.EventId != dispatch.EventId))
        {
            throw new ArgumentException($"Every delivery of a dispatch must be of event {dispatch.EventId}.", nameof(dispatch));
        }

        var deliveries = dispatch.Deliveries;
        var parameters = new
        {
            dispatch.EventId,
            dispatch.Body,
            At = DbTime.ToDb(dispatch.At),
            Ids = deliveries.Select(d => d.Id).ToArray(),
            EndpointIds = deliveries.Select(d => d.EndpointId).ToArray(),
            Urls = deliveries.Select(d => d.Url).ToArray(),
            States = deliveries.Select(d => d.State.ToWire()).ToArray(),
            AttemptCounts = deliveries.Select(d => d.AttemptCount).ToArray(),
            NextAttemptAts = deliveries.Select(d => DbTime.ToDb(d.NextAttemptAt)).ToArray(),
            ReplayOfs = deliveries.Select(d => d.ReplayOf).ToArray(),
            CreatedAts = deliveries.Select(d => DbTime.ToDb(d.CreatedAt)).ToArray(),
            UpdatedAts = deliveries.Select(d => DbTime.ToDb(d.UpdatedAt)).ToArray(),
        };
        return connections.RunAsync(async (connection, token) =>
            await connection.ExecuteScalarAsync<int>(new CommandDefinition(DispatchSql, parameters, cancellationToken: token)) == 1,
            cancellationToken);
    }

    public Task<IReadOnlyList<DueDelivery>> ListDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return connections.RunAsync<IReadOnlyList<DueDelivery>>(async (connection, token) =>
            (await connection.QueryAsync<DueDeliveryRow>(new CommandDefinition(
                DueSql, new { Now = DbTime.ToDb(now), Limit = limit }, cancellationToken: token))).Select(r => r.ToDue()).ToList(),
            cancellationToken);
    }

    public Task<WebhookDelivery?> TryTransitionAsync(DeliveryTransition transition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transition);
        var result = transition.ClosesAttempt;
        var parameters = new
        {
            transition.DeliveryId,
            FromState = transition.FromState.ToWire(),
            transition.FromAttempt,
            ToState = transition.ToState.ToWire(),
            transition.ToAttempt,
            At = DbTime.ToDb(transition.At),
            NextAttemptAt = DbTime.ToDb(transition.NextAttemptAt),
            transition.OpensAttempt,
            transition.AbandonsOpenAttempts,
            ClosesAttempt = result is not null,
            Outcome = result?.Outcome.ToWire(),
            result?.StatusCode,
            DurationMs = result is null ? (long?)null : (long)result.Duration.TotalMilliseconds,
            result?.ResponseExcerpt,
            result?.Error,
        };
        return connections.RunAsync(async (connection, token) =>
            (await connection.QuerySingleOrDefaultAsync<DeliveryRow>(
                new CommandDefinition(TransitionSql, parameters, cancellationToken: token)))?.ToDomain(),
            cancellationToken);
    }

    public Task AddAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return connections.RunAsync((connection, token) => connection.ExecuteAsync(new CommandDefinition(
            InsertSql,
            new
            {
                delivery.Id,
                delivery.EventId,
                delivery.EndpointId,
                delivery.Url,
                State = delivery.State.ToWire(),
                delivery.AttemptCount,
                NextAttemptAt = DbTime.ToDb(delivery.NextAttemptAt),
                delivery.ReplayOf,
                CreatedAt = DbTime.ToDb(delivery.CreatedAt),
                UpdatedAt = DbTime.ToDb(delivery.UpdatedAt),
            },
            cancellationToken: token)), cancellationToken);
    }

    public Task<DeliveryRecord?> FindAsync(Guid deliveryId, CancellationToken cancellationToken) =>
        connections.RunAsync(async (connection, token) =>
            (await connection.QuerySingleOrDefaultAsync<DeliveryListRow>(
                new CommandDefinition(FindSql, new { DeliveryId = deliveryId }, cancellationToken: token)))?.ToRecord(),
            cancellationToken);

    public Task<DeliveryPage> ListAsync(DeliveryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        return connections.RunAsync(async (connection, token) =>
        {
            var rows = (await connection.QueryAsync<DeliveryListRow>(new CommandDefinition(
                ListSql,
                new { State = query.State?.ToWire(), query.EventId, query.EndpointId, query.VideoId, query.Before, Fetch = query.Limit + 1 },
                cancellationToken: token))).ToList();
            var items = rows.Take(query.Limit).Select(r => r.ToRecord()).ToList();
            return new DeliveryPage(items, rows.Count > query.Limit ? items[^1].Position : null);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<DeliveryAttempt>> ListAttemptsAsync(Guid deliveryId, CancellationToken cancellationToken) =>
        connections.RunAsync<IReadOnlyList<DeliveryAttempt>>(async (connection, token) =>
            (await connection.QueryAsync<DeliveryAttemptRow>(new CommandDefinition(AttemptsSql, new { DeliveryId = deliveryId }, cancellationToken: token)))
                .Select(r => r.ToDomain()).ToList(),
            cancellationToken);

    public Task<int> DeleteFinishedHistoryAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return connections.RunAsync((connection, token) => connection.ExecuteAsync(new CommandDefinition(
            DeleteFinishedHistorySql, new { Cutoff = DbTime.ToDb(cutoff), Limit = limit }, cancellationToken: token)), cancellationToken);
    }
}
