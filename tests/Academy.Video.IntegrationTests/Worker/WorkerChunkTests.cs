using Academy.Video.Application.Jobs;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;
using Academy.Video.Domain.Videos;
using Academy.Video.IntegrationTests.Transcoding;
using Microsoft.Extensions.DependencyInjection;

namespace Academy.Video.IntegrationTests.Worker;

/// <summary>
/// Chunked encoding with the worker binary on s3rver (docs/decisions/0023-chunked-encoding.md): a 59.5 s 854x480 source over the
/// lowered threshold, its frames off the frame-rate grid and its key frames 10 s apart, is planned by the job's worker as three chunks of about 20 s; the planner encodes chunk 0 with the whole
/// audio, poster and storyboard while two more worker processes (<c>--chunk 1</c>, <c>--chunk 2</c>) encode theirs at once,
/// and the last to finish writes the playlists and completes the job. The tree is a single run's: the same segments and
/// durations, the same video timestamps packet by packet, the same audio, and every variant decodes end to end.
/// </summary>
public sealed class WorkerChunkTests(S3WorkerTestBed bed) : IClassFixture<S3WorkerTestBed>
{
    // The video starts 21 ms after the audio, so a frame falls 12 ms before every boundary (decision 0023, "Boundary frames"),
    // and its key frames are 10 s apart, as a camera's are, so a later chunk's seek lands up to 8 s before its start
    // (decision 0026: its input was read too short by that much).
    private static string Source => SourceClips.Make("worker-chunks-off-grid-sparse-480", 854, 480, 59.5, keyframeSeconds: [10, 20, 30, 40, 50], videoDelaySeconds: 0.021029);

    private static IReadOnlyDictionary<string, string> Environment(IReadOnlyDictionary<string, string> baseline, bool chunked) =>
        new Dictionary<string, string>(baseline)
        {
            ["Transcoding__SourceCopy"] = "false",
            ["Transcoding__ChunkThreshold"] = chunked ? "00:00:30" : "00:00:00",
            ["Transcoding__ChunkLength"] = "00:00:20",
        };

    [Fact]
    public async Task Three_chunks_on_three_worker_processes_make_a_single_run_s_tree()
    {
        var clean = await RunCleanAsync();
        var (videoId, jobId) = await bed.QueueJobAsync(Source);
        var environment = Environment(bed.WorkerEnvironment(), chunked: true);
        var chunks = bed.Services.GetRequiredService<IJobChunkStore>();

        using var planner = WorkerProcess.Start([jobId.ToString()], environment);
        await bed.WaitUntilAsync(async () => (await chunks.ListAsync(jobId, default)).Count > 0, TimeSpan.FromMinutes(2), "the planner records its chunks");
        using var second = WorkerProcess.Start([jobId.ToString(), "--chunk", "1"], environment);
        using var third = WorkerProcess.Start([jobId.ToString(), "--chunk", "2"], environment);
        await Task.WhenAll(planner.WaitAsync(), second.WaitAsync(), third.WaitAsync());

        Assert.True(planner.ExitCode == 0, planner.Output);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.True(third.ExitCode == 0, third.Output);
        var planned = Assert.Single(planner.Events, e => e.TryGetProperty("event", out var name) && name.GetString() == JobEvents.ChunksPlanned);
        Assert.Equal(3, planned.GetProperty("chunks").GetInt32());
        var done = await chunks.ListAsync(jobId, default);
        Assert.Equal([(0, 0, 3), (1, 3, 6), (2, 6, 10)], done.Select(c => (c.Index, c.Range.FirstSegment, c.Range.EndSegment)));
        Assert.All(done, c => Assert.Equal((ChunkState.Done, 1, 1), (c.State, c.AttemptCount, c.JobAttempt)));
        Assert.Single(new[] { planner, second, third }, w => w.EventNames.Contains(JobEvents.JobCompleted));

        var job = await bed.Job(jobId);
        var video = await bed.Video(videoId);
        Assert.Equal((JobState.Succeeded, VideoStatus.Ready, StorageKeys.HlsPrefix(videoId, jobId, 1) + "master.m3u8"), (job.State, video.Status, video.HlsPath));
        Assert.Equal(StorageKeys.HlsPrefix(videoId, jobId, 1) + "poster.jpg", video.PosterKey);
        AssertSameTree(clean, await WorkerTrees.DownloadAsync(bed, video.HlsPath!, "chunked"));
    }

