using Academy.Video.Application.Common;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Academy.Video.Infrastructure.Persistence;

/// <summary>
/// A lease row in <c>duty_leases</c> per name: taken with one conditional upsert when it has expired or is already
/// this holder's, given back with one conditional update. The connection goes back to the pool after each
/// statement, so nothing is held while the duty runs (docs/operations.md, running several replicas). A holder
/// that dies keeps the duty from the others until its lease expires.
/// </summary>
public sealed partial class PostgresExclusiveRunLock : IExclusiveRunLock
{
    private const string AcquireSql = """
        INSERT INTO duty_leases (name, holder, expires_at) VALUES (@Name, @Holder, now() + @Lease)
        ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
        WHERE duty_leases.expires_at <= now() OR duty_leases.holder = EXCLUDED.holder
        RETURNING expires_at
        """;

    private const string ReleaseSql = """
        UPDATE duty_leases SET expires_at = now()
        WHERE name = @Name AND holder = @Holder AND expires_at > now()
        """;

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger _logger;

    /// <param name="lease">How long a taken lease lasts unless given back: longer than a tick is expected to take.</param>
    public PostgresExclusiveRunLock(NpgsqlDataSource dataSource, TimeSpan lease, ILogger<PostgresExclusiveRunLock>? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        _dataSource = dataSource;
        Lease = lease;
        _logger = logger ?? NullLogger<PostgresExclusiveRunLock>.Instance;
    }

    /// <summary>This instance's holder id: one per process (the adapter is a singleton), never shared by two.</summary>
    public string Holder { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    public TimeSpan Lease { get; }

    /// <summary>
    /// Twice the longer of the recovery interval and the runner-call bound (two minutes by default): a tick of
    /// the scan makes runner calls, each bounded by <see cref="RecoveryOptions.RunnerCallTimeout"/>.
    /// </summary>
    public static TimeSpan LeaseFor(RecoveryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var longer = options.Interval > options.RunnerCallTimeout ? options.Interval : options.RunnerCallTimeout;
        return longer * 2;
    }

    public async Task<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var expiresAt = await connection.QuerySingleOrDefaultAsync<DateTime?>(new CommandDefinition(
            AcquireSql, new { Name = name, Holder, Lease }, cancellationToken: cancellationToken));
        return expiresAt is null ? null : new Handle(this, name);
    }

    private async Task ReleaseAsync(string name)
    {
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync();
            await connection.ExecuteAsync(ReleaseSql, new { Name = name, Holder });
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            // Best effort: a lease not given back expires on its own.
            LogNotReleased(_logger, ex, name, Lease, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lease {name} not given back; it expires within {lease}: {reason}")]
    private static partial void LogNotReleased(ILogger logger, Exception exception, string name, TimeSpan lease, string reason);

    private sealed class Handle(PostgresExclusiveRunLock owner, string name) : IAsyncDisposable
    {
        private int _released;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                await owner.ReleaseAsync(name);
            }
        }
    }
}
