using Academy.Video.Infrastructure.Persistence;
using Npgsql;

namespace Academy.Video.IntegrationTests.Persistence;

/// <summary>
/// A fresh, migrated database of its own on the server started by <c>build/postgres.sh start</c>
/// (or the one in <c>ACADEMY_TEST_PG</c>), dropped afterwards. Use as an xunit class fixture:
/// <c>IClassFixture&lt;PostgresDatabase&gt;</c>, or per test: <c>await using var db = await PostgresDatabase.CreateAsync();</c>.
/// </summary>
public sealed class PostgresDatabase : IAsyncLifetime, IAsyncDisposable
{
    public const string ServerVariable = "ACADEMY_TEST_PG";

    private readonly string _serverConnectionString;
    private readonly bool _migrate;
    private NpgsqlDataSource? _dataSource;

    public PostgresDatabase()
        : this(migrate: true)
    {
    }

    // xunit fixtures need exactly one public constructor.
    private PostgresDatabase(bool migrate, string? server = null)
    {
        _migrate = migrate;
        _serverConnectionString = server ?? (Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } fromEnv
            ? fromEnv
            : PersistenceServiceCollectionExtensions.DefaultConnectionString);
        DatabaseName = $"academy_test_{Guid.NewGuid():N}";
        ConnectionString = new NpgsqlConnectionStringBuilder(_serverConnectionString) { Database = DatabaseName }.ConnectionString;
    }

    public string DatabaseName { get; }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("The database is not initialised yet.");

    /// <summary>A database on another server (a private cluster a test may restart); call <see cref="InitializeAsync"/>.</summary>
    public static PostgresDatabase On(string serverConnectionString) => new(migrate: true, serverConnectionString);

    /// <param name="migrate">False leaves the database empty (for testing the migrator itself).</param>
    public static async Task<PostgresDatabase> CreateAsync(bool migrate = true)
    {
        var database = new PostgresDatabase(migrate);
        await database.InitializeAsync();
        return database;
    }

    public async Task InitializeAsync()
    {
        await using (var admin = await OpenAdminConnectionAsync())
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{DatabaseName}\"", admin);
            await create.ExecuteNonQueryAsync();
        }

        _dataSource = NpgsqlDataSource.Create(ConnectionString);
        if (_migrate)
        {
            await new DatabaseMigrator(_dataSource).MigrateAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }

        await using var admin = await OpenAdminConnectionAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{DatabaseName}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    /// <summary>A data source of its own on the same database (e.g. a second "process").</summary>
    public NpgsqlDataSource CreateDataSource() => NpgsqlDataSource.Create(ConnectionString);

    private async Task<NpgsqlConnection> OpenAdminConnectionAsync()
    {
        var builder = new NpgsqlConnectionStringBuilder(_serverConnectionString) { Database = "postgres", Pooling = false };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync();
            return connection;
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            await connection.DisposeAsync();
            throw new InvalidOperationException(
                $"PostgreSQL is not reachable at '{_serverConnectionString}' ({ex.Message}). " +
                $"Start it with `build/postgres.sh start`, or point {ServerVariable} at a server.",
                ex);
        }
    }
}
