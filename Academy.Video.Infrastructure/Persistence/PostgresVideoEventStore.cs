using Academy.Video.Application.Webhooks;
using Academy.Video.Domain.Events;
using Dapper;
using Npgsql;
using Polly.Registry;

namespace Academy.Video.Infrastructure.Persistence;

/// <summary>Reads the events the state changes wrote (<see cref="JobCommands"/>, the deletion, the upload expiry).</summary>
public sealed class PostgresVideoEventStore(NpgsqlDataSource dataSource, ResiliencePipelineProvider<string> pipelines) : IVideoEventStore
{
    private static readonly string FindSql = $"SELECT {EventRow.Columns} FROM video_events WHERE id = @EventId";

    private static readonly string ListSql = $"""
        SELECT {EventRow.Columns} FROM video_events
        WHERE (@VideoId::uuid IS NULL OR video_id = @VideoId::uuid)
          AND (@Type::text IS NULL OR type = @Type::text)
          AND (@Before::bigint IS NULL OR position < @Before::bigint)
        ORDER BY position DESC
        LIMIT @Fetch
        """;

    private readonly PostgresConnections connections = new(dataSource, pipelines);

    public Task<VideoEvent?> FindAsync(Guid eventId, CancellationToken cancellationToken) =>
        connections.RunAsync(async (connection, token) =>
            (await connection.QuerySingleOrDefaultAsync<EventRow>(
                new CommandDefinition(FindSql, new { EventId = eventId }, cancellationToken: token)))?.ToDomain(),
            cancellationToken);

    public Task<VideoEventPage> ListAsync(VideoEventQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        return connections.RunAsync(async (connection, token) =>
        {
            var rows = (await connection.QueryAsync<EventRow>(new CommandDefinition(
                ListSql,
                new { query.VideoId, Type = query.Type?.ToWire(), query.Before, Fetch = query.Limit + 1 },
                cancellationToken: token))).ToList();
            var items = rows.Take(query.Limit).Select(r => r.ToDomain()).ToList();
            return new VideoEventPage(items, rows.Count > query.Limit ? items[^1].Position : null);
        }, cancellationToken);
    }
}
