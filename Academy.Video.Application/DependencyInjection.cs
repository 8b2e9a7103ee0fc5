using Academy.Video.Application.Common;
using Academy.Video.Application.Jobs;
using Academy.Video.Application.Jobs.ProcessJob;
using Academy.Video.Application.Playback;
using Academy.Video.Application.Videos.Uploads;
using Academy.Video.Application.Webhooks;
using Academy.Video.Domain.Jobs;
using FluentValidation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Academy.Video.Application;

public static class DependencyInjection
{
    /// <summary>
    /// Handlers, the validation pipeline and the application services. Hosts register the ports'
    /// adapters, a <see cref="TimeProvider"/>, and bind <see cref="JobPolicy"/>, <see cref="WorkerOptions"/>,
    /// <see cref="UploadOptions"/>, <see cref="RecoveryOptions"/>, <see cref="PlaybackOptions"/> and <see cref="WebhookOptions"/> with the options pattern.
    /// </summary>
    public static IServiceCollection AddApplication(this IServiceCollection services)
    {
        services.AddMediator(options =>
        {
            options.ServiceLifetime = ServiceLifetime.Scoped;
            // The order of the pipeline, outermost first. Validation is the only behaviour.
            options.PipelineBehaviors = [typeof(ValidationBehavior<,>)];
        });

        foreach (var validatorType in typeof(DependencyInjection).Assembly.GetTypes()
                     .Where(t => t is { IsAbstract: false, IsGenericTypeDefinition: false }))
        {
            foreach (var contract in validatorType.GetInterfaces()
                         .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IValidator<>)))
            {
                services.AddSingleton(contract, validatorType);
            }
        }

        services.TryAddSingleton(TimeProvider.System);
        // Settings are validated like requests; a host that cannot work with them refuses to start.
        services.AddOptions<JobPolicy>().ValidateOnStart();
        AddSettingsValidation<JobPolicy>(services);
        services.AddOptions<WorkerOptions>();
        services.AddOptions<UploadOptions>().ValidateOnStart();
        AddSettingsValidation<UploadOptions>(services);
        AddSettingsValidation<WorkerOptions>(services);
        services.AddOptions<RecoveryOptions>().ValidateOnStart();
        AddSettingsValidation<RecoveryOptions>(services);
        // Validated when first read; the API host also validates it at start (the worker never reads it).
        services.AddOptions<PlaybackOptions>();
        AddSettingsValidation<PlaybackOptions>(services);
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<JobPolicy>>().Value);
        services.AddScoped<JobDispatcher>();
        services.AddScoped<ResumeFinder>();
        services.AddScoped<Videos.JobQueueing>();
        services.AddScoped<SourceUploads>();
        services.AddSingleton<PlaybackTokens>();
        // Validated when first read; the API host also validates it at start (the worker never reads it).
        services.AddOptions<WebhookOptions>();
        AddSettingsValidation<WebhookOptions>(services);
        services.AddSingleton<WebhookEndpointCatalog>();
        services.TryAddSingleton(EventBodyFormat.Web);
        services.AddScoped<PlaybackUrls>();
        services.AddOptions<Captions.CaptionOptions>().ValidateOnStart();
        AddSettingsValidation<Captions.CaptionOptions>(services);
        services.AddScoped<Captions.CaptionPublisher>();
        return services;
    }

    // The hosts bind these with AddSettings, which adds the same validator once (TryAddEnumerable).
    private static void AddSettingsValidation<TOptions>(IServiceCollection services)
        where TOptions : class =>
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, FluentOptionsValidator<TOptions>>());
}
