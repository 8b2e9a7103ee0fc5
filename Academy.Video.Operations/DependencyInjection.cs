using Academy.Video.Operations.Application;
using Academy.Video.Operations.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Academy.Video.Operations;

public static class DependencyInjection
{
    /// <summary>
    /// The operator toolkit (check-settings, validate-system, diagnose-infra, smoke-submit, attempt logs) and its
    /// adapters (<c>Operations</c>, <c>Operations:Aws</c>). It reads the core's and the runner's settings, so the
    /// host composes <c>AddVideoCore</c> and <c>AddJobSubmission</c> too. The API only.
    /// </summary>
    public static IServiceCollection AddOperations(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOperationsChecks();
        services.AddOperationsAdapters(configuration);
        return services;
    }
}
