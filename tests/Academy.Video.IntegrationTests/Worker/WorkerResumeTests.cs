using System.Collections.Concurrent;
using System.Text.Json;
using Academy.Video.Application.Jobs;
using Academy.Video.Application.Jobs.ScanStuckJobs;
using Academy.Video.Application.Storage.ProcessStorageCleanups;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;
using Academy.Video.Domain.Videos;
using Academy.Video.IntegrationTests.Storage;
using Academy.Video.Infrastructure.Transcoding;
using Academy.Video.IntegrationTests.Transcoding;

namespace Academy.Video.IntegrationTests.Worker;

/// <summary>Where attempt 1 is killed (SIGKILL, its ffmpeg with it).</summary>
public enum KillPoint
{
    /// <summary>Once its progress record lists its first segments.</summary>
    FirstSegment,

    /// <summary>Once half its segments are stored.</summary>
    Middle,

    /// <summary>After its last segment and its final progress record, as its first finished playlist goes up.</summary>
    AfterLastSegment,
}

/// <summary>
/// Progressive publish and resume with the worker binary on s3rver: a clean run publishes a valid tree as it encodes; a worker
/// killed at several points and run again resumes from what it stored, and the published tree is equivalent to a clean
/// run's — the same segments and durations, the same video timestamps, the same audio, poster and storyboard, decoded end
/// to end without an error — and after every cleanup has run its prefix holds everything its playlists name.
/// 854x480, 12 s, 1 s segments: two video variants and the audio, about 37 segments.
/// </summary>
public sealed class WorkerResumeTests(S3WorkerTestBed bed) : IClassFixture<S3WorkerTestBed>
{
    private static readonly ConcurrentDictionary<bool, Lazy<Task<string>>> CleanTrees = new();

    private static string Source => SourceClips.Make("worker-resume-480", 854, 480, 12);

    [Fact]
    public async Task A_clean_run_publishes_a_valid_tree_and_keeps_and_logs_its_top_rung_decision_with_the_job_id()
    {
        var (videoId, jobId) = await bed.QueueJobAsync(Source);

        using var worker = await WorkerProcess.RunAsync([jobId.ToString()], Environment(bed.WorkerEnvironment(), sourceCopy: true));

        Assert.True(worker.ExitCode == 0, worker.Output);
        var decision = Assert.Single(worker.Events, e => e.TryGetProperty("event", out var name) && name.GetString() == JobEvents.TopRungDecided);
        Assert.Equal((jobId.ToString(), "copy", SourceCopyCodes.Copied), (decision.GetProperty("job_id").GetString(), decision.GetProperty("top_rung").GetString(), decision.GetProperty("top_rung_code").GetString()));
        var job = await bed.Job(jobId);
        Assert.Equal(SourceCopyCodes.Copied, job.TopRungCode);
        Assert.StartsWith("H.264 854x480", job.TopRungReason, StringComparison.Ordinal);
        var video = await bed.Video(videoId);
        Assert.Equal((854, 480, "h264", "aac"), (video.Source!.Width, video.Source.Height, video.Source.VideoCodec, video.Source.AudioCodec));
        Assert.Equal(12, video.Source.DurationSeconds, precision: 1);

        var tree = await DownloadAsync(video.HlsPath!, "clean-check");
        foreach (var variant in (string[])["480p", "360p", "audio"])
        {
            var playlist = Playlist.ReadMedia(Path.Combine(tree, variant, "index.m3u8"));
            Assert.True(playlist.Finished);
            Assert.InRange(playlist.Segments.Sum(s => s.Seconds), 11.5, 12.5);
            Assert.InRange(Ffprobe.DurationSeconds(Path.Combine(tree, variant, "index.m3u8")), 11.5, 12.5);
        }

        HlsOutputAssert.DecodesEndToEnd(Path.Combine(tree, "master.m3u8"));
        Assert.Equal((video.HlsPath![..^"master.m3u8".Length] + "poster.jpg", video.HlsPath![..^"master.m3u8".Length] + "storyboard.vtt"), (video.PosterKey, video.StoryboardKey));
    }

