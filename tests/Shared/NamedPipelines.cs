using Academy.Video.Infrastructure.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Polly.Registry;

namespace Academy.Video.Testing;

/// <summary>The named resilience pipelines as a host registers them, for the adapters a test builds by hand.</summary>
internal static class NamedPipelines
{
    /// <summary>The <c>postgres</c> pipeline (<see cref="PostgresResilience.AddPostgresResilience"/>).</summary>
    public static ResiliencePipelineProvider<string> Postgres { get; } =
        new ServiceCollection().AddPostgresResilience().BuildServiceProvider().GetRequiredService<ResiliencePipelineProvider<string>>();
}
