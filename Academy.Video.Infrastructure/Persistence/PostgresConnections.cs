using Academy.Video.Infrastructure.Resilience;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Polly;
using Polly.Registry;
using Polly.Retry;

namespace Academy.Video.Infrastructure.Persistence;

/// <summary>
/// Opens a connection and runs one unit of work on it through the <see cref="ResiliencePipelines.Postgres"/> pipeline.
/// </summary>
internal sealed class PostgresConnections(NpgsqlDataSource dataSource, ResiliencePipelineProvider<string> pipelines)
{
    private readonly ResiliencePipeline retry = pipelines.GetPipeline(ResiliencePipelines.Postgres);

    public Task<T> RunAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        RetryAsync(
            async token =>
            {
                await using var connection = await dataSource.OpenConnectionAsync(token);
                return await work(connection, token);
            },
            cancellationToken);

    /// <summary>For work that opens and owns its connection (a transaction handed to the caller).</summary>
    public async Task<T> RetryAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(PostgresResilience.DataSource, dataSource);
        try
        {
            return await retry.ExecuteAsync(static async (context, work) => await work(context.CancellationToken), context, work);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    public Task RunAsync(Func<NpgsqlConnection, CancellationToken, Task> work, CancellationToken cancellationToken) =>
        RunAsync<bool>(async (connection, token) =>
        {
            await work(connection, token);
            return true;
        }, cancellationToken);
}

/// <summary>
/// The <see cref="ResiliencePipelines.Postgres"/> pipeline: a unit of work runs again when the server was briefly away
/// (restarting, failing over, a killed connection): the error is transient and nothing of the statement was applied,
/// so running it again is safe — every write is a compare-and-set, and a repeat of one that did land simply loses.
/// Stale pooled connections of the caller's data source are dropped before each retry.
/// </summary>
public static class PostgresResilience
{
    public const int MaxRetryAttempts = 7;

    /// <summary>The data source whose pool a retry clears, set by the caller on the execution's context.</summary>
    public static readonly ResiliencePropertyKey<NpgsqlDataSource> DataSource = new("academy.postgres.data-source");

    public static IServiceCollection AddPostgresResilience(this IServiceCollection services) =>
        services.AddNamedPipeline(ResiliencePipelines.Postgres, (builder, _) => builder.OnWallClock().AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<NpgsqlException>(IsTransient),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            MaxRetryAttempts = MaxRetryAttempts,
            Delay = TimeSpan.FromMilliseconds(200),
            MaxDelay = TimeSpan.FromSeconds(3),
            OnRetry = arguments =>
            {
                // After a restart every idle pooled connection is dead; without this each retry could draw another one.
                if (arguments.Context.Properties.TryGetValue(DataSource, out var dataSource))
                {
                    dataSource.Clear();
                }

                return ValueTask.CompletedTask;
            },
        }));

    /// <summary>A server shutting down or starting up, or a connection that broke: another try may work.</summary>
    public static bool IsTransient(NpgsqlException error) =>
        error.IsTransient || error is PostgresException { SqlState: "57P01" or "57P02" or "57P03" };
}
