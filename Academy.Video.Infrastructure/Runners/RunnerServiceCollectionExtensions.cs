using Academy.Video.Application.Common;
using Academy.Video.Application.Jobs;
using Academy.Video.Infrastructure.Aws;
using Academy.Video.Infrastructure.Resilience;
using Academy.Video.Infrastructure.Runners.Batch;
using Academy.Video.Infrastructure.Runners.Local;
using Academy.Video.Infrastructure.Settings;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;

namespace Academy.Video.Infrastructure.Runners;

public static class RunnerServiceCollectionExtensions
{
    public const string KindKey = "Runner:Kind";

    /// <summary>Key of the <see cref="AWSCredentials"/> the Batch client signs with; register your own under it to override the default chain.</summary>
    public const string BatchCredentialsKey = "Runner:Batch:Credentials";

    /// <summary>
    /// Registers <see cref="IJobRunner"/> as a singleton: <c>Runner:Kind</c> = <c>Local</c> (default, a child
    /// process per job, section <c>Runner:Local</c>) or <c>Batch</c> (AWS Batch, section <c>Runner:Batch</c>,
    /// with <c>VIDEO_BATCH_JOB_QUEUE</c> / <c>VIDEO_BATCH_JOB_DEFINITION</c> taking precedence).
    /// </summary>
    public static IServiceCollection AddJobRunner(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);

        var kind = configuration[KindKey];
        if (string.IsNullOrWhiteSpace(kind) || kind.Equals("Local", StringComparison.OrdinalIgnoreCase))
        {
            return services.AddLocalRunner(configuration);
        }

        if (kind.Equals("Batch", StringComparison.OrdinalIgnoreCase))
        {
            return services.AddBatchRunner(configuration);
        }

        throw new InvalidOperationException($"{KindKey} must be 'Local' or 'Batch', not '{kind}'.");
    }

    private static IServiceCollection AddLocalRunner(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<LocalRunnerOptions>(configuration, LocalRunnerOptions.SectionName);
        services.AddSingleton(provider => new LocalProcessJobRunner(
            provider.GetRequiredService<IOptions<LocalRunnerOptions>>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<Microsoft.Extensions.Logging.ILogger<LocalProcessJobRunner>>()));
        services.AddSingleton<IJobRunner>(provider => provider.GetRequiredService<LocalProcessJobRunner>());
        services.AddSingleton<Application.Captions.ICaptionRunner>(provider => provider.GetRequiredService<LocalProcessJobRunner>());
        services.AddSingleton<IChunkRunner>(provider => provider.GetRequiredService<LocalProcessJobRunner>());
        return services;
    }

    private static IServiceCollection AddBatchRunner(this IServiceCollection services, IConfiguration configuration)
    {
        // The bound on one whole Batch call is the runner-call bound, Recovery:RunnerCallTimeout (checked at start there).
        services.AddSettings<RecoveryOptions>(configuration, RecoveryOptions.Section);
        services.AddSettings<BatchRunnerOptions>(configuration, BatchRunnerOptions.SectionName)
            .PostConfigure(options =>
            {
                // The contract's setting names (docs/contract.md §1) win over the section, so a deployment sets them the way the earlier system did.
                if (configuration[BatchRunnerOptions.JobQueueVariable] is { Length: > 0 } queue)
                {
                    options.JobQueue = queue;
                }

                if (configuration[BatchRunnerOptions.JobDefinitionVariable] is { Length: > 0 } definition)
                {
                    options.JobDefinition = definition;
                }
            });

        // Environment, profile, container or instance credentials, resolved when the first request is signed.
        services.TryAddKeyedSingleton<AWSCredentials>(
            BatchCredentialsKey, (_, _) => new DefaultChainCredentials());

        services.AddHttpClient<AwsBatchClient>((provider, client) =>
            {
                var options = provider.GetRequiredService<IOptions<BatchRunnerOptions>>().Value;
                client.BaseAddress = options.ResolveEndpoint();
                client.Timeout = options.RequestTimeout;
            })
            // SigV4SigningHandler is the primary handler around the transport: its constructor always sets its own
            // InnerHandler, which IHttpClientFactory refuses for AddHttpMessageHandler. It must not follow
            // redirects (it would replay a stale signature) and must sit inside the retry loop, which AwsBatchClient runs
            // (the named aws-batch pipeline) so that every attempt is signed afresh.
            .ConfigurePrimaryHttpMessageHandler(provider =>
            {
                var options = provider.GetRequiredService<IOptions<BatchRunnerOptions>>().Value;
                var transport = new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                };
                return new SigV4SigningHandler(
                    provider.GetRequiredKeyedService<AWSCredentials>(BatchCredentialsKey),
                    RegionEndpoint.GetBySystemName(options.Region),
                    "batch",
                    transport);
            })
            // The runner is a singleton holding this client; the pooled-connection lifetime above replaces handler rotation.
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);

        // The bound on one whole call, retries included, around the one AWS retry rule with this section's figures.
        services.AddNamedPipeline(ResiliencePipelines.AwsBatch, (builder, provider) =>
        {
            var options = provider.GetRequiredService<IOptions<BatchRunnerOptions>>().Value;
            builder.OnWallClock()
                .AddTimeout(provider.GetRequiredService<IOptions<RecoveryOptions>>().Value.RunnerCallTimeout)
                .AddAwsRetry(options.MaxRetryAttempts, options.RetryBaseDelay, AwsBatchClient.MaxRetryDelay, provider.GetRequiredService<ILogger<AwsBatchClient>>());
        });

        services.AddSingleton(provider => new BatchJobRunner(
            provider.GetRequiredService<AwsBatchClient>(),
            provider.GetRequiredService<IOptions<BatchRunnerOptions>>()));
        services.AddSingleton<IJobRunner>(provider => provider.GetRequiredService<BatchJobRunner>());
        services.AddSingleton<Application.Captions.ICaptionRunner>(provider => provider.GetRequiredService<BatchJobRunner>());
        services.AddSingleton<IChunkRunner>(provider => provider.GetRequiredService<BatchJobRunner>());
        return services;
    }
}
