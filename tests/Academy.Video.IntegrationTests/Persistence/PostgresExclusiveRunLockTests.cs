using Academy.Video.Application.Common;
using Academy.Video.Infrastructure.Persistence;
using Dapper;
using Npgsql;

namespace Academy.Video.IntegrationTests.Persistence;

/// <summary>The duties' lease rows (docs/operations.md, running several replicas) on a real server.</summary>
public sealed class PostgresExclusiveRunLockTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Only_one_holder_at_a_time_across_processes_and_a_holder_gets_its_own_lease_again()
    {
        // Two data sources stand for two processes: each has its own pool and its own holder id.
        await using var otherProcess = database.CreateDataSource();
        var mine = new PostgresExclusiveRunLock(database.DataSource, Long);
        var theirs = new PostgresExclusiveRunLock(otherProcess, Long);
        Assert.NotEqual(mine.Holder, theirs.Holder);
        var name = $"recovery-scan-{Guid.NewGuid():N}";

        var held = await mine.TryAcquireAsync(name, None);
        Assert.NotNull(held);
        Assert.Null(await theirs.TryAcquireAsync(name, None));
        var again = await mine.TryAcquireAsync(name, None);
        Assert.NotNull(again);
        Assert.Equal(mine.Holder, await HolderAsync(name));

        await using (var other = await theirs.TryAcquireAsync(name + "-other", None))
        {
            Assert.NotNull(other);
        }

        await held.DisposeAsync();
        var next = await theirs.TryAcquireAsync(name, None);
        Assert.NotNull(next);
        Assert.Equal(theirs.Holder, await HolderAsync(name));
        Assert.Null(await mine.TryAcquireAsync(name, None));

        // The first holder's second handle gives back nothing it no longer holds.
        await again.DisposeAsync();
        Assert.Null(await mine.TryAcquireAsync(name, None));
        await next.DisposeAsync();
        await using var last = await mine.TryAcquireAsync(name, None);
        Assert.NotNull(last);
    }

    [Fact]
    public async Task An_expired_lease_goes_to_the_next_holder_and_the_late_release_leaves_it_alone()
    {
        var name = $"cleanup-{Guid.NewGuid():N}";
        var crashed = new PostgresExclusiveRunLock(database.DataSource, TimeSpan.FromSeconds(1));
        var survivor = new PostgresExclusiveRunLock(database.DataSource, Long);
        var third = new PostgresExclusiveRunLock(database.DataSource, Long);

        var stale = await crashed.TryAcquireAsync(name, None);
        Assert.NotNull(stale);
        Assert.Null(await survivor.TryAcquireAsync(name, None));

        IAsyncDisposable? taken = null;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (taken is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            taken = await survivor.TryAcquireAsync(name, None);
        }

        Assert.NotNull(taken);
        await stale.DisposeAsync();
        Assert.Equal(survivor.Holder, await HolderAsync(name));
        Assert.Null(await third.TryAcquireAsync(name, None));
        await taken.DisposeAsync();
    }

    [Fact]
    public async Task Racing_holders_get_the_lease_exactly_once()
    {
        var name = $"cleanup-{Guid.NewGuid():N}";
        var holders = Enumerable.Range(0, 10).Select(_ => new PostgresExclusiveRunLock(database.DataSource, Long)).ToArray();

        var handles = await Task.WhenAll(holders.Select(h => Task.Run(() => h.TryAcquireAsync(name, None))));

        try
        {
            Assert.Single(handles, h => h is not null);
        }
        finally
        {
            foreach (var handle in handles.Where(h => h is not null))
            {
                await handle!.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task No_connection_or_lock_is_held_between_acquire_and_release()
    {
        // A pool of one connection: while the lease is held, the duty's own statements still get that connection.
        var single = new NpgsqlConnectionStringBuilder(database.ConnectionString)
        {
            MaxPoolSize = 1,
            Timeout = 2,
            ApplicationName = $"lease-{Guid.NewGuid():N}",
        };
        await using var onePool = NpgsqlDataSource.Create(single.ConnectionString);
        var runLock = new PostgresExclusiveRunLock(onePool, Long);
        var name = $"recovery-scan-{Guid.NewGuid():N}";

        await using var held = await runLock.TryAcquireAsync(name, None);
        Assert.NotNull(held);

        await using (var duty = await onePool.OpenConnectionAsync(None))
        {
            Assert.Equal(1, await duty.ExecuteScalarAsync<int>("SELECT 1"));
        }

        await using var observer = await database.DataSource.OpenConnectionAsync(None);
        var backends = (await observer.QueryAsync<int>(
            "SELECT pid FROM pg_stat_activity WHERE application_name = @App", new { App = single.ApplicationName })).ToList();
        Assert.Single(backends);
        Assert.Equal(0, await observer.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM pg_locks WHERE pid = @Pid AND (locktype = 'advisory' OR locktype = 'transactionid')", new { Pid = backends[0] }));
        Assert.Equal("idle", await observer.ExecuteScalarAsync<string>(
            "SELECT state FROM pg_stat_activity WHERE pid = @Pid", new { Pid = backends[0] }));
    }

    [Fact]
    public async Task An_unreachable_database_fails_the_acquire_so_the_tick_is_skipped()
    {
        var away = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Host = "127.0.0.1", Port = 1, Timeout = 2 };
        await using var nowhere = NpgsqlDataSource.Create(away.ConnectionString);
        IExclusiveRunLock runLock = new PostgresExclusiveRunLock(nowhere, Long);

        await Assert.ThrowsAnyAsync<NpgsqlException>(() => runLock.TryAcquireAsync("recovery-scan", None));
    }

    [Fact]
    public void The_lease_outlasts_a_tick_twice_the_longer_of_the_interval_and_the_runner_call_bound()
    {
        Assert.Equal(TimeSpan.FromMinutes(2), PostgresExclusiveRunLock.LeaseFor(new RecoveryOptions()));
        Assert.Equal(TimeSpan.FromMinutes(10), PostgresExclusiveRunLock.LeaseFor(new RecoveryOptions { RunnerCallTimeout = TimeSpan.FromMinutes(5) }));
        Assert.Equal(TimeSpan.FromMinutes(6), PostgresExclusiveRunLock.LeaseFor(new RecoveryOptions { Interval = TimeSpan.FromMinutes(3) }));
    }

    private async Task<string?> HolderAsync(string name)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(None);
        return await connection.ExecuteScalarAsync<string?>(
            "SELECT holder FROM duty_leases WHERE name = @Name AND expires_at > now()", new { Name = name });
    }
}
