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
    public async Task The_pool_keeps_statements_prepared_across_connections_unless_the_connection_string_says_otherwise()
    {
        var pooled = new NpgsqlConnectionStringBuilder(database.ConnectionString) { MaxPoolSize = 1 }.ConnectionString;
        await using (var dataSource = PostgresDataSource.Create(pooled))
        {
            var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
            Assert.Equal((128, 2, true), (settings.MaxAutoPrepare, settings.AutoPrepareMinUsages, settings.NoResetOnClose));
            Assert.Equal(1, await PreparedAfterTwoUsesAsync(dataSource));
            Assert.Equal("off", await SettingAsync(dataSource, "jit"));
        }

        await using (var operatorsChoice = PostgresDataSource.Create(pooled + ";Max Auto Prepare=0;AutoPrepareMinUsages=7;No Reset On Close=false;Options=-c jit=on"))
        {
            var settings = new NpgsqlConnectionStringBuilder(operatorsChoice.ConnectionString);
            Assert.Equal((0, 7, false), (settings.MaxAutoPrepare, settings.AutoPrepareMinUsages, settings.NoResetOnClose));
            Assert.Equal(0, await PreparedAfterTwoUsesAsync(operatorsChoice));
            Assert.Equal("on", await SettingAsync(operatorsChoice, "jit"));
        }
    }

    [Fact]
    public async Task The_pool_holds_two_connections_per_core_unless_the_connection_string_says_otherwise()
    {
        // A one-second wait for a connection, so a pool that is full says so quickly.
        var waitOneSecond = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Timeout = 1 }.ConnectionString;
        await using (var dataSource = PostgresDataSource.Create(waitOneSecond))
        {
            Assert.Equal(2 * Environment.ProcessorCount, PostgresDataSource.DefaultMaxPoolSize);
            Assert.Equal(PostgresDataSource.DefaultMaxPoolSize, await ConnectionsOpenedAtOnceAsync(dataSource, PostgresDataSource.DefaultMaxPoolSize + 1));
        }

        foreach (var keyword in new[] { "Maximum Pool Size", "MaxPoolSize" })
        {
            await using var operatorsChoice = PostgresDataSource.Create($"{waitOneSecond};{keyword}=3");
            Assert.Equal(3, await ConnectionsOpenedAtOnceAsync(operatorsChoice, 4));
        }
    }

    /// <summary>Opens up to <paramref name="wanted"/> connections and keeps them all open: how many the pool gave.</summary>
    private static async Task<int> ConnectionsOpenedAtOnceAsync(NpgsqlDataSource dataSource, int wanted)
    {
        var open = new List<NpgsqlConnection>();
        try
        {
            while (open.Count < wanted)
            {
                open.Add(await dataSource.OpenConnectionAsync());
            }
        }
        catch (NpgsqlException ex) when (ex.InnerException is TimeoutException)
        {
            // The pool is exhausted: Npgsql waited Timeout seconds for a connection to come back.
        }
        finally
        {
            foreach (var connection in open)
            {
                await connection.DisposeAsync();
            }
        }

        return open.Count;
    }

    [Fact]
    public async Task Jit_stays_off_after_a_pooled_connection_is_reset()
    {
        var resetting = new NpgsqlConnectionStringBuilder(database.ConnectionString) { MaxPoolSize = 1, NoResetOnClose = false }.ConnectionString;
        await using var dataSource = PostgresDataSource.Create(resetting);
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await using var reset = new NpgsqlCommand("RESET ALL", connection);
            await reset.ExecuteNonQueryAsync();
        }

        Assert.Equal("off", await SettingAsync(dataSource, "jit"));
    }

    private static async Task<string> SettingAsync(NpgsqlDataSource dataSource, string name)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var show = new NpgsqlCommand($"SELECT current_setting('{name}')", connection);
        return (string)(await show.ExecuteScalarAsync())!;
    }

    /// <summary>Runs one statement twice, each time on a connection taken from the pool of one, then counts what the session has prepared.</summary>
    private static async Task<long> PreparedAfterTwoUsesAsync(NpgsqlDataSource dataSource)
    {
        for (var i = 0; i < 2; i++)
        {
            await using var connection = await dataSource.OpenConnectionAsync();
            await using var command = new NpgsqlCommand("SELECT count(*) FROM videos WHERE id = $1", connection) { Parameters = { new() { Value = Guid.NewGuid() } } };
            await command.ExecuteScalarAsync();
        }

        await using var check = await dataSource.OpenConnectionAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%FROM videos WHERE id = $1%'", check);
        return (long)(await count.ExecuteScalarAsync())!;
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