    [Theory]
    [InlineData(KillPoint.FirstSegment, true)]
    [InlineData(KillPoint.Middle, true)]
    [InlineData(KillPoint.Middle, false)]
    [InlineData(KillPoint.AfterLastSegment, true)]
    public async Task A_worker_killed_and_run_again_resumes_and_publishes_a_tree_equivalent_to_a_clean_run(KillPoint killPoint, bool sourceCopy)
    {
        var clean = await CleanTrees.GetOrAdd(sourceCopy, copy => new Lazy<Task<string>>(() => CleanTreeAsync(copy))).Value;
        var (videoId, jobId) = await bed.QueueJobAsync(Source);
        var first = StorageKeys.HlsPrefix(videoId, jobId, 1);
        await using var proxy = new RecordingS3Proxy(bed.S3.ServiceUrl);
        var environment = Environment(bed.WorkerEnvironmentThrough(proxy), sourceCopy);

        var killed = await KillFirstAttemptAsync(proxy, environment, jobId, $"/{bed.S3.Bucket}/{first}", killPoint);
        Assert.True(killed, $"attempt 1 finished before it reached {killPoint}");
        await bed.WaitUntilAsync(
            async () => (await bed.SendAsync(new ScanStuckJobsCommand())).Entries.Any(e => e.JobId == jobId && e.Action == RecoveryActionKind.MarkStuck),
            TimeSpan.FromMinutes(1),
            "the scan releases attempt 1");

        using var second = await WorkerProcess.RunAsync([jobId.ToString()], environment);

        Assert.True(second.ExitCode == 0, second.Output);
        var resumed = second.Events.Where(e => e.TryGetProperty("event", out var name) && name.GetString() == JobEvents.AttemptResumed).ToList();
        if (killPoint != KillPoint.FirstSegment)
        {
            var line = Assert.Single(resumed);
            Assert.Equal((jobId.ToString(), 1), (line.GetProperty("job_id").GetString(), line.GetProperty("from_attempt").GetInt32()));
            Assert.True(line.GetProperty("segments").GetInt32() >= (killPoint == KillPoint.AfterLastSegment ? 11 : 3), line.ToString());
        }

        // Every cleanup run: only the published prefix is left, and it holds everything its playlists name.
        while ((await bed.SendAsync(new ProcessStorageCleanupsCommand())).Completed > 0)
        {
        }

        var video = await bed.Video(videoId);
        var published = StorageKeys.HlsPrefix(videoId, jobId, 2);
        Assert.Equal((VideoStatus.Ready, published + "master.m3u8"), (video.Status, video.HlsPath));
        var left = await ListAsync(StorageKeys.VideoPrefix(videoId) + "hls/");
        Assert.All(left, key => Assert.StartsWith(published, key, StringComparison.Ordinal));
        var tree = await DownloadAsync(video.HlsPath!, $"resumed-{killPoint}-{sourceCopy}");
        foreach (var named in Named(tree))
        {
            Assert.Contains(published + named, left);
        }

        AssertSameTree(clean, tree);
    }

    private static IReadOnlyDictionary<string, string> Environment(IReadOnlyDictionary<string, string> baseline, bool sourceCopy) =>
        new Dictionary<string, string>(baseline)
        {
            ["Worker__SegmentDuration"] = "00:00:01",
            ["Worker__ProgressInterval"] = "00:00:00",
            ["Worker__UploadParallelism"] = "2",
            ["Transcoding__SourceCopy"] = sourceCopy ? "true" : "false",
        };

    /// <summary>Segments stored so far under each video variant's folder of the attempt (the audio rendition's not counted).</summary>
    private static List<int> VideoSegmentsPerVariant(RecordingS3Proxy proxy, string attemptPath) =>
        proxy.StoredBodies.Keys
            .Where(k => k.StartsWith(attemptPath, StringComparison.Ordinal) && k.EndsWith(".ts", StringComparison.Ordinal))
            .Select(k => k[attemptPath.Length..])
            .Where(k => k.Contains('/', StringComparison.Ordinal) && !k.StartsWith(FfmpegHlsArguments.AudioRenditionName + "/", StringComparison.Ordinal))
            .GroupBy(k => k[..k.IndexOf('/', StringComparison.Ordinal)])
            .Select(g => g.Count())
            .ToList();

    /// <summary>Runs attempt 1 through the proxy and kills it (SIGKILL, process tree) at the request the kill point names, which never reaches storage.</summary>
    private static async Task<bool> KillFirstAttemptAsync(RecordingS3Proxy proxy, IReadOnlyDictionary<string, string> environment, Guid jobId, string attemptPath, KillPoint killPoint)
    {
        WorkerProcess? worker = null;
        var progressPuts = 0;
        var killed = 0;
        proxy.Fault = request =>
        {
            if (request.Method != "PUT" || !request.Path.StartsWith(attemptPath, StringComparison.Ordinal) || Volatile.Read(ref killed) == 1)
            {
                return ProxyFault.None;
            }

            var kill = killPoint switch
            {
                KillPoint.FirstSegment => request.Path.EndsWith(StorageKeys.ProgressName, StringComparison.Ordinal) && Interlocked.Increment(ref progressPuts) == 2,
                // On the fast path the copied rung runs ahead of the encoded ones (its own process): the resume point is
                // what every video variant has in the last progress.json that reached storage (this PUT never does, and
                // uploads run two at once), so wait for six segments of each.
                KillPoint.Middle => request.Path.EndsWith(StorageKeys.ProgressName, StringComparison.Ordinal) && VideoSegmentsPerVariant(proxy, attemptPath) is { Count: > 0 } counts
                    && counts.Count == HlsLadder.Plan(854, 480, HlsLadder.DefaultRungs).Count && counts.Min() >= 6,
                // The EVENT playlists of playing early (decision 0018) go up while encoding; the finished ones after the poster.
                _ => request.Path.EndsWith("/index.m3u8", StringComparison.Ordinal)
                    && proxy.StoredBodies.Keys.Any(k => k.StartsWith(attemptPath, StringComparison.Ordinal) && k.EndsWith("/" + StorageKeys.PosterName, StringComparison.Ordinal)),
            };
            if (!kill || Interlocked.Exchange(ref killed, 1) == 1)
            {
                return ProxyFault.None;
            }

            worker!.Kill();
            return ProxyFault.ServerError;
        };

        using (worker = WorkerProcess.Start([jobId.ToString()], environment))
        {
            await worker.WaitAsync();
        }

        proxy.Fault = null;
        return Volatile.Read(ref killed) == 1;
    }

