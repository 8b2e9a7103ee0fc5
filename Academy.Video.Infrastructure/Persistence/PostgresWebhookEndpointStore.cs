using Academy.Video.Application.Webhooks;
using Academy.Video.Domain.Events;
using Academy.Video.Domain.Webhooks;
using Dapper;
using Npgsql;
using Polly.Registry;

namespace Academy.Video.Infrastructure.Persistence;

public sealed class PostgresWebhookEndpointStore(NpgsqlDataSource dataSource, ResiliencePipelineProvider<string> pipelines) : IWebhookEndpointStore
{
    private const string InsertSql = """
        INSERT INTO webhook_endpoints (id, url, secret, events, created_at) VALUES (@Id, @Url, @Secret, @Events, @CreatedAt)
        """;

    private static readonly string ListSql = $"SELECT {EndpointRow.Columns} FROM webhook_endpoints ORDER BY created_at, id";

    private static readonly string FindSql = $"SELECT {EndpointRow.Columns} FROM webhook_endpoints WHERE id = @EndpointId";

    private const string DeleteSql = "DELETE FROM webhook_endpoints WHERE id = @EndpointId";

    private readonly PostgresConnections connections = new(dataSource, pipelines);

    public Task AddAsync(WebhookEndpoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.Source != WebhookEndpointSource.Api || endpoint.CreatedAt is null)
        {
            throw new ArgumentException("Only endpoints added through the API, with their creation time, are stored.", nameof(endpoint));
        }

        return connections.RunAsync((connection, token) => connection.ExecuteAsync(new CommandDefinition(
            InsertSql,
            new
            {
                endpoint.Id,
                endpoint.Url,
                endpoint.Secret,
                Events = endpoint.Events.Select(e => e.ToWire()).ToArray(),
                CreatedAt = DbTime.ToDb(endpoint.CreatedAt.Value),
            },
            cancellationToken: token)), cancellationToken);
    }

    public Task<IReadOnlyList<WebhookEndpoint>> ListAsync(CancellationToken cancellationToken) =>
        connections.RunAsync<IReadOnlyList<WebhookEndpoint>>(async (connection, token) =>
            (await connection.QueryAsync<EndpointRow>(new CommandDefinition(ListSql, cancellationToken: token))).Select(r => r.ToDomain()).ToList(),
            cancellationToken);

    public Task<WebhookEndpoint?> FindAsync(Guid endpointId, CancellationToken cancellationToken) =>
        connections.RunAsync(async (connection, token) =>
            (await connection.QuerySingleOrDefaultAsync<EndpointRow>(
                new CommandDefinition(FindSql, new { EndpointId = endpointId }, cancellationToken: token)))?.ToDomain(),
            cancellationToken);

    public Task<bool> TryRemoveAsync(Guid endpointId, CancellationToken cancellationToken) =>
        connections.RunAsync(async (connection, token) =>
            await connection.ExecuteAsync(new CommandDefinition(DeleteSql, new { EndpointId = endpointId }, cancellationToken: token)) == 1,
            cancellationToken);
}
