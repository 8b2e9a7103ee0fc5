using Academy.Video.Application.Common;
using Dapper;
using Npgsql;

namespace Academy.Video.Infrastructure.Persistence;

/// <summary>
/// A session advisory lock on a connection of its own, held until the handle is disposed (or the
/// process dies and the server ends the session). Names map to keys with the server's own hash.
/// </summary>
public sealed class PostgresExclusiveRunLock(NpgsqlDataSource dataSource) : IExclusiveRunLock
{
    // The two-key form keeps run locks apart from the migrator's single-key lock.
    private const int RunLockClass = 0x41565231; // "AVR1"

    private const string TryLockSql = "SELECT pg_try_advisory_lock(@Class, hashtext(@Name))";
    private const string UnlockSql = "SELECT pg_advisory_unlock(@Class, hashtext(@Name))";

    public async Task<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var acquired = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                TryLockSql, new { Class = RunLockClass, Name = name }, cancellationToken: cancellationToken));
            if (acquired)
            {
                return new Handle(connection, name);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        await connection.DisposeAsync();
        return null;
    }

    private sealed class Handle(NpgsqlConnection connection, string name) : IAsyncDisposable
    {
        private bool _released;

        public async ValueTask DisposeAsync()
        {
            if (_released)
            {
                return;
            }

            _released = true;
            try
            {
                await connection.ExecuteScalarAsync<bool>(new CommandDefinition(UnlockSql, new { Class = RunLockClass, Name = name }));
            }
            catch
            {
                // Pooled connections are not reset on close (PostgresDataSource): a lock that may still be held must
                // not go back to the pool, so the pool closes this connection when it returns instead of keeping it.
                NpgsqlConnection.ClearPool(connection);
                throw;
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }
}
