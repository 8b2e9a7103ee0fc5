using Academy.Video.Application.Webhooks;
using Academy.Video.Domain.Events;
using Academy.Video.Domain.Webhooks;
using Academy.Video.Infrastructure.Webhooks;
using Dapper;
using Npgsql;
using Polly.Registry;

namespace Academy.Video.Infrastructure.Persistence;

/// <summary>Endpoints added through the API; their signing secrets are stored encrypted (<see cref="WebhookSecretProtector"/>, decision 0014).</summary>
public sealed class PostgresWebhookEndpointStore(NpgsqlDataSource dataSource, WebhookSecretProtector protector, ResiliencePipelineProvider<string> pipelines) : IWebhookEndpointStore
{
    private const string InsertSql = """
        INSERT INTO webhook_endpoints (id, url, secret, events, created_at) VALUES (@Id, @Url, @Secret, @Events, @CreatedAt)
        """;

    private static readonly string ListSql = $"SELECT {EndpointRow.Columns} FROM webhook_endpoints ORDER BY created_at, id";

    private static readonly string FindSql = $"SELECT {EndpointRow.Columns} FROM webhook_endpoints WHERE id = @EndpointId";

    private const string DeleteSql = "DELETE FROM webhook_endpoints WHERE id = @EndpointId";

    private const string SecretsSql = "SELECT id AS Id, secret AS Secret FROM webhook_endpoints ORDER BY id";

    // Only if the row still holds what was read: a concurrent re-encryption or removal wins, nothing is lost.
    private const string ReplaceSecretSql = "UPDATE webhook_endpoints SET secret = @New WHERE id = @Id AND secret = @Old";

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
                Secret = protector.Protect(endpoint.Id, endpoint.Secret),
                Events = endpoint.Events.Select(e => e.ToWire()).ToArray(),
                CreatedAt = DbTime.ToDb(endpoint.CreatedAt.Value),
            },
            cancellationToken: token)), cancellationToken);
    }

    public Task<IReadOnlyList<WebhookEndpoint>> ListAsync(CancellationToken cancellationToken) =>
        connections.RunAsync<IReadOnlyList<WebhookEndpoint>>(async (connection, token) =>
            (await connection.QueryAsync<EndpointRow>(new CommandDefinition(ListSql, cancellationToken: token))).Select(ToDomain).ToList(),
            cancellationToken);

    public Task<WebhookEndpoint?> FindAsync(Guid endpointId, CancellationToken cancellationToken) =>
        connections.RunAsync<WebhookEndpoint?>(async (connection, token) =>
            (await connection.QuerySingleOrDefaultAsync<EndpointRow>(
                new CommandDefinition(FindSql, new { EndpointId = endpointId }, cancellationToken: token))) is { } row ? ToDomain(row) : null,
            cancellationToken);

    public Task<bool> TryRemoveAsync(Guid endpointId, CancellationToken cancellationToken) =>
        connections.RunAsync(async (connection, token) =>
            await connection.ExecuteAsync(new CommandDefinition(DeleteSql, new { EndpointId = endpointId }, cancellationToken: token)) == 1,
            cancellationToken);

    /// <summary>
    /// Brings every stored secret under the current key: rows written before encryption (plain text) and rows under
    /// an earlier key. Each row is one conditional statement. A row whose key is not configured is left as it is
    /// and counted as unreadable.
    /// </summary>
    public async Task<SecretReencryption> ReencryptSecretsAsync(CancellationToken cancellationToken)
    {
        var rows = await connections.RunAsync<IReadOnlyList<SecretRow>>(async (connection, token) =>
            (await connection.QueryAsync<SecretRow>(new CommandDefinition(SecretsSql, cancellationToken: token))).ToList(), cancellationToken);
        var reencrypted = 0;
        var unreadable = 0;
        foreach (var row in rows)
        {
            string secret;
            try
            {
                (secret, var underCurrentKey) = protector.Unprotect(row.Id, row.Secret);
                if (underCurrentKey)
                {
                    continue;
                }
            }
            catch (WebhookSecretUnreadableException)
            {
                unreadable++;
                continue;
            }

            var replacement = new { row.Id, Old = row.Secret, New = protector.Protect(row.Id, secret) };
            reencrypted += await connections.RunAsync((connection, token) =>
                connection.ExecuteAsync(new CommandDefinition(ReplaceSecretSql, replacement, cancellationToken: token)), cancellationToken);
        }

        return new SecretReencryption(rows.Count, reencrypted, unreadable, protector.CurrentKeyId);
    }

    private WebhookEndpoint ToDomain(EndpointRow row) => new(
        row.Id,
        row.Url,
        protector.Unprotect(row.Id, row.Secret).Secret,
        row.Events.Select(VideoEventTypeNames.ParseVideoEventType).ToList(),
        WebhookEndpointSource.Api,
        DbTime.FromDb(row.CreatedAt));
}

internal sealed record SecretRow
{
    public Guid Id { get; init; }
    public string Secret { get; init; } = "";
}

/// <param name="Rows">Endpoints stored.</param>
/// <param name="Reencrypted">Rows moved under the current key by this pass.</param>
/// <param name="Unreadable">Rows under a key that is not configured, left as they are.</param>
public sealed record SecretReencryption(int Rows, int Reencrypted, int Unreadable, string CurrentKeyId);
