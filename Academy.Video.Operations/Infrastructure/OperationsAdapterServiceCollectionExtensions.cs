using Academy.Video.Infrastructure;
using Academy.Video.Infrastructure.Aws;
using Academy.Video.Infrastructure.Persistence;
using Academy.Video.Infrastructure.Resilience;
using Academy.Video.Infrastructure.Runners;
using Academy.Video.Infrastructure.Runners.Batch;
using Academy.Video.Infrastructure.Settings;
using Academy.Video.Infrastructure.Storage;
using Academy.Video.Operations.Application;
using Academy.Video.Operations.Application.AttemptLogs;
using Academy.Video.Operations.Application.CheckSettings;
using Academy.Video.Operations.Application.SmokeSubmit;
using Academy.Video.Operations.Aws;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Academy.Video.Operations.Infrastructure;

public static class OperationsAdapterServiceCollectionExtensions
{
    /// <summary>
    /// The adapters of the operator checks: the database reads, the settings inspector, the canary clip,
    /// the template's expectations, and by <c>Runner:Kind</c> either the AWS account (Batch, IAM, STS and
    /// CloudWatch Logs clients, SigV4-signed with the Batch runner's credentials, endpoints in
    /// <c>Operations:Aws</c>) or the local runner's attempt log files.
    /// </summary>
    public static IServiceCollection AddOperationsAdapters(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSettings<OperationsOptions>(configuration, OperationsOptions.Section, validateOnStart: false);
        services.TryAddSingleton<IOperationsStore, PostgresOperationsStore>();
        services.TryAddSingleton<ICanaryClip, EmbeddedCanaryClip>();
        services.TryAddSingleton<IInfrastructureExpectations, TemplateInfrastructureExpectations>();
        services.TryAddSingleton<ISettingsInspector>(provider => new ConfigurationSettingsInspector(configuration, provider, provider.GetRequiredService<RuntimeProfile>()));

        var storage = configuration[StorageServiceCollectionExtensions.ProviderKey] is { Length: > 0 } provider ? provider : StorageServiceCollectionExtensions.LocalProvider;
        var onBatch = string.Equals(configuration[RunnerServiceCollectionExtensions.KindKey], "Batch", StringComparison.OrdinalIgnoreCase);
        if (!onBatch)
        {
            services.TryAddSingleton(_ => new RuntimeProfile(RunnerMode.Local, storage) { LocalMode = LocalMode.IsOn(configuration) });
            services.TryAddSingleton<ICloudInfrastructure, NoCloudInfrastructure>();
            services.TryAddSingleton<IJobLogReader, LocalAttemptLogReader>();
            services.TryAddSingleton<IAttemptLogSource, LocalAttemptLogSource>();
            return services;
        }

        services.TryAddSingleton(provider =>
        {
            var batch = provider.GetRequiredService<IOptions<BatchRunnerOptions>>().Value;
            return new RuntimeProfile(RunnerMode.Batch, storage, batch.JobQueue, batch.JobDefinition, batch.Region);
        });
        services.AddSettings<AwsClientOptions>(configuration, AwsClientOptions.SectionName, validateOnStart: false);
        services.TryAddKeyedSingleton<AWSCredentials>(
            RunnerServiceCollectionExtensions.BatchCredentialsKey, (_, _) => new DefaultChainCredentials());

        // The one AWS retry rule with this section's figures; each client's retries are logged on its own logger.
        services.AddNamedPipeline(ResiliencePipelines.Aws, (builder, provider) =>
        {
            var aws = provider.GetRequiredService<IOptions<AwsClientOptions>>().Value;
            builder.OnWallClock().AddAwsRetry(aws.MaxRetryAttempts, aws.RetryBaseDelay, AwsClientOptions.MaxRetryDelay, provider.GetRequiredService<ILogger<AwsClientOptions>>());
        });

        AddSignedClient<AwsIamClient>(services, "iam",
            (aws, _) => aws.IamServiceUrl ?? new Uri("https://iam.amazonaws.com"), (aws, _) => aws.IamSigningRegion);
        AddSignedClient<AwsStsClient>(services, "sts",
            (aws, region) => aws.StsServiceUrl ?? new Uri($"https://sts.{region}.amazonaws.com"), (_, region) => region);
        AddSignedClient<CloudWatchLogsClient>(services, "logs",
            (aws, region) => aws.LogsServiceUrl ?? new Uri($"https://logs.{region}.amazonaws.com"), (_, region) => region);

        services.TryAddSingleton<ICloudInfrastructure, AwsCloudInfrastructure>();
        services.TryAddSingleton<IJobLogReader, CloudWatchJobLogReader>();
        services.TryAddSingleton<IAttemptLogSource, BatchConsoleAttemptLogSource>();
        return services;
    }

    /// <summary>A typed client whose primary handler signs with SigV4, as the Batch client's (see <see cref="RunnerServiceCollectionExtensions"/>).</summary>
    private static void AddSignedClient<TClient>(
        IServiceCollection services, string signingService, Func<AwsClientOptions, string, Uri> endpoint, Func<AwsClientOptions, string, string> signingRegion)
        where TClient : class
    {
        services.AddHttpClient<TClient>((provider, client) =>
            {
                var (aws, region) = Settings(provider);
                client.BaseAddress = endpoint(aws, region);
                client.Timeout = aws.RequestTimeout;
            })
            .ConfigurePrimaryHttpMessageHandler(provider =>
            {
                var (aws, region) = Settings(provider);
                return new SigV4SigningHandler(
                    provider.GetRequiredKeyedService<AWSCredentials>(RunnerServiceCollectionExtensions.BatchCredentialsKey),
                    RegionEndpoint.GetBySystemName(signingRegion(aws, region)),
                    signingService,
                    new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
    }

    private static (AwsClientOptions Aws, string Region) Settings(IServiceProvider provider)
    {
        var aws = provider.GetRequiredService<IOptions<AwsClientOptions>>().Value;
        return (aws, aws.ResolvedRegion(provider.GetRequiredService<IOptions<BatchRunnerOptions>>().Value.Region));
    }
}
