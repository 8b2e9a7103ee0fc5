using System.Security.Cryptography;
using Academy.Video.Application.Jobs.ScanStuckJobs;
using Academy.Video.Application.Storage;
using Academy.Video.Application.Storage.ProcessStorageCleanups;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using Academy.Video.IntegrationTests.Media;
using Academy.Video.IntegrationTests.Storage;
using Academy.Video.IntegrationTests.Transcoding;

namespace Academy.Video.IntegrationTests.Worker;

/// <summary>
/// The worker binary against an S3-protocol server (s3rver) reached through a proxy that fails or
/// slows requests: a flaky bucket, and workers killed in the middle of their upload.
/// </summary>
public sealed class WorkerStorageFaultTests(S3WorkerTestBed bed) : IClassFixture<S3WorkerTestBed>
{
    [Fact]
    public async Task Storage_failing_a_share_of_requests_during_publish_is_retried_and_the_published_bytes_are_the_worker_s()
    {
        var (videoId, jobId) = await bed.QueueJobAsync(TestClips.Generate(640, 360, 6));
        await using var proxy = new RecordingS3Proxy(bed.S3.ServiceUrl);
        var seen = new Dictionary<string, int>();
        proxy.Fault = request =>
        {
            // A third of the objects fail their first PUT with a 500, another third are throttled (503 SlowDown).
            if (request.Method != "PUT")
            {
                return ProxyFault.None;
            }

            lock (seen)
            {
                var index = seen.ContainsKey(request.Path) ? -1 : seen[request.Path] = seen.Count;
                return index < 0 ? ProxyFault.None : (index % 3) switch { 0 => ProxyFault.ServerError, 1 => ProxyFault.SlowDown, _ => ProxyFault.None };
            }
        };

        var environment = new Dictionary<string, string>(bed.WorkerEnvironmentThrough(proxy)) { ["Worker__SegmentDuration"] = "00:00:01" };
        using var worker = await WorkerProcess.RunAsync([jobId.ToString()], environment);

        Assert.True(worker.ExitCode == 0, worker.Output);
        Assert.True(proxy.FaultsInjected >= 4, $"only {proxy.FaultsInjected} faults were injected");
        var video = await bed.Video(videoId);
        Assert.Equal((VideoStatus.Ready, JobState.Succeeded, 1), (video.Status, (await bed.Job(jobId)).State, (await bed.Job(jobId)).AttemptCount));

        // Every object the worker published holds exactly the bytes it sent, and nothing else is there.
        var prefix = StorageKeys.HlsPrefix(videoId, jobId, 1);
        var stored = await ListAsync(prefix);
        var sent = proxy.StoredBodies.Where(b => b.Key.StartsWith($"/{bed.S3.Bucket}/{prefix}", StringComparison.Ordinal))
            .ToDictionary(b => b.Key[(bed.S3.Bucket.Length + 2)..], b => b.Value);
        Assert.Equal(sent.Keys.Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
        var local = Path.Combine(Path.GetTempPath(), "academy-video-fault", Guid.NewGuid().ToString("N"));
        foreach (var key in stored)
        {
            var file = Path.Combine(local, key[prefix.Length..]);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            await bed.Storage.DownloadToFileAsync(key, file, default);
            Assert.Equal(sent[key], Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(file))));
        }

