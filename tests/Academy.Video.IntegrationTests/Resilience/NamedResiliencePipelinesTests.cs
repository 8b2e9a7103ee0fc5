using System.Collections.Concurrent;
using System.Diagnostics;
using Academy.Video.Application.Jobs;
using Academy.Video.Application.Videos;
using Academy.Video.Infrastructure;
using Academy.Video.Infrastructure.Aws;
using Academy.Video.Infrastructure.Persistence;
using Academy.Video.Infrastructure.Resilience;
using Academy.Video.Infrastructure.Runners;
using Academy.Video.Infrastructure.Runners.Batch;
using Academy.Video.IntegrationTests.Persistence;
using Academy.Video.IntegrationTests.Runners;
using Academy.Video.Operations.Aws;
using Academy.Video.Operations.Infrastructure;
using Amazon.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Polly.Registry;

namespace Academy.Video.IntegrationTests.Resilience;

/// <summary>
/// The named resilience pipelines (docs/decisions/0013-named-resilience-pipelines.md) as the hosts compose them: each
/// registered, each retrying as its settings say, on real failures (connections a TCP front resets, an endpoint that answers 500).
/// </summary>
public sealed class NamedResiliencePipelinesTests : IAsyncLifetime
{
    private readonly FakeBatchServer server = new();
    private readonly RecordingLoggerProvider logs = new();
    private readonly List<ServiceProvider> providers = [];
    private PostgresDatabase? database;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var provider in providers)
        {
            await provider.DisposeAsync();
        }

        server.Dispose();
        if (database is not null)
        {
            await database.DisposeAsync();
        }
    }

    [Fact]
    public void The_composition_of_the_API_registers_every_named_pipeline()
    {
        var pipelines = Compose(new() { ["Runner:Kind"] = "Batch" }).GetRequiredService<ResiliencePipelineProvider<string>>();

        Assert.All(
            [ResiliencePipelines.Postgres, ResiliencePipelines.Aws, ResiliencePipelines.AwsBatch, ResiliencePipelines.RunnerCall],
            name => Assert.True(pipelines.TryGetPipeline(name, out _), $"no pipeline named {name}"));
    }

    [Fact]
    public async Task The_postgres_pipeline_retries_connections_the_server_resets_and_then_reaches_it()
    {
        await using var front = await PostgresFrontAsync(resetFirst: 2);
        var videos = Compose(new() { ["ConnectionStrings:Postgres"] = ThroughFront(front) }).GetRequiredService<IVideoStore>();

        Assert.Null(await videos.FindAsync(Guid.NewGuid(), CancellationToken.None));
        Assert.Equal(3, front.Connections);
    }

    [Fact]
    public async Task The_postgres_pipeline_gives_up_after_its_seven_retries()
    {
        await using var front = await PostgresFrontAsync(resetFirst: int.MaxValue);
        var videos = Compose(new() { ["ConnectionStrings:Postgres"] = ThroughFront(front) }).GetRequiredService<IVideoStore>();

        var error = await Assert.ThrowsAsync<NpgsqlException>(() => videos.FindAsync(Guid.NewGuid(), CancellationToken.None));

        Assert.True(PostgresResilience.IsTransient(error), error.ToString());
        Assert.Equal(1 + 7, front.Connections);
    }

    [Fact]
    public async Task The_aws_batch_pipeline_retries_as_Runner_Batch_says_and_warns_once_a_retry_without_the_trace()
    {
        var batch = Compose(new()
        {
            ["Runner:Kind"] = "Batch",
            ["Runner:Batch:MaxRetryAttempts"] = "2",
        }).GetRequiredService<AwsBatchClient>();

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => batch.DescribeJobQueuesAsync(new DescribeJobQueuesRequest(["q"]), CancellationToken.None));

        Assert.Equal(500, (int)error.StatusCode);
        Assert.Equal(1 + 2, server.Requests.Count);
        AssertRetriesLogged(typeof(AwsBatchClient), "AWS Batch call failed transiently (AwsServiceException: ", retries: 2);
    }

    [Fact]
    public async Task The_aws_pipeline_retries_the_operator_clients_as_Operations_Aws_says()
    {
        var sts = Compose(new()
        {
            ["Runner:Kind"] = "Batch",
            ["Runner:Batch:MaxRetryAttempts"] = "0",
            ["Operations:Aws:StsServiceUrl"] = server.BaseAddress.ToString(),
            ["Operations:Aws:MaxRetryAttempts"] = "1",
        }).GetRequiredService<AwsStsClient>();

        await Assert.ThrowsAsync<AwsServiceException>(() => sts.GetCallerIdentityAsync(CancellationToken.None));

        Assert.Equal(1 + 1, server.Requests.Count);
        AssertRetriesLogged(typeof(AwsStsClient), "AWS call failed transiently (AwsServiceException: ", retries: 1);
    }

    [Fact]
    public async Task The_runner_call_bound_ends_a_call_that_ignores_its_token_at_Recovery_RunnerCallTimeout()
    {
        var bound = Compose(new() { ["Recovery:RunnerCallTimeout"] = "00:00:00.300" }).GetRequiredService<IRunnerCallBound>();
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => bound.RunAsync(_ => new TaskCompletionSource<string>().Task, CancellationToken.None));

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
    }

    private void AssertRetriesLogged(Type client, string start, int retries)
    {
        var lines = logs.Lines.Where(l => l.Category == client.FullName).ToList();
        var warnings = lines.Where(l => l.Level == LogLevel.Warning).ToList();
        Assert.Equal(retries, warnings.Count);
        Assert.All(warnings, l => Assert.StartsWith(start, l.Message, StringComparison.Ordinal));
        Assert.All(warnings, l => Assert.Null(l.Exception));
        Assert.Equal(retries, lines.Count(l => l.Level == LogLevel.Debug && l.Exception is AwsServiceException));
        // Polly's own telemetry would log each handled failure at Warning with its trace; it is silenced (level None is never written).
        Assert.DoesNotContain(logs.Lines, l => l.Category.StartsWith("Polly", StringComparison.Ordinal) && l.Level != LogLevel.None);
    }

    /// <summary>The API's composition: the core, the Batch runner when asked, the operator adapters; Batch and AWS calls go to <see cref="server"/>.</summary>
    private ServiceProvider Compose(Dictionary<string, string?> settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["Runner:Batch:ServiceUrl"] = server.BaseAddress.ToString(),
            ["Runner:Batch:RetryBaseDelay"] = "00:00:00.010",
            ["Operations:Aws:RetryBaseDelay"] = "00:00:00.010",
        };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection().AddLogging(builder => builder.SetMinimumLevel(LogLevel.Debug).AddProvider(logs));
        services.AddKeyedSingleton<AWSCredentials>(
            RunnerServiceCollectionExtensions.BatchCredentialsKey, new BasicAWSCredentials(FakeBatchServer.AccessKey, FakeBatchServer.SecretKey));
        services.AddVideoCore(configuration);
        services.AddJobSubmission(configuration);
        services.AddOperationsAdapters(configuration);
        var provider = services.BuildServiceProvider();
        providers.Add(provider);
        return provider;
    }

    private async Task<FlakyTcpFront> PostgresFrontAsync(int resetFirst)
    {
        database = await PostgresDatabase.CreateAsync();
        var port = new NpgsqlConnectionStringBuilder(database.ConnectionString).Port;
        return new FlakyTcpFront(new Uri($"tcp://127.0.0.1:{port}")) { ResetFirst = resetFirst };
    }

    /// <summary>Without SSL or GSS negotiation, which may reconnect on its own: one connection a try.</summary>
    private string ThroughFront(FlakyTcpFront front) =>
        new NpgsqlConnectionStringBuilder(database!.ConnectionString)
        {
            Host = "127.0.0.1",
            Port = front.BaseAddress.Port,
            SslMode = SslMode.Disable,
            GssEncryptionMode = GssEncryptionMode.Disable,
        }.ConnectionString;

    private sealed record LogLine(string Category, LogLevel Level, string Message, Exception? Exception);

    private sealed class RecordingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<LogLine> lines = new();

        public IReadOnlyList<LogLine> Lines => lines.ToArray();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<LogLine> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue(new LogLine(category, logLevel, formatter(state, exception), exception));
        }
    }
}
