using Microsoft.Extensions.DependencyInjection;
using Polly;
using Polly.Registry;
using Polly.Telemetry;

namespace Academy.Video.Infrastructure.Resilience;

/// <summary>
/// The names of the resilience pipelines the adapters take from <see cref="ResiliencePipelineProvider{TKey}"/>
/// (docs/decisions/0013-named-resilience-pipelines.md). Each is registered with the adapters that use it.
/// </summary>
public static class ResiliencePipelines
{
    /// <summary>Transient PostgreSQL errors, retried (<see cref="Persistence.PostgresResilience"/>).</summary>
    public const string Postgres = "postgres";

    /// <summary>The AWS retry rule (<see cref="Aws.AwsRetry"/>) with <c>Operations:Aws</c>'s figures: the IAM, STS and CloudWatch Logs clients.</summary>
    public const string Aws = "aws";

    /// <summary>The AWS retry rule with <c>Runner:Batch</c>'s figures inside the bound on one whole call (<c>Recovery:RunnerCallTimeout</c>, the runner-call bound).</summary>
    public const string AwsBatch = "aws-batch";

    /// <summary>The bound on one runner call, <c>Recovery:RunnerCallTimeout</c> (<see cref="RunnerCallBound"/>).</summary>
    public const string RunnerCall = "runner-call";

    /// <summary>
    /// Registers a named pipeline. Polly's own telemetry is silenced: its events would log every handled failure at
    /// Warning with the exception's stack trace; each pipeline logs its retries itself, one line at Warning and the
    /// trace at Debug (see <see cref="Aws.AwsRetry.LogTrace"/>).
    /// </summary>
    public static IServiceCollection AddNamedPipeline(
        this IServiceCollection services, string name, Action<ResiliencePipelineBuilder, IServiceProvider> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.Configure<TelemetryOptions>(options => options.SeverityProvider = _ => ResilienceEventSeverity.None);
        return services.AddResiliencePipeline(name, (builder, context) => configure(builder, context.ServiceProvider));
    }

    /// <summary>
    /// Waits on the system clock, not the container's <see cref="TimeProvider"/>: the pauses between tries of a network
    /// call are real time whatever clock the application reads (a test's fake clock would never end them).
    /// </summary>
    public static ResiliencePipelineBuilder OnWallClock(this ResiliencePipelineBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.TimeProvider = TimeProvider.System;
        return builder;
    }
}
