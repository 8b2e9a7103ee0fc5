using Npgsql;
using Polly;
using Polly.Retry;

namespace Academy.Video.Infrastructure.Persistence;

/// <summary>
/// Opens a connection and runs one unit of work on it, again when the server was briefly away
/// (restarting, failing over, a killed connection): the error is transient and nothing of the
/// statement was applied, so running it again is safe — every write is a compare-and-set, and a
/// repeat of one that did land simply loses. Stale pooled connections are dropped before each retry.
/// </summary>
internal sealed class PostgresConnections
{
    private readonly NpgsqlDataSource dataSource;
    private readonly ResiliencePipeline retry;

    public PostgresConnections(NpgsqlDataSource dataSource)
    {
        this.dataSource = dataSource;
        retry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<NpgsqlException>(IsTransient),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                MaxRetryAttempts = 7,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(3),
                OnRetry = _ =>
                {
                    // After a restart every idle pooled connection is dead; without this each retry could draw another one.
                    dataSource.Clear();
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    public Task<T> RunAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        RetryAsync(
            async token =>
            {
                await using var connection = await dataSource.OpenConnectionAsync(token);
                return await work(connection, token);
            },
            cancellationToken);

    /// <summary>For work that opens and owns its connection (a transaction handed to the caller).</summary>
    public async Task<T> RetryAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        await retry.ExecuteAsync(async token => await work(token), cancellationToken);

    public Task RunAsync(Func<NpgsqlConnection, CancellationToken, Task> work, CancellationToken cancellationToken) =>
        RunAsync<bool>(async (connection, token) =>
        {
            await work(connection, token);
            return true;
        }, cancellationToken);

    /// <summary>A server shutting down or starting up, or a connection that broke: another try may work.</summary>
    private static bool IsTransient(NpgsqlException error) =>
        error.IsTransient || error is PostgresException { SqlState: "57P01" or "57P02" or "57P03" };
}
