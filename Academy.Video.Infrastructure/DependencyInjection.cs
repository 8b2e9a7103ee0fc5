using Academy.Video.Application;
using Academy.Video.Application.Common;
using Academy.Video.Application.Playback;
using Academy.Video.Domain.Jobs;
using Academy.Video.Infrastructure.Operations;
using Academy.Video.Infrastructure.Persistence;
using Academy.Video.Infrastructure.Runners;
using Academy.Video.Infrastructure.Storage;
using Academy.Video.Infrastructure.Transcoding;
using Academy.Video.Infrastructure.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Academy.Video.Infrastructure;

public static class DependencyInjection
{
    /// <summary>
    /// The application core and every adapter, from configuration: PostgreSQL (<c>ConnectionStrings:Postgres</c>),
    /// storage (<c>Storage:Provider</c> Local|S3), the runner (<c>Runner:Kind</c> Local|Batch), FFmpeg
    /// (<c>Transcoding</c>), webhooks (<c>Webhooks</c>), and the policies (<c>Jobs</c>, <c>Worker</c>, <c>Upload</c>, <c>Recovery</c>, <c>Playback</c>).
    /// Defaults are the embedded ones: a local Postgres cluster, a local folder, a local process runner.
    /// </summary>
    public static IServiceCollection AddInfrastructure(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddApplication();
        services.Configure<JobPolicy>(configuration.GetSection("Jobs"));
        services.Configure<WorkerOptions>(configuration.GetSection(WorkerOptions.Section));
        services.Configure<UploadOptions>(configuration.GetSection(UploadOptions.Section));
        services.Configure<UploadOptions>(options =>
        {
            // The setting's earlier name still works; the new one wins when both are set.
            if (configuration[$"{UploadOptions.Section}:{nameof(UploadOptions.MaxBytes)}"] is null
                && configuration.GetValue<long?>(UploadOptions.LegacyMaxBytesKey) is { } legacyMaxBytes)
            {
                options.MaxBytes = legacyMaxBytes;
            }
        });
        services.Configure<PlaybackOptions>(configuration.GetSection(PlaybackOptions.Section));
        services.Configure<RecoveryOptions>(configuration.GetSection(RecoveryOptions.Section));
        services.AddPostgresPersistence(configuration);
        services.AddObjectStorage(configuration);
        services.AddFfmpegTranscoding(configuration);
        services.AddJobRunner(configuration);
        services.AddOperationsAdapters(configuration);
        services.AddWebhookDelivery(configuration);
        return services;
    }
}
