using Academy.Video.Infrastructure.Persistence;
using Npgsql;

namespace Academy.Video.Bench.Common;

/// <summary>The PostgreSQL cluster every benchmark seeds its databases into: <c>ACADEMY_BENCH_PG</c>, else the local one.</summary>
internal static class BenchCluster
{
    public static string Server { get; } = Environment.GetEnvironmentVariable("ACADEMY_BENCH_PG") is { Length: > 0 } fromEnv
        ? fromEnv
        : PersistenceServiceCollectionExtensions.DefaultConnectionString;

    public static string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder(Server) { Database = database }.ConnectionString;
}
