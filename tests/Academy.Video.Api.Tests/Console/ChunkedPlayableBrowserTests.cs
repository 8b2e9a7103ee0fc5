using Academy.Video.Application.Jobs;
using Academy.Video.Domain.Jobs;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Academy.Video.Api.Tests.Console;

/// <summary>
/// A chunked video plays before READY (docs/decisions/0026-chunked-videos-play-early.md) in a real player: 90 s over a lowered
/// threshold is encoded as three chunks by three worker processes of the local runner; the console's hls.js in Chromium starts
/// on chunk 0's EVENT playlists while the video is PROCESSING and plays on through READY, past the end of the playlist it
/// first loaded.
/// </summary>
public sealed class ChunkedPlayableBrowserTests(ChunkedPlayableBrowserTests.Fixture console) : IClassFixture<ChunkedPlayableBrowserTests.Fixture>
{
    public sealed class Fixture() : ConsoleFixture(new ChunkedSlowEncodeApi());

    /// <summary>A single-threaded slow encode, as in <see cref="PlayableBrowserTests"/>, cut into chunks of 30 s dispatched every second.</summary>
    private sealed class ChunkedSlowEncodeApi : PlayableBrowserTests.SlowEncodeApi
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Runner:Local:MaxConcurrency", "3");
            // Three slow encodes and Chromium on the test machine's cores can hold a 1 s heartbeat past the usual 4 s: this
            // test is about playing, not recovery.
            builder.UseSetting("Jobs:StuckThreshold", "00:00:30");
            builder.UseSetting("Recovery:ChunkDispatchInterval", "00:00:01");
            builder.UseSetting("Runner:Local:Environment:Transcoding__ChunkThreshold", "00:00:40");
            builder.UseSetting("Runner:Local:Environment:Transcoding__ChunkLength", "00:00:30");
        }
    }

    [Fact]
    public async Task The_player_starts_on_a_PROCESSING_chunked_video_and_plays_through_READY_past_the_end_of_its_early_playlist()
    {
        var jobId = await PlayableBrowserTests.PlaysThroughReadyAsync(console, seconds: 90);

        var chunks = await console.Api.Services.GetRequiredService<IJobChunkStore>().ListAsync(jobId, default);
        Assert.Equal(3, chunks.Count);
        Assert.All(chunks, c => Assert.Equal(ChunkState.Done, c.State));
    }
}
