using Academy.Video.Application.Jobs;
using Academy.Video.Domain.Jobs;
using Academy.Video.IntegrationTests.Media;
using Academy.Video.IntegrationTests.Transcoding;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Academy.Video.Api.Tests;

/// <summary>
/// Chunked encoding through the API in local mode (docs/decisions/0023-chunked-encoding.md): a 24 s source over the lowered
/// threshold is planned as three chunks; the API's chunk dispatch submits chunks 1 and 2 to the local runner, which starts
/// them as worker processes beside the planner's, and the video is READY with a tree that plays end to end.
/// </summary>
public sealed class ChunkedEndToEndTests(ChunkedEndToEndTests.ChunkedApiFactory api) : IClassFixture<ChunkedEndToEndTests.ChunkedApiFactory>
{
    private readonly VideoFlow flow = new(api.ClientWithKey());

    [Fact]
    public async Task A_long_source_is_encoded_as_chunks_by_parallel_worker_processes_and_becomes_ready()
    {
        var videoId = await flow.CreateAndUploadAsync(TestClips.Generate(640, 360, 24));

        var job = await flow.CompleteUploadAsync(videoId);
        var ready = await flow.WaitForStatusAsync(videoId, "READY", TimeSpan.FromMinutes(4));

        var jobId = job.GetProperty("jobId").GetGuid();
        var chunks = await api.Services.GetRequiredService<IJobChunkStore>().ListAsync(jobId, default);
        Assert.Equal([(0, 1), (1, 3), (3, 4)], chunks.Select(c => (c.Range.FirstSegment, c.Range.EndSegment)));
        Assert.All(chunks, c => Assert.Equal((ChunkState.Done, 1), (c.State, c.AttemptCount)));
        // Chunk 0 is the planner's (the job's own submission); the others were submitted by the dispatch to the local runner.
        Assert.Null(chunks[0].RunnerJobId);
        Assert.All(chunks.Skip(1), c => Assert.StartsWith("local-", c.RunnerJobId, StringComparison.Ordinal));
        Assert.Equal("SUCCEEDED", ready.GetProperty("job").GetProperty("state").GetString());
        Assert.Single(ready.GetProperty("attempts").EnumerateArray());
        var master = Path.Combine(api.StorageRoot, ready.GetProperty("hlsPath").GetString()!);
        Assert.InRange(Ffprobe.DurationSeconds(master), 23.5, 24.5);
        // Every variant decodes end to end without an error.
        Assert.Equal("", MediaTools.Run("ffmpeg", ["-v", "error", "-i", master, "-map", "0", "-f", "null", "-"], stderr: true).Trim());
    }

    public sealed class ChunkedApiFactory : VideoApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Runner:Local:MaxConcurrency", "3");
            builder.UseSetting("Recovery:ChunkDispatchInterval", "00:00:01");
            builder.UseSetting("Runner:Local:Environment:Transcoding__SourceCopy", "false");
            builder.UseSetting("Runner:Local:Environment:Transcoding__ChunkThreshold", "00:00:10");
            builder.UseSetting("Runner:Local:Environment:Transcoding__ChunkLength", "00:00:08");
        }
    }
}
