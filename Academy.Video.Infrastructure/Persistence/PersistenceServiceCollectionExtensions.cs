using Academy.Video.Application.Captions;
using Academy.Video.Application.Common;
using Academy.Video.Application.Jobs;
using Academy.Video.Application.Storage;
using Academy.Video.Application.Videos;
using Academy.Video.Application.Videos.Uploads;
using Academy.Video.Application.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Academy.Video.Infrastructure.Persistence;

public static class PersistenceServiceCollectionExtensions
{
    public const string ConnectionStringName = "Postgres";

    /// <summary>The server started by <c>build/postgres.sh start</c>.</summary>
    public const string DefaultConnectionString = "Host=127.0.0.1;Port=55432;Username=postgres;Database=academy_video";

    /// <summary>
    /// Registers one <see cref="NpgsqlDataSource"/> (from <c>ConnectionStrings:Postgres</c>, default
    /// <see cref="DefaultConnectionString"/>, built by <see cref="PostgresDataSource"/>), the PostgreSQL adapters of the persistence ports and
    /// <see cref="DatabaseMigrator"/>.
    /// </summary>
    public static IServiceCollection AddPostgresPersistence(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        services.TryAddSingleton(_ => PostgresDataSource.Create(
            string.IsNullOrWhiteSpace(connectionString) ? DefaultConnectionString : connectionString));

        services.AddPostgresResilience();
        services.TryAddSingleton<DatabaseMigrator>();
        services.TryAddSingleton<IVideoStore, PostgresVideoStore>();
        services.TryAddSingleton<Application.Chapters.IChapterStore, PostgresChapterStore>();
        services.TryAddSingleton<ITranscodeJobStore, PostgresTranscodeJobStore>();
        services.TryAddSingleton<IJobChunkStore, PostgresJobChunkStore>();
        services.TryAddSingleton<IRecoveryScanStore, PostgresRecoveryScanStore>();
        services.TryAddSingleton<IStorageCleanupQueue, PostgresStorageCleanupQueue>();
        services.TryAddSingleton<IVideoUploadStore, PostgresVideoUploadStore>();
        services.TryAddSingleton<IExclusiveRunLock>(sp => new PostgresExclusiveRunLock(
            sp.GetRequiredService<NpgsqlDataSource>(),
            PostgresExclusiveRunLock.LeaseFor(sp.GetService<IOptions<RecoveryOptions>>()?.Value ?? new RecoveryOptions()),
            sp.GetService<ILogger<PostgresExclusiveRunLock>>()));
        services.TryAddSingleton<IVideoEventStore, PostgresVideoEventStore>();
        services.TryAddSingleton<IWebhookDeliveryStore, PostgresWebhookDeliveryStore>();
        services.TryAddSingleton<ICaptionTrackStore, PostgresCaptionTrackStore>();
        services.TryAddSingleton<Academy.Video.Application.Transcripts.ITranscriptStore, PostgresTranscriptStore>();
        services.TryAddSingleton<ICaptionGenerationStore, PostgresCaptionGenerationStore>();
        return services;
    }
}
