using System.Text.Json;
using Academy.Video.Application.Jobs.ScanStuckJobs;
using Academy.Video.Domain.Jobs;
using Academy.Video.Infrastructure;
using Academy.Video.Infrastructure.Runners;
using Academy.Video.IntegrationTests.Persistence;
using Academy.Video.IntegrationTests.Runners;
using Amazon.Runtime;
using Dapper;
using Mediator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Academy.Video.IntegrationTests.Persistence.PersistenceScenario;

namespace Academy.Video.IntegrationTests.Recovery;

/// <summary>
/// A Spot reclaim end to end: a RUNNING attempt on a real database goes silent, the fake Batch (SigV4
/// checked) says its job FAILED with "Host EC2 (instance i-…) terminated.", and the real scan resumes it
/// at once through the real Batch runner without counting the attempt.
/// </summary>
public sealed class SpotReclaimRecoveryTests : IAsyncLifetime
{
    private const string Reclaimed = "Host EC2 (instance i-0f1e2d3c4b5a69788) terminated.";

    private readonly FakeBatchServer batch = new();
    private PostgresDatabase database = null!;
    private ServiceProvider services = null!;

    public async Task InitializeAsync()
    {
        database = await PostgresDatabase.CreateAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = database.ConnectionString,
            ["Storage:Provider"] = "Local",
            ["Storage:Local:RootPath"] = Path.Combine(Path.GetTempPath(), "academy-video-spot", Guid.NewGuid().ToString("N")),
            ["Runner:Kind"] = "Batch",
            ["Runner:Batch:Region"] = FakeBatchServer.Region,
            ["Runner:Batch:ServiceUrl"] = batch.BaseAddress.ToString(),
            ["Runner:Batch:MaxRetryAttempts"] = "0",
            ["Jobs:MaxAttempts"] = "1",
        }).Build();
        var collection = new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        collection.AddKeyedSingleton<AWSCredentials>(RunnerServiceCollectionExtensions.BatchCredentialsKey, new BasicAWSCredentials(FakeBatchServer.AccessKey, FakeBatchServer.SecretKey));
        collection.AddVideoCore(configuration).AddJobSubmission(configuration);
        services = collection.BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        await database.DisposeAsync();
        batch.Dispose();
    }

    [Fact]
    public async Task A_reclaimed_attempt_at_the_last_allowed_attempt_is_resubmitted_with_the_host_termination_recorded()
    {
        var db = new PersistenceScenario(database.DataSource);
        var (_, running) = await db.RunningAsync(T0); // attempt 1 of Jobs:MaxAttempts=1, under batch-<id>
        batch.Responder = request => request.Path switch
        {
            "/v1/describejobs" => (200, JsonSerializer.Serialize(new
            {
                jobs = new[]
                {
                    new { jobId = running.BatchJobId, jobName = running.RunnerJobName, status = "FAILED", statusReason = Reclaimed, attempts = new[] { new { statusReason = Reclaimed } } },
                },
            })),
            "/v1/submitjob" => (200, JsonSerializer.Serialize(new { jobId = "b-after-reclaim", jobName = running.RunnerJobName })),
            _ => (400, """{"__type":"ClientException","message":"unexpected"}"""),
        };

        await using var scope = services.CreateAsyncScope();
        var report = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new ScanStuckJobsCommand());

        var entry = Assert.Single(report.Entries);
        Assert.Equal($"HOST_TERMINATED: {Reclaimed}, not counted; RETRY_WAIT, submitted", entry.Result);
        Assert.Equal(["/v1/describejobs", "/v1/submitjob"], batch.Requests.Select(r => r.Path));
        Assert.All(batch.Requests, r => Assert.True(r.Signature.IsValid));
        Assert.Contains(running.BatchJobId!, batch.Requests[0].Body, StringComparison.Ordinal);

        await using var connection = await database.DataSource.OpenConnectionAsync();
        var job = await connection.QuerySingleAsync<(string State, int AttemptCount, int HostTerminationCount, string ErrorCode, string ErrorMessage, string BatchJobId)>(
            "SELECT state, attempt_count, host_termination_count, error_code, error_message, aws_batch_job_id FROM video_transcode_jobs WHERE id = @Id", new { running.Id });
        Assert.Equal(("RETRY_WAIT", 1, 1, JobErrorCodes.HostTerminated, "b-after-reclaim"), (job.State, job.AttemptCount, job.HostTerminationCount, job.ErrorCode, job.BatchJobId));
        Assert.Equal($"The attempt's host was terminated: {running.BatchJobId}: {Reclaimed}", job.ErrorMessage);
        var attempt = await connection.QuerySingleAsync<(string Outcome, string ErrorCode)>(
            "SELECT outcome, error_code FROM video_job_attempts WHERE job_id = @Id AND attempt = 1", new { running.Id });
        Assert.Equal(("RETRY_WAIT", JobErrorCodes.HostTerminated), attempt);

        // A second scan finds nothing to do: the reclaim was counted once.
        var again = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new ScanStuckJobsCommand());
        Assert.Empty(again.Entries);
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT host_termination_count FROM video_transcode_jobs WHERE id = @Id", new { running.Id }));
    }
}