    private async Task<string> CleanTreeAsync(bool sourceCopy)
    {
        var (videoId, jobId) = await bed.QueueJobAsync(Source);
        using var worker = await WorkerProcess.RunAsync([jobId.ToString()], Environment(bed.WorkerEnvironment(), sourceCopy));
        Assert.True(worker.ExitCode == 0, worker.Output);
        return await DownloadAsync((await bed.Video(videoId)).HlsPath!, $"clean-{sourceCopy}");
    }

    /// <summary>The same tree: segments and durations, video timestamps packet by packet, audio, poster and storyboard, and it decodes.</summary>
    private static void AssertSameTree(string clean, string resumed)
    {
        foreach (var variant in (string[])["480p", "360p"])
        {
            var expected = Playlist.ReadMedia(Path.Combine(clean, variant, "index.m3u8"));
            var actual = Playlist.ReadMedia(Path.Combine(resumed, variant, "index.m3u8"));
            Assert.True(actual.Finished);
            Assert.Equal(expected.Segments.Count, actual.Segments.Count);
            Assert.All(expected.Segments.Zip(actual.Segments), p => Assert.Equal(p.First.Seconds, p.Second.Seconds, precision: 3));
            Assert.Equal(MediaTools.VideoPackets(Path.Combine(clean, variant, "index.m3u8")), MediaTools.VideoPackets(Path.Combine(resumed, variant, "index.m3u8")));
        }

        Assert.Equal(File.ReadAllText(Path.Combine(clean, "audio", "index.m3u8")), File.ReadAllText(Path.Combine(resumed, "audio", "index.m3u8")));
        foreach (var segment in Directory.EnumerateFiles(Path.Combine(clean, "audio"), "*.ts"))
        {
            Assert.Equal(File.ReadAllBytes(segment), File.ReadAllBytes(Path.Combine(resumed, "audio", Path.GetFileName(segment))));
        }

        Assert.InRange(Ffprobe.DurationSeconds(Path.Combine(resumed, "master.m3u8")) - Ffprobe.DurationSeconds(Path.Combine(clean, "master.m3u8")), -0.5, 0.5);
        Assert.Equal(MediaTools.Frames(Path.Combine(clean, "poster.jpg")), MediaTools.Frames(Path.Combine(resumed, "poster.jpg")));
        Assert.Equal(MediaTools.Frames(Path.Combine(clean, "storyboard.jpg")), MediaTools.Frames(Path.Combine(resumed, "storyboard.jpg")));
        Assert.Equal(File.ReadAllText(Path.Combine(clean, "storyboard.vtt")), File.ReadAllText(Path.Combine(resumed, "storyboard.vtt")));
        HlsOutputAssert.DecodesEndToEnd(Path.Combine(resumed, "master.m3u8"));
    }

    /// <summary>Every object the tree's master, variant playlists and storyboard index name, and the poster, relative to the tree.</summary>
    private static IEnumerable<string> Named(string tree)
    {
        yield return "poster.jpg";
        yield return "storyboard.vtt";
        yield return "storyboard.jpg";
        var master = Playlist.ReadMaster(Path.Combine(tree, "master.m3u8"));
        foreach (var uri in master.Variants.Select(v => v.Uri).Concat(master.Audio.Select(a => a.Uri)))
        {
            yield return uri;
            var folder = uri[..(uri.LastIndexOf('/') + 1)];
            foreach (var segment in HlsMediaPlaylist.Parse(File.ReadAllText(Path.Combine(tree, uri))).Entries)
            {
                yield return folder + segment.Uri;
            }
        }
    }

    private async Task<string> DownloadAsync(string hlsPath, string name)
    {
        var prefix = hlsPath[..(hlsPath.LastIndexOf('/') + 1)];
        var local = Path.Combine(bed.Root, "trees", name + "-" + Guid.NewGuid().ToString("N")[..6]);
        foreach (var key in await ListAsync(prefix))
        {
            var file = Path.Combine(local, key[prefix.Length..]);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            await bed.Storage.DownloadToFileAsync(key, file, default);
        }

        return local;
    }

    private async Task<List<string>> ListAsync(string prefix)
    {
        var keys = new List<string>();
        await foreach (var item in bed.Storage.ListAsync(prefix, default))
        {
            keys.Add(item.Key);
        }

        return keys;
    }
}
