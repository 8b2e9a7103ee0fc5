using Academy.Video.Application;
using Academy.Video.Application.Common;
using Academy.Video.Application.Playback;
using Academy.Video.Domain.Jobs;
using Academy.Video.Infrastructure.Persistence;
using Academy.Video.Infrastructure.Resilience;
using Academy.Video.Infrastructure.Runners;
using Academy.Video.Infrastructure.Settings;
using Academy.Video.Infrastructure.Storage;
using Academy.Video.Infrastructure.Transcoding;
using Academy.Video.Infrastructure.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Academy.Video.Infrastructure;

public static class DependencyInjection
{
    /// <summary>
    /// The application core and the adapters every host needs to run a job: PostgreSQL
    /// (<c>ConnectionStrings:Postgres</c>), storage (<c>Storage:Provider</c> Local|S3), FFmpeg (<c>Transcoding</c>),
    /// and the policies (<c>Jobs</c>, <c>Worker</c>, <c>Upload</c>, <c>Recovery</c>, <c>Playback</c>).
    /// Defaults are the embedded ones: a local Postgres cluster and a local folder. This is all the worker composes.
    /// </summary>
    public static IServiceCollection AddVideoCore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddApplication();
        services.AddSettings<JobPolicy>(configuration, "Jobs");
        // Worker and Playback are checked when first read: only the worker reads the one, only the API the other (each host checks its own at start).
        services.AddSettings<WorkerOptions>(configuration, WorkerOptions.Section, validateOnStart: false);
        services.AddSettings<UploadOptions>(configuration, UploadOptions.Section);
        services.AddSettings<PlaybackOptions>(configuration, PlaybackOptions.Section, validateOnStart: false);
        services.AddSettings<Application.Captions.CaptionOptions>(configuration, Application.Captions.CaptionOptions.Section);
        services.AddSingleton<Application.Captions.IPublishedTextObjects, Storage.PublishedTextObjects>();
        services.AddSingleton<Application.Captions.ICaptionTranscriber, Captions.WhisperCaptionTranscriber>();
        services.AddSettings<RecoveryOptions>(configuration, RecoveryOptions.Section);
        services.AddPostgresPersistence(configuration);
        services.AddRunnerCallBound();
        services.AddObjectStorage(configuration);
        services.AddFfmpegTranscoding(configuration);
        return services;
    }

    /// <summary>The runner that starts workers (<c>Runner:Kind</c> Local|Batch, default a local process runner). The API only.</summary>
    public static IServiceCollection AddJobSubmission(this IServiceCollection services, IConfiguration configuration) =>
        services.AddJobRunner(configuration);

    /// <summary>Webhook delivery (<c>Webhooks</c>): the target guard and the HTTP sender.</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration) =>
        services.AddWebhookDelivery(configuration);
}
