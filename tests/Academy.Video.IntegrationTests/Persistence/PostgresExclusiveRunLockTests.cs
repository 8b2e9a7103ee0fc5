using Academy.Video.Infrastructure.Persistence;

namespace Academy.Video.IntegrationTests.Persistence;

public sealed class PostgresExclusiveRunLockTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Only_one_holder_at_a_time_across_processes()
    {
        // Two data sources stand for two processes: each has its own pool and sessions.
        await using var otherProcess = database.CreateDataSource();
        var mine = new PostgresExclusiveRunLock(database.DataSource);
        var theirs = new PostgresExclusiveRunLock(otherProcess);
        var name = $"recovery-scan-{Guid.NewGuid():N}";

        var held = await mine.TryAcquireAsync(name, None);
        Assert.NotNull(held);
        Assert.Null(await theirs.TryAcquireAsync(name, None));
        Assert.Null(await mine.TryAcquireAsync(name, None));

        await using (var other = await theirs.TryAcquireAsync(name + "-other", None))
        {
            Assert.NotNull(other);
        }

        await held.DisposeAsync();
        var next = await theirs.TryAcquireAsync(name, None);
        Assert.NotNull(next);
        await next.DisposeAsync();
    }

    [Fact]
    public async Task Racing_holders_get_the_lock_exactly_once()
    {
        var name = $"cleanup-{Guid.NewGuid():N}";
        var runLock = new PostgresExclusiveRunLock(database.DataSource);

        var handles = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => runLock.TryAcquireAsync(name, None))));

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
}
