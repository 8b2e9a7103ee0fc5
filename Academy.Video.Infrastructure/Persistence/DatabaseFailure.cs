using System.Net.Sockets;
using Npgsql;

namespace Academy.Video.Infrastructure.Persistence;

/// <summary>
/// Tells "the database cannot be used at all" (no server, refused login, no such database) from an
/// error of one statement, and says it in one line an operator can act on.
/// </summary>
public static class DatabaseFailure
{
    // Connection exceptions, invalid authorization, invalid catalog name, cannot connect now, too many connections.
    private static readonly string[] UnavailableStates = ["08", "28", "3D000", "57P03", "53300"];

    public static bool IsUnavailable(Exception exception)
    {
        for (var error = exception; error is not null; error = error.InnerException)
        {
            switch (error)
            {
                case PostgresException postgres:
                    return UnavailableStates.Any(state => postgres.SqlState.StartsWith(state, StringComparison.Ordinal));
                case NpgsqlException or SocketException:
                    return true;
            }
        }

        return false;
    }

    /// <summary>"127.0.0.1:55432 database academy_video as postgres: Failed to connect to 127.0.0.1:55432 (Connection refused)".</summary>
    public static string Describe(Exception exception, string? connectionString)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var messages = new List<string>();
        for (var error = exception; error is not null; error = error.InnerException)
        {
            var message = error is PostgresException postgres ? $"{postgres.SqlState}: {postgres.MessageText}" : error.Message;
            if (!messages.Any(m => m.Contains(message, StringComparison.Ordinal)))
            {
                messages.Add(message);
            }
        }

        var cause = string.Join(" (", messages) + new string(')', Math.Max(0, messages.Count - 1));
        return $"{Target(connectionString)}: {cause.ReplaceLineEndings(" ")}";
    }

    /// <summary>Host, port, database and user of a connection string; never the password.</summary>
    public static string Target(string? connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return $"{builder.Host}:{builder.Port} database {builder.Database} as {builder.Username}";
        }
        catch (ArgumentException)
        {
            return "the configured database (ConnectionStrings:Postgres cannot be parsed)";
        }
    }
}
