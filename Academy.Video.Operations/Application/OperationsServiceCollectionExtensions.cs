using Academy.Video.Operations.Application.AttemptLogs;
using Academy.Video.Operations.Application.CheckSettings;
using Academy.Video.Operations.Application.Checks;
using Academy.Video.Operations.Application.DiagnoseInfra;
using Academy.Video.Operations.Application.SmokeSubmit;
using Academy.Video.Operations.Application.ValidateSystem;
using Microsoft.Extensions.DependencyInjection;

namespace Academy.Video.Operations.Application;

public static class OperationsServiceCollectionExtensions
{
    /// <summary>The operator commands' handlers and their checks. Hosts register the ports: <see cref="IOperationsStore"/>,
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
        // Sent by the API directly: the Application's mediator is generated for the core's messages only.
        services.AddScoped<CheckSettingsHandler>();
        services.AddScoped<ValidateSystemHandler>();
        services.AddScoped<DiagnoseInfraHandler>();
        services.AddScoped<RunCanaryHandler>();
        services.AddScoped<GetAttemptLogHandler>();
        return services;
    }
}
