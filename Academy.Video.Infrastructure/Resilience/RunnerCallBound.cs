using Academy.Video.Application.Common;
using Academy.Video.Application.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Registry;
using Polly.Timeout;

namespace Academy.Video.Infrastructure.Resilience;

/// <summary>The runner-call bound as the named <see cref="ResiliencePipelines.RunnerCall"/> pipeline: a timeout of <c>Recovery:RunnerCallTimeout</c>.</summary>
public sealed class RunnerCallBound(ResiliencePipelineProvider<string> pipelines) : IRunnerCallBound
{
    private readonly ResiliencePipeline pipeline = pipelines.GetPipeline(ResiliencePipelines.RunnerCall);

    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            // WaitAsync holds the bound even for a runner that ignores its token: the timeout cancels the token, the wait ends.
            return await pipeline.ExecuteAsync(async token => await call(token).WaitAsync(token), cancellationToken);
        }
        catch (TimeoutRejectedException timeout)
        {
            // The application knows a runner that did not answer as a cancellation it did not ask for (IRunnerCallBound).
            throw new OperationCanceledException(timeout.Message, timeout);
        }
    }
}

public static class RunnerCallBoundServiceCollectionExtensions
{
    /// <summary>Registers <see cref="IRunnerCallBound"/> and its pipeline; the bound runs on the container's <see cref="TimeProvider"/>, the application's clock.</summary>
    public static IServiceCollection AddRunnerCallBound(this IServiceCollection services)
    {
        services.TryAddSingleton<IRunnerCallBound, RunnerCallBound>();
        return services.AddNamedPipeline(ResiliencePipelines.RunnerCall, (builder, provider) =>
            builder.AddTimeout(provider.GetRequiredService<IOptions<RecoveryOptions>>().Value.RunnerCallTimeout));
    }
}
