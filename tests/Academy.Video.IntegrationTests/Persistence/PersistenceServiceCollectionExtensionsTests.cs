using Academy.Video.Testing;
using Academy.Video.Application.Common;
using Academy.Video.Application.Jobs;
using Academy.Video.Application.Storage;
using Academy.Video.Application.Videos;
using Academy.Video.Infrastructure.Persistence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Academy.Video.IntegrationTests.Persistence;

public sealed class PersistenceServiceCollectionExtensionsTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Registers_the_postgres_adapters_on_the_configured_database()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = database.ConnectionString })
            .Build();
        await using var provider = new ServiceCollection().AddPostgresPersistence(configuration).BuildServiceProvider();

        Assert.IsType<PostgresVideoStore>(provider.GetRequiredService<IVideoStore>());
        Assert.IsType<PostgresTranscodeJobStore>(provider.GetRequiredService<ITranscodeJobStore>());
        Assert.IsType<PostgresRecoveryScanStore>(provider.GetRequiredService<IRecoveryScanStore>());
        Assert.IsType<PostgresStorageCleanupQueue>(provider.GetRequiredService<IStorageCleanupQueue>());
        Assert.IsType<PostgresExclusiveRunLock>(provider.GetRequiredService<IExclusiveRunLock>());
        Assert.Empty(await provider.GetRequiredService<DatabaseMigrator>().MigrateAsync());

        var video = Domain.Videos.LectureVideo.Create(Guid.NewGuid(), "t", "a.mp4", "video/mp4", PersistenceScenario.T0);
        await provider.GetRequiredService<IVideoStore>().AddAsync(video, CancellationToken.None);
        Assert.Equal(video, await new PostgresVideoStore(database.DataSource, NamedPipelines.Postgres).FindAsync(video.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Defaults_to_the_local_development_server()
    {
        await using var provider = new ServiceCollection()
            .AddPostgresPersistence(new ConfigurationBuilder().Build())
            .BuildServiceProvider();

        var dataSource = provider.GetRequiredService<NpgsqlDataSource>();
        var expected = new NpgsqlConnectionStringBuilder(PersistenceServiceCollectionExtensions.DefaultConnectionString);
        var actual = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Assert.Equal((expected.Host, expected.Port, expected.Database), (actual.Host, actual.Port, actual.Database));
        Assert.Equal((actual.Host, actual.Port, actual.Database), ("127.0.0.1", 55432, "academy_video"));
    }
}
