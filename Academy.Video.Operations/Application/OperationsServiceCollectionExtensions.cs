using Academy.Video.Application.Operations.Checks;
using Academy.Video.Application.Operations.DiagnoseInfra;
using Microsoft.Extensions.DependencyInjection;

namespace Academy.Video.Application.Operations;

public static class OperationsServiceCollectionExtensions
{
    /// <summary>The checks of the operator commands. Hosts register the ports: <see cref="IOperationsStore"/>,
    /// <see cref="IJobLogReader"/>, <see cref="ICloudInfrastructure"/>, <see cref="IInfrastructureExpectations"/>,
    /// <see cref="CheckSettings.ISettingsInspector"/>, <see cref="SmokeSubmit.ICanaryClip"/> and a <see cref="RuntimeProfile"/>.</summary>
    public static IServiceCollection AddOperationsChecks(this IServiceCollection services)
    {
        services.AddOptions<OperationsOptions>();
        services.AddScoped<DatabaseRulesCheck>();
        services.AddScoped<RunnerAgreementCheck>();
        services.AddScoped<JobLogCheck>();
        services.AddScoped<StuckScanCheck>();
        services.AddScoped<StorageProbeCheck>();
        services.AddScoped<IamRolesCheck>();
        services.AddScoped<BatchInfrastructureChecks>();
        return services;
    }
}