        Assert.InRange(Ffprobe.DurationSeconds(Path.Combine(local, StorageKeys.MasterPlaylistName)), 5.5, 6.5);
        Directory.Delete(local, recursive: true);
    }

    [Fact]
    public async Task Workers_killed_mid_upload_leave_no_attempt_prefix_but_the_published_one_once_the_outbox_has_run()
    {
        const int kills = 3;
        var (videoId, jobId) = await bed.QueueJobAsync(TestClips.Generate(640, 360, 12));
        await using var proxy = new RecordingS3Proxy(bed.S3.ServiceUrl) { PutDelay = TimeSpan.FromMilliseconds(250) };
        var environment = new Dictionary<string, string>(bed.WorkerEnvironmentThrough(proxy))
        {
            ["Worker__SegmentDuration"] = "00:00:01",
            ["Worker__UploadParallelism"] = "2",
        };

        for (var attempt = 1; attempt <= kills; attempt++)
        {
            var attemptPrefix = $"/{bed.S3.Bucket}/{StorageKeys.HlsPrefix(videoId, jobId, attempt)}";
            using var worker = WorkerProcess.Start([jobId.ToString()], environment);
            await bed.WaitUntilAsync(
                () => Task.FromResult(proxy.StoredBodies.Keys.Count(k => k.StartsWith(attemptPrefix, StringComparison.Ordinal)) >= 3),
                TimeSpan.FromMinutes(2),
                $"attempt {attempt} has uploaded part of its ladder");

            worker.Kill();
            Assert.DoesNotContain(proxy.StoredBodies.Keys, k => k == attemptPrefix + StorageKeys.MasterPlaylistName);

            // The stuck scan finds the silent attempt and releases it (and queues its prefix, held).
            await bed.WaitUntilAsync(
                async () => (await bed.SendAsync(new ScanStuckJobsCommand())).Entries.Any(e => e.JobId == jobId && e.Action == RecoveryActionKind.MarkStuck),
                TimeSpan.FromMinutes(1),
                $"the scan releases attempt {attempt}");
            Assert.Equal(0, (await bed.SendAsync(new ProcessStorageCleanupsCommand())).Completed);
        }

        using (var last = await WorkerProcess.RunAsync([jobId.ToString()], environment))
        {
            Assert.True(last.ExitCode == 0, last.Output);
        }

        var video = await bed.Video(videoId);
        Assert.Equal(VideoStatus.Ready, video.Status);
        Assert.Equal(kills + 1, (await bed.Job(jobId)).AttemptCount);
        while ((await bed.SendAsync(new ProcessStorageCleanupsCommand())).Completed > 0)
        {
        }

        var published = StorageKeys.HlsPrefix(videoId, jobId, kills + 1);
        Assert.Equal(published + StorageKeys.MasterPlaylistName, video.HlsPath);
        var left = await ListAsync(StorageKeys.VideoPrefix(videoId) + "hls/");
        Assert.NotEmpty(left);
        Assert.All(left, key => Assert.StartsWith(published, key, StringComparison.Ordinal));
        Assert.Equal(proxy.StoredBodies.Keys.Count(k => k.StartsWith($"/{bed.S3.Bucket}/{published}", StringComparison.Ordinal)), left.Count);
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

/// <summary>The worker test bed on s3rver, with a stuck threshold of seconds so the bed's own scans release a killed worker quickly.</summary>
public sealed class S3WorkerTestBed : WorkerTestBed
{
    public Infrastructure.Storage.S3StorageOptions S3 { get; } = S3rver.Options();

    /// <summary>The worker's settings with its storage reached through <paramref name="proxy"/>.</summary>
    internal IReadOnlyDictionary<string, string> WorkerEnvironmentThrough(RecordingS3Proxy proxy) =>
        new Dictionary<string, string>(WorkerEnvironment()) { ["Storage__S3__ServiceUrl"] = proxy.BaseUrl };

    protected override IReadOnlyDictionary<string, string> StorageSettings() => new Dictionary<string, string>
    {
        ["Storage:Provider"] = "S3",
        ["Storage:S3:ServiceUrl"] = S3.ServiceUrl,
        ["Storage:S3:Bucket"] = S3.Bucket,
        ["Storage:S3:AccessKey"] = S3.AccessKey,
        ["Storage:S3:SecretKey"] = S3.SecretKey,
    };

    protected override IReadOnlyDictionary<string, string> ExtraSettings() => new Dictionary<string, string>
    {
        ["Jobs:StuckThreshold"] = "00:00:03",
        ["Jobs:RetryBackoffBase"] = "00:00:00",
    };
}
