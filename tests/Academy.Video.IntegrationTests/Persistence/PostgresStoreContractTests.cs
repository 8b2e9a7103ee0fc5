using Academy.Video.Testing;
using Academy.Video.Infrastructure.Persistence;
using Academy.Video.Testing.StoreContract;

namespace Academy.Video.IntegrationTests.Persistence;

/// <summary>The store contract on the PostgreSQL adapters, each test on a fresh, migrated database.</summary>
public sealed class PostgresStoreContractTests : StoreContractTests
{
    private PostgresDatabase? database;

    protected override async Task<Stores> CreateStoresAsync()
    {
        database = await PostgresDatabase.CreateAsync();
        var source = database.DataSource;
        return new Stores(
            new PostgresVideoStore(source, NamedPipelines.Postgres),
            new PostgresTranscodeJobStore(source, NamedPipelines.Postgres),
            new PostgresRecoveryScanStore(source, NamedPipelines.Postgres),
            new PostgresStorageCleanupQueue(source, NamedPipelines.Postgres),
            new PostgresVideoUploadStore(source),
            new PostgresVideoEventStore(source, NamedPipelines.Postgres));
    }

    protected override async Task DropStoresAsync()
    {
        if (database is not null)
        {
            await database.DisposeAsync();
        }
    }
}
