using Academy.Video.Testing.StoreContract;

namespace Academy.Video.UnitTests.Fakes;

/// <summary>The store contract on the in-memory fake: what the application tests rely on is what PostgreSQL does.</summary>
public sealed class InMemoryStoreContractTests : StoreContractTests
{
    protected override Task<Stores> CreateStoresAsync()
    {
        var database = new InMemoryDatabase();
        return Task.FromResult(new Stores(database, database, database, database, database, database));
    }
}
