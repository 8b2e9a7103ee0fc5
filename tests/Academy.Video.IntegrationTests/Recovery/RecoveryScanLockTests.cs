using Academy.Video.Application.Jobs;
using Academy.Video.Application.Jobs.ScanStuckJobs;
using Academy.Video.Domain.Jobs;
using Academy.Video.Infrastructure;
using Academy.Video.IntegrationTests.Persistence;
using Dapper;
using Mediator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NSubstitute;
using static Academy.Video.IntegrationTests.Persistence.PersistenceScenario;

namespace Academy.Video.IntegrationTests.Recovery;

/// <summary>The real scan on a real database, with a runner that hangs: decide and commit first, call the runner with no lock held.</summary>
public sealed class RecoveryScanLockTests : IAsyncLifetime
{
    private PostgresDatabase database = null!;
    private ServiceProvider services = null!;
    private readonly IJobRunner hanging = Substitute.For<IJobRunner>();
    private readonly TaskCompletionSource submitCalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task InitializeAsync()
    {
        database = await PostgresDatabase.CreateAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = database.ConnectionString,
            ["Storage:Provider"] = "Local",
            ["Storage:Local:RootPath"] = Path.Combine(Path.GetTempPath(), "academy-video-scan-lock", Guid.NewGuid().ToString("N")),
            ["Runner:Kind"] = "Local",
            ["Runner:Local:Command"] = "/bin/true",
        }).Build();
        hanging.SubmitAsync(Arg.Any<Guid>(), Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(_ =>
        {
            submitCalled.TrySetResult();
            return release.Task;
        });
        var collection = new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning)).AddVideoCore(configuration).AddJobSubmission(configuration);
        collection.AddSingleton(hanging);
        services = collection.BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        release.TrySetResult("never");
        await services.DisposeAsync();
        await database.DisposeAsync();
    }

    [Fact]
    public async Task While_the_runner_hangs_the_stuck_release_is_committed_and_no_job_row_is_locked()
    {
        var db = new PersistenceScenario(database.DataSource);
        var (_, stuck) = await db.RunningAsync(T0);
        var (_, unsubmitted) = await db.QueueAsync(T0);

        await using var scope = services.CreateAsyncScope();
        var scan = scope.ServiceProvider.GetRequiredService<IMediator>().Send(new ScanStuckJobsCommand()).AsTask();
        await submitCalled.Task.WaitAsync(TimeSpan.FromMinutes(1));

        await using (var other = await database.DataSource.OpenConnectionAsync())
        await using (var transaction = await other.BeginTransactionAsync())
        {
            // FOR UPDATE NOWAIT fails at once on a row another transaction holds.
            var locked = await other.QueryAsync<Guid>(
                "SELECT id FROM video_transcode_jobs WHERE id = ANY(@Ids) FOR UPDATE NOWAIT",
                new { Ids = new[] { stuck.Id, unsubmitted.Id } },
                transaction);
            Assert.Equal(2, locked.Count());
            await transaction.RollbackAsync();
        }

        Assert.Equal(JobState.RetryWait, (await db.Jobs.FindAsync(stuck.Id, default))!.State);
        Assert.False(scan.IsCompleted);
        release.SetResult("batch-after-the-wait");
        var report = await scan;

        Assert.Equal("submitted", report.Entries.Single(e => e.JobId == unsubmitted.Id).Result);
        Assert.Equal("batch-after-the-wait", (await db.Jobs.FindAsync(unsubmitted.Id, default))!.BatchJobId);
    }
}
