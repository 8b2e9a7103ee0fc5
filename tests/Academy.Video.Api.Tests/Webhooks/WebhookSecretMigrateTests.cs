using Academy.Video.Testing;
using System.Security.Cryptography;
using Academy.Video.Api.Tests.Operations;
using Academy.Video.Domain.Webhooks;
using Academy.Video.Infrastructure.Persistence;
using Academy.Video.Infrastructure.Webhooks;
using Academy.Video.IntegrationTests.Persistence;
using Dapper;
using Microsoft.Extensions.Options;

namespace Academy.Video.Api.Tests.Webhooks;

/// <summary>
/// <c>migrate</c> on real PostgreSQL brings every stored webhook secret under the current key (decision 0014): a plain-text
/// row from before encryption and a row under the key rotated out; a row under a key no longer configured is reported.
/// </summary>
public sealed class WebhookSecretMigrateTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private PostgresDatabase database = null!;

    public async Task InitializeAsync() => database = await PostgresDatabase.CreateAsync();

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task Migrate_re_encrypts_plain_text_rows_and_rows_under_the_old_key_then_the_old_key_can_go()
    {
        var oldKey = NewKey();
        var newKey = NewKey();
        var plain = Endpoint("whsec_plain_text_from_before_0014_0123");
        var underOld = Endpoint("whsec_written_under_the_old_key_0123");
        await ExecuteAsync(
            "INSERT INTO webhook_endpoints (id, url, secret, events, created_at) VALUES (@Id, @Url, @Secret, '{}', @CreatedAt)",
            new { plain.Id, plain.Url, plain.Secret, CreatedAt = T0.UtcDateTime });
        await new PostgresWebhookEndpointStore(database.DataSource, Protector(oldKey), NamedPipelines.Postgres).AddAsync(underOld, CancellationToken.None);

        var rotated = await OperationsRun.RunAsync("migrate", Settings(newKey, oldKey));
        var again = await OperationsRun.RunAsync("migrate", Settings(newKey));

        var newKeyId = WebhookSecretProtector.KeyId(Convert.FromBase64String(newKey));
        Assert.True(rotated.ExitCode == 0, rotated.ToString());
        Assert.Contains($"migrate: webhook secrets under key {newKeyId}: 2 of 2 (2 re-encrypted now, 0 under a key no longer configured).", rotated.Lines);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains($"migrate: webhook secrets under key {newKeyId}: 2 of 2 (0 re-encrypted now, 0 under a key no longer configured).", again.Lines);
        var store = new PostgresWebhookEndpointStore(database.DataSource, Protector(newKey), NamedPipelines.Postgres);
        foreach (var endpoint in new[] { plain, underOld })
        {
            var stored = await StoredSecretAsync(endpoint.Id);
            Assert.StartsWith($"{WebhookSecretProtector.Prefix}{newKeyId}:", stored, StringComparison.Ordinal);
            Assert.DoesNotContain(endpoint.Secret, stored, StringComparison.Ordinal);
            Assert.Equal(endpoint.Secret, (await store.FindAsync(endpoint.Id, CancellationToken.None))!.Secret);
        }
    }

    [Fact]
    public async Task Migrate_exits_2_and_counts_rows_under_a_key_no_longer_configured()
    {
        var forgotten = NewKey();
        await new PostgresWebhookEndpointStore(database.DataSource, Protector(forgotten), NamedPipelines.Postgres).AddAsync(Endpoint("whsec_under_a_forgotten_key_0123"), CancellationToken.None);

        var run = await OperationsRun.RunAsync("migrate", Settings(NewKey()));

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(run.Lines, l => l.EndsWith(": 0 of 1 (0 re-encrypted now, 1 under a key no longer configured).", StringComparison.Ordinal));
    }

    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(WebhookSecretEncryptionOptions.KeyBytes));

    private static WebhookSecretProtector Protector(string key) =>
        new(Options.Create(new WebhookSecretEncryptionOptions { SecretEncryptionKey = key }));

    private static WebhookEndpoint Endpoint(string secret) =>
        new(Guid.NewGuid(), $"https://hooks.example.com/{Guid.NewGuid():N}", secret, [], WebhookEndpointSource.Api, T0);

    private Dictionary<string, string?> Settings(string key, params string[] oldKeys)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = database.ConnectionString,
            ["Runner:Kind"] = "Local",
            ["Storage:Provider"] = "Local",
            [WebhookSecretEncryptionOptions.KeySetting] = key,
        };
        for (var i = 0; i < oldKeys.Length; i++)
        {
            settings[$"{WebhookSecretEncryptionOptions.OldKeysSetting}:{i}"] = oldKeys[i];
        }

        return settings;
    }

    private async Task<string> StoredSecretAsync(Guid id)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return await connection.QuerySingleAsync<string>("SELECT secret FROM webhook_endpoints WHERE id = @Id", new { Id = id });
    }

    private async Task ExecuteAsync(string sql, object parameters)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(sql, parameters);
    }
}
