using Academy.Video.Testing;
using System.Security.Cryptography;
using Academy.Video.Domain.Webhooks;
using Academy.Video.Infrastructure.Persistence;
using Academy.Video.Infrastructure.Webhooks;
using Academy.Video.IntegrationTests.Persistence;
using Dapper;
using Microsoft.Extensions.Options;

namespace Academy.Video.IntegrationTests.Webhooks;

/// <summary>Webhook secrets at rest on PostgreSQL (decision 0014): encrypted, readable across a key rotation, and rows written before encryption upgraded.</summary>
public sealed class WebhookSecretEncryptionTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(WebhookSecretEncryptionOptions.KeyBytes));

    public static WebhookSecretProtector Protector(string key, params string[] oldKeys)
    {
        var options = new WebhookSecretEncryptionOptions { SecretEncryptionKey = key };
        options.SecretEncryptionKeys.AddRange(oldKeys);
        return new WebhookSecretProtector(Options.Create(options));
    }

    /// <summary>Each test starts with no endpoint: the others leave rows under keys of their own, which the pass would count.</summary>
    public Task InitializeAsync() => ExecuteAsync("DELETE FROM webhook_endpoints", new { });

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_row_holds_no_plaintext_secret_and_the_store_reads_it_back()
    {
        var key = NewKey();
        var store = new PostgresWebhookEndpointStore(database.DataSource, Protector(key), NamedPipelines.Postgres);
        var endpoint = Endpoint("whsec_plaintext_that_must_not_be_stored_0123456789");

        await store.AddAsync(endpoint, None);

        var stored = await StoredSecretAsync(endpoint.Id);
        Assert.DoesNotContain(endpoint.Secret, stored, StringComparison.Ordinal);
        Assert.DoesNotContain("whsec_", stored, StringComparison.Ordinal);
        Assert.StartsWith($"{WebhookSecretProtector.Prefix}{WebhookSecretProtector.KeyId(Convert.FromBase64String(key))}:", stored, StringComparison.Ordinal);
        Assert.Equal(endpoint.Secret, (await store.FindAsync(endpoint.Id, None))!.Secret);
        Assert.Equal(endpoint.Secret, Assert.Single(await store.ListAsync(None), e => e.Id == endpoint.Id).Secret);
    }

    [Fact]
    public async Task A_secret_written_under_the_old_key_is_read_after_rotation_and_re_encrypted_under_the_new_one()
    {
        var oldKey = NewKey();
        var newKey = NewKey();
        var endpoint = Endpoint("whsec_written_before_the_rotation_0123456789");
        await new PostgresWebhookEndpointStore(database.DataSource, Protector(oldKey), NamedPipelines.Postgres).AddAsync(endpoint, None);
        var underOldKey = await StoredSecretAsync(endpoint.Id);

        var rotated = new PostgresWebhookEndpointStore(database.DataSource, Protector(newKey, oldKey), NamedPipelines.Postgres);
        Assert.Equal(endpoint.Secret, (await rotated.FindAsync(endpoint.Id, None))!.Secret);

        var pass = await rotated.ReencryptSecretsAsync(None);
        var underNewKey = await StoredSecretAsync(endpoint.Id);
        Assert.Equal((1, 1, 0), (pass.Rows, pass.Reencrypted, pass.Unreadable));
        Assert.StartsWith($"{WebhookSecretProtector.Prefix}{WebhookSecretProtector.KeyId(Convert.FromBase64String(newKey))}:", underNewKey, StringComparison.Ordinal);
        Assert.NotEqual(underOldKey, underNewKey);

        // Once re-encrypted, the old key can go.
        var newKeyOnly = new PostgresWebhookEndpointStore(database.DataSource, Protector(newKey), NamedPipelines.Postgres);
        Assert.Equal(endpoint.Secret, (await newKeyOnly.FindAsync(endpoint.Id, None))!.Secret);
        Assert.Equal(0, (await newKeyOnly.ReencryptSecretsAsync(None)).Reencrypted);
    }

    [Fact]
    public async Task A_row_under_a_key_that_is_no_longer_configured_fails_with_its_key_named_and_is_left_as_it_is()
    {
        var forgotten = NewKey();
        var endpoint = Endpoint("whsec_under_a_forgotten_key_0123456789");
        await new PostgresWebhookEndpointStore(database.DataSource, Protector(forgotten), NamedPipelines.Postgres).AddAsync(endpoint, None);
        var stored = await StoredSecretAsync(endpoint.Id);
        var store = new PostgresWebhookEndpointStore(database.DataSource, Protector(NewKey()), NamedPipelines.Postgres);

        var error = await Assert.ThrowsAsync<WebhookSecretUnreadableException>(() => store.FindAsync(endpoint.Id, None));
        var pass = await store.ReencryptSecretsAsync(None);

        Assert.Contains(WebhookSecretProtector.KeyId(Convert.FromBase64String(forgotten)), error.Message, StringComparison.Ordinal);
        Assert.Contains(WebhookSecretEncryptionOptions.OldKeysSetting, error.Message, StringComparison.Ordinal);
        Assert.Equal((1, 0, 1), (pass.Rows, pass.Reencrypted, pass.Unreadable));
        Assert.Equal(stored, await StoredSecretAsync(endpoint.Id));
    }

    [Fact]
    public async Task A_plain_text_row_from_before_encryption_is_read_as_it_is_and_encrypted_by_the_pass()
    {
        var endpoint = Endpoint("whsec_stored_in_plain_text_before_0014");
        await ExecuteAsync(
            "INSERT INTO webhook_endpoints (id, url, secret, events, created_at) VALUES (@Id, @Url, @Secret, '{}', @CreatedAt)",
            new { endpoint.Id, endpoint.Url, endpoint.Secret, CreatedAt = T0.UtcDateTime });
        var store = new PostgresWebhookEndpointStore(database.DataSource, Protector(NewKey()), NamedPipelines.Postgres);

        Assert.Equal(endpoint.Secret, (await store.FindAsync(endpoint.Id, None))!.Secret);
        var pass = await store.ReencryptSecretsAsync(None);

        Assert.Equal((1, 1, 0), (pass.Rows, pass.Reencrypted, pass.Unreadable));
        var stored = await StoredSecretAsync(endpoint.Id);
        Assert.StartsWith(WebhookSecretProtector.Prefix, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(endpoint.Secret, stored, StringComparison.Ordinal);
        Assert.Equal(endpoint.Secret, (await store.FindAsync(endpoint.Id, None))!.Secret);
    }

    [Fact]
    public async Task A_ciphertext_copied_onto_another_endpoint_does_not_decrypt()
    {
        var key = NewKey();
        var store = new PostgresWebhookEndpointStore(database.DataSource, Protector(key), NamedPipelines.Postgres);
        var source = Endpoint("whsec_the_source_endpoints_secret_0123");
        var target = Endpoint("whsec_the_target_endpoints_secret_0123");
        await store.AddAsync(source, None);
        await store.AddAsync(target, None);

        await ExecuteAsync("UPDATE webhook_endpoints SET secret = @Secret WHERE id = @Id", new { Id = target.Id, Secret = await StoredSecretAsync(source.Id) });

        await Assert.ThrowsAsync<WebhookSecretUnreadableException>(() => store.FindAsync(target.Id, None));
        Assert.Equal(source.Secret, (await store.FindAsync(source.Id, None))!.Secret);
    }

    private static WebhookEndpoint Endpoint(string secret) =>
        new(Guid.NewGuid(), $"https://hooks.example.com/{Guid.NewGuid():N}", secret, [], WebhookEndpointSource.Api, T0);

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