    [Fact]
    public async Task A_chunk_killed_mid_way_is_released_and_run_again_alone_and_every_other_chunk_s_segments_stay_as_they_were()
    {
        var clean = await RunCleanAsync();
        var (videoId, jobId) = await bed.QueueJobAsync(Source);
        var environment = Environment(bed.WorkerEnvironment(), chunked: true);
        var chunks = bed.Services.GetRequiredService<IJobChunkStore>();
        var prefix = StorageKeys.HlsPrefix(videoId, jobId, 1);

        using var planner = WorkerProcess.Start([jobId.ToString()], environment);
        await bed.WaitUntilAsync(async () => (await chunks.ListAsync(jobId, default)).Count > 0, TimeSpan.FromMinutes(2), "the planner records its chunks");
        using var third = WorkerProcess.Start([jobId.ToString(), "--chunk", "2"], environment);
        using (var killed = WorkerProcess.Start([jobId.ToString(), "--chunk", "1"], environment))
        {
            // Mid-way: its ffmpeg has written the first of its segments (the watcher sees nothing in storage yet: a chunk uploads at its end).
            await bed.WaitUntilAsync(
                async () => (await chunks.FindAsync(jobId, 1, default))!.State == ChunkState.Running && Written("seg_00003.ts"),
                TimeSpan.FromMinutes(2),
                "chunk 1 writes its first segment");
            killed.Kill();
        }

        await Task.WhenAll(planner.WaitAsync(), third.WaitAsync());
        Assert.True(planner.ExitCode == 0, planner.Output);
        Assert.True(third.ExitCode == 0, third.Output);
        var before = await ObjectsAsync(prefix);
        Assert.Equal(JobState.Running, (await bed.Job(jobId)).State);

        // The dispatcher releases the silent chunk alone (Jobs:StuckThreshold is 3 s here) and submits it again.
        await bed.WaitUntilAsync(
            async () =>
            {
                await bed.SendAsync(new Application.Jobs.ProcessChunk.DispatchChunksCommand());
                return (await chunks.FindAsync(jobId, 1, default))!.State == ChunkState.Submitted;
            },
            TimeSpan.FromMinutes(1),
            "the dispatcher releases chunk 1 and submits it again");
        var released = (await chunks.FindAsync(jobId, 1, default))!;
        Assert.Equal((1, JobErrorCodes.HeartbeatTimeout), (released.AttemptCount, released.ErrorCode));
        Assert.StartsWith("local-", released.RunnerJobId, StringComparison.Ordinal);

        // What the runner starts for it, as Batch would.
        using var retry = await WorkerProcess.RunAsync([jobId.ToString(), "--chunk", "1"], environment);

        Assert.True(retry.ExitCode == 0, retry.Output);
        Assert.Contains(JobEvents.JobCompleted, retry.EventNames);
        var done = await chunks.ListAsync(jobId, default);
        Assert.Equal([1, 2, 1], done.Select(c => c.AttemptCount));
        var job = await bed.Job(jobId);
        Assert.Equal((JobState.Succeeded, 1), (job.State, job.AttemptCount));
        var after = await ObjectsAsync(prefix);
        // Chunks 0 and 2 stored once and never touched again; chunk 1's second attempt named its segments apart.
        Assert.All(before.Where(o => !o.Key.EndsWith("index.m3u8", StringComparison.Ordinal) && !o.Key.EndsWith("master.m3u8", StringComparison.Ordinal)),
            o => Assert.Equal(o.Value, after[o.Key]));
        var tree = await WorkerTrees.DownloadAsync(bed, (await bed.Video(videoId)).HlsPath!, "chunk-retried");
        var named = Playlist.ReadMedia(Path.Combine(tree, "480p", "index.m3u8")).Segments.Select(s => s.Uri).ToList();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i is >= 3 and < 6 ? $"seg_{i:D5}-r2.ts" : $"seg_{i:D5}.ts"), named);
        AssertSameTree(clean, tree);
    }

    [Fact]
    public async Task A_chunked_video_plays_from_chunk_0_s_run_whose_event_playlists_go_on_into_the_later_chunks()
    {
        var (videoId, jobId) = await bed.QueueJobAsync(Source);
        var environment = Environment(bed.WorkerEnvironment(), chunked: true);
        var prefix = StorageKeys.HlsPrefix(videoId, jobId, 1);

        using var planner = WorkerProcess.Start([jobId.ToString()], environment);
        await bed.WaitUntilAsync(async () => (await bed.Video(videoId)).PlayablePath is not null, TimeSpan.FromMinutes(2), "chunk 0's run makes the video playable");
        // Chunk 0's run is held still (SIGSTOP; its ffmpeg goes on) while chunks 1 and 2 run to the end, so that its EVENT
        // playlists can only reach their segments by reading their rows (decision 0026).
        Signal(planner, "STOP");
        Playlist.Media early;
        try
        {
            var video = await bed.Video(videoId);
            Assert.Equal((VideoStatus.Processing, prefix + "master.m3u8"), (video.Status, video.PlayablePath));
            var file = await DownloadPlaylistAsync(prefix + "480p/index.m3u8");
            early = Playlist.ReadMedia(file);
            Assert.False(early.Finished);
            Assert.InRange(early.Segments.Count, 2, 3);
            Assert.Contains("#EXT-X-PLAYLIST-TYPE:EVENT", await File.ReadAllTextAsync(file), StringComparison.Ordinal);

            using var second = WorkerProcess.Start([jobId.ToString(), "--chunk", "1"], environment);
            using var third = WorkerProcess.Start([jobId.ToString(), "--chunk", "2"], environment);
            await Task.WhenAll(second.WaitAsync(), third.WaitAsync());
            Assert.True(second.ExitCode == 0, second.Output);
            Assert.True(third.ExitCode == 0, third.Output);
            Assert.DoesNotContain(JobEvents.JobCompleted, second.EventNames.Concat(third.EventNames));
        }
        finally
        {
            Signal(planner, "CONT");
        }

        await planner.WaitAsync();
        Assert.True(planner.ExitCode == 0, planner.Output);
        Assert.Contains(JobEvents.JobCompleted, planner.EventNames);
        // Before it recorded chunk 0 DONE, its last EVENT playlists named every segment: its own 3 and the other chunks' 7.
        var last = Assert.Single(planner.Events, e => e.TryGetProperty("step", out var step) && step.GetString() == "event_playlists_final");
        Assert.Equal(["360p:10", "480p:10", "audio:10"], last.GetProperty("detail").GetString()!.Split(',').Order(StringComparer.Ordinal));

        var ready = await bed.Video(videoId);
        Assert.Equal((VideoStatus.Ready, prefix + "master.m3u8"), (ready.Status, ready.HlsPath));
        // The VOD playlist the assembler wrote over it only appends: the early entries are its first, URI for URI.
        var vod = Playlist.ReadMedia(await DownloadPlaylistAsync(prefix + "480p/index.m3u8"));
        Assert.True(vod.Finished);
        Assert.Equal(10, vod.Segments.Count);
        Assert.Equal(early.Segments.Select(s => s.Uri), vod.Segments.Take(early.Segments.Count).Select(s => s.Uri));
        Assert.All(early.Segments.Zip(vod.Segments), p => Assert.InRange(p.Second.Seconds - p.First.Seconds, -0.05, 0.05));

        await using var connection = await bed.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().OpenConnectionAsync();
        var events = (await Dapper.SqlMapper.QueryAsync<string>(connection, "SELECT type FROM video_events WHERE video_id = @VideoId ORDER BY position", new { VideoId = videoId })).ToList();
        Assert.Equal(1, events.Count(e => e == "video.playable"));
        Assert.True(events.IndexOf("video.playable") < events.IndexOf("video.ready"), string.Join(", ", events));
    }

    private static void Signal(WorkerProcess worker, string signal)
    {
        using var kill = System.Diagnostics.Process.Start("kill", $"-{signal} {worker.Id}");
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>The media playlist as it is now and every segment it names, brought down to a folder of their own: each must be in storage.</summary>
    private async Task<string> DownloadPlaylistAsync(string key)
    {
        var folder = Path.Combine(bed.Root, "playlists", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, Path.GetFileName(key));
        await bed.Storage.DownloadToFileAsync(key, file, default);
        foreach (var uri in File.ReadAllLines(file).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            await bed.Storage.DownloadToFileAsync(key[..(key.LastIndexOf('/') + 1)] + uri, Path.Combine(folder, uri), default);
        }

        return file;
    }

    /// <summary>Whether a worker's work directory holds a closed segment of that name (directories come and go as runs end).</summary>
    private bool Written(string segment)
    {
        try
        {
            return Directory.EnumerateFiles(Path.Combine(bed.Root, "work"), segment, SearchOption.AllDirectories).Any();
        }
        catch (IOException)
        {
            return false;
        }
    }

    private async Task<Dictionary<string, long>> ObjectsAsync(string prefix)
    {
        var objects = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var item in bed.Storage.ListAsync(prefix, default))
        {
            objects[item.Key] = item.SizeBytes;
        }

        return objects;
    }

    private async Task<string> RunCleanAsync()
    {
        var (videoId, jobId) = await bed.QueueJobAsync(Source);
        using var worker = await WorkerProcess.RunAsync([jobId.ToString()], Environment(bed.WorkerEnvironment(), chunked: false));
        Assert.True(worker.ExitCode == 0, worker.Output);
        Assert.DoesNotContain(JobEvents.ChunksPlanned, worker.EventNames);
        return await WorkerTrees.DownloadAsync(bed, (await bed.Video(videoId)).HlsPath!, "clean");
    }

    /// <summary>The same segments (count, durations within 0.5 s, boundaries), video timestamps packet by packet, audio and storyboard; it decodes.</summary>
    private static void AssertSameTree(string clean, string chunked)
    {
        foreach (var variant in (string[])["480p", "360p", "audio"])
        {
            var expected = Playlist.ReadMedia(Path.Combine(clean, variant, "index.m3u8"));
            var actual = Playlist.ReadMedia(Path.Combine(chunked, variant, "index.m3u8"));
            Assert.True(actual.Finished);
            Assert.Equal(expected.Segments.Count, actual.Segments.Count);
            Assert.All(expected.Segments.Zip(actual.Segments), p => Assert.InRange(p.Second.Seconds - p.First.Seconds, -0.5, 0.5));
            Assert.InRange(actual.Segments.Sum(s => s.Seconds) - expected.Segments.Sum(s => s.Seconds), -0.5, 0.5);
            Assert.InRange(Ffprobe.DurationSeconds(Path.Combine(chunked, variant, "index.m3u8")) - Ffprobe.DurationSeconds(Path.Combine(clean, variant, "index.m3u8")), -0.5, 0.5);
        }

        foreach (var variant in (string[])["480p", "360p"])
        {
            Assert.Equal(MediaTools.VideoPackets(Path.Combine(clean, variant, "index.m3u8")), MediaTools.VideoPackets(Path.Combine(chunked, variant, "index.m3u8")));
        }

        foreach (var segment in Directory.EnumerateFiles(Path.Combine(clean, "audio"), "*.ts"))
        {
            Assert.Equal(File.ReadAllBytes(segment), File.ReadAllBytes(Path.Combine(chunked, "audio", Path.GetFileName(segment))));
        }

        // The downloads (decision 0022), remuxed by the assembler from every chunk's segments: the single run's MP4 packet by
        // packet, its M4A byte for byte.
        Assert.Equal(MediaTools.VideoPackets(Path.Combine(clean, "downloads", "video.mp4")), MediaTools.VideoPackets(Path.Combine(chunked, "downloads", "video.mp4")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(clean, "downloads", "audio.m4a")), File.ReadAllBytes(Path.Combine(chunked, "downloads", "audio.m4a")));
        Assert.Equal(File.ReadAllText(Path.Combine(clean, "storyboard.vtt")), File.ReadAllText(Path.Combine(chunked, "storyboard.vtt")));
        Assert.Equal(MediaTools.Frames(Path.Combine(clean, "poster.jpg")), MediaTools.Frames(Path.Combine(chunked, "poster.jpg")));
        HlsOutputAssert.DecodesEndToEnd(Path.Combine(chunked, "master.m3u8"));
    }
}

/// <summary>A published tree brought down from storage for comparison.</summary>
internal static class WorkerTrees
{
    public static async Task<string> DownloadAsync(WorkerTestBed bed, string hlsPath, string name)
    {
        var prefix = hlsPath[..(hlsPath.LastIndexOf('/') + 1)];
        var local = Path.Combine(bed.Root, "trees", name + "-" + Guid.NewGuid().ToString("N")[..6]);
        await foreach (var item in bed.Storage.ListAsync(prefix, default))
        {
            var file = Path.Combine(local, item.Key[prefix.Length..]);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            await bed.Storage.DownloadToFileAsync(item.Key, file, default);
        }

        return local;
    }
}
