using System.Data.Common;
using Npgsql;

namespace Academy.Video.Infrastructure.Persistence;

/// <summary>
/// Builds the one <see cref="NpgsqlDataSource"/> of a process, with the pool settings the API's hot reads
/// need (docs/performance.md, API at scale) unless the operator's connection string sets them itself:
/// statements used twice are prepared on their connection (up to 128 of them), and a connection going back
/// to the pool is not reset with DISCARD ALL, which would also throw those prepared statements away; every
/// session starts with JIT compilation off (<see cref="SessionOptions"/>); and the pool holds at most
/// <see cref="DefaultMaxPoolSize"/> connections.
/// No code leaves session state behind on a pooled connection: the only session-level state, the migrator's
/// advisory lock, is released before the connection is returned (the duties' leases are rows, <see cref="PostgresExclusiveRunLock"/>).
/// </summary>
public static class PostgresDataSource
{
    public const int MaxAutoPrepare = 128;
    public const int AutoPrepareMinUsages = 2;

    /// <summary>
    /// Sent as the session's startup options, so they hold from the first statement and survive RESET ALL. The API's
    /// statements run in milliseconds; the planner's guesses on the transcript search's word lookups were high enough
    /// to start JIT compilation, which cost hundreds of milliseconds per statement (docs/performance.md, Transcript search).
    /// </summary>
    public const string SessionOptions = "-c jit=off";

    /// <summary>
    /// Two connections per core of this process's machine (Npgsql's own default is 100). More statements in flight
    /// than the database has cores only queue inside PostgreSQL, where 16 backends on 2 cores turned a 5 ms median
    /// into a 100–300 ms p99; waiting for a connection in the API keeps the order and the tail (docs/performance.md,
    /// "How many connections"). Counted from the API's cores because in local mode they are the database's; a
    /// deployment sets <c>Maximum Pool Size</c> from the database's cores shared among its replicas (docs/configuration.md).
    /// </summary>
    public static int DefaultMaxPoolSize => 2 * Environment.ProcessorCount;

    public static NpgsqlDataSource Create(string connectionString) => CreateBuilder(connectionString).Build();

    public static NpgsqlDataSourceBuilder CreateBuilder(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        var given = GivenKeywords(connectionString);
        var settings = builder.ConnectionStringBuilder;
        if (!given.Contains("maxautoprepare"))
        {
            settings.MaxAutoPrepare = MaxAutoPrepare;
        }

        if (!given.Contains("autoprepareminusages"))
        {
            settings.AutoPrepareMinUsages = AutoPrepareMinUsages;
        }

        if (!given.Contains("noresetonclose"))
        {
            settings.NoResetOnClose = true;
        }

        if (!given.Contains("maximumpoolsize") && !given.Contains("maxpoolsize"))
        {
            settings.MaxPoolSize = DefaultMaxPoolSize;
        }

        if (!given.Contains("options"))
        {
            settings.Options = SessionOptions;
        }

        return builder;
    }

    // NpgsqlConnectionStringBuilder.ContainsKey answers whether a keyword exists at all, not whether it was
    // given, so the operator's string is read as plain pairs; "Max Auto Prepare" and "MaxAutoPrepare" are one keyword.
    private static HashSet<string> GivenKeywords(string connectionString)
    {
        var pairs = new DbConnectionStringBuilder { ConnectionString = connectionString };
        return pairs.Keys.Cast<string>()
            .Select(k => k.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant())
            .ToHashSet(StringComparer.Ordinal);
    }
}
