using System.Net;
using Academy.Video.Application.Jobs;
using Academy.Video.Application.Jobs.ProcessChunk;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;
using Academy.Video.Api.Background;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Academy.Video.Api.Tests.Operations;

/// <summary>
/// The operator's scan from HTTP (docs/operations.md) makes the chunk dispatch's pass after the jobs', as the
/// <c>scan-stuck-jobs</c> command does: a dry run lists what it would do to each chunk and writes nothing.
/// </summary>
public sealed class OperatorScanEndpointTests(OperatorScanEndpointTests.Factory api) : IClassFixture<OperatorScanEndpointTests.Factory>
{
    /// <summary>No background work (each loop's first pass runs as the host starts): only the request acts.</summary>
    public sealed class Factory : VideoApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services =>
            {
                foreach (var loop in services.Where(s => s.ServiceType == typeof(IHostedService) && s.ImplementationType?.IsSubclassOf(typeof(PeriodicWork)) == true).ToList())
                {
                    services.Remove(loop);
                }
            });
        }
    }

    [Fact]
    public async Task A_dry_run_from_HTTP_lists_what_it_would_do_to_each_chunk_and_changes_nothing()
    {
        await using var dataSource = NpgsqlDataSource.Create(api.ConnectionString);
        var jobId = await OperationsRows.RunningAsync(dataSource, "batch-planner", TimeSpan.FromMinutes(3));
        var chunks = api.Services.GetRequiredService<IJobChunkStore>();
        var ranges = ChunkPlan.Split([6, 12, 18, 24, 30, 36, 42, 48, 54], 60, TimeSpan.FromSeconds(20), 16);
        // Planned minutes ago: chunk 0's run (the planner's) is silent since, chunks 1 and 2 wait for a submission.
        Assert.True(await chunks.TryRecordPlanAsync(new ChunkPlanRecord(jobId, 1, "plan-1", ranges, DateTimeOffset.UtcNow.AddMinutes(-3)), default));
        using var client = api.CreateClient();
        client.DefaultRequestHeaders.Add("X-Internal-Api-Key", VideoApiFactory.InternalKey);

        var response = await client.PostAsync("/api/v1/internal/video/scan-stuck-jobs?dryRun=true", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = await response.ReadJsonAsync();
        Assert.True(report.GetProperty("dryRun").GetBoolean());
        var entries = report.GetProperty("chunks").EnumerateArray().Where(e => e.GetProperty("jobId").GetGuid() == jobId)
            .Select(e => (e.GetProperty("chunk").GetInt32(), e.GetProperty("action").GetString(), e.GetProperty("result").GetString()!))
            .OrderBy(e => e.Item1)
            .ToList();
        Assert.Equal([(0, ChunkScanEntry.Release), (1, ChunkScanEntry.Submit), (2, ChunkScanEntry.Submit)], entries.Select(e => (e.Item1, e.Item2)));
        Assert.All(entries, e => Assert.StartsWith("would ", e.Item3, StringComparison.Ordinal));
        var after = await chunks.ListAsync(jobId, default);
        Assert.Equal([(ChunkState.Running, 1), (ChunkState.Pending, 0), (ChunkState.Pending, 0)], after.Select(c => (c.State, c.AttemptCount)));
        Assert.All(after, c => Assert.Null(c.RunnerJobId));
    }
}
