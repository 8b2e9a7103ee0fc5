using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Academy.Video.Application.Jobs;
using Academy.Video.Infrastructure.Runners.Local;
using Academy.Video.IntegrationTests.Media;
using Academy.Video.IntegrationTests.Transcoding;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Academy.Video.Api.Tests;

/// <summary>Upload to READY, and every recovery path, through the running API and real worker processes.</summary>
public sealed class EndToEndTests(VideoApiFactory api) : IClassFixture<VideoApiFactory>
{
    private readonly VideoFlow flow = new(api.ClientWithKey());

    [Fact]
    public async Task A_video_goes_from_upload_to_a_playable_HLS_ladder_with_its_poster_storyboard_and_source_probe()
    {
        var videoId = await flow.CreateAndUploadAsync(TestClips.Generate(640, 360, 4), posterAtSeconds: 2.5);

        var job = await flow.CompleteUploadAsync(videoId);
        var ready = await flow.WaitForStatusAsync(videoId, "READY");

        Assert.StartsWith("local-", job.GetProperty("batchJobId").GetString(), StringComparison.Ordinal);
        Assert.Equal(100, ready.GetProperty("progressPercent").GetInt32());
        Assert.Equal("SUCCEEDED", ready.GetProperty("job").GetProperty("state").GetString());
        var attempt = Assert.Single(ready.GetProperty("attempts").EnumerateArray());
        Assert.Equal(job.GetProperty("batchJobId").GetString(), attempt.GetProperty("batchJobId").GetString());
        var playback = new Uri(ready.GetProperty("playbackUrl").GetString()!);
        var master = await api.CreateClient().GetAsync(playback.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, master.StatusCode);
        Assert.Equal("application/vnd.apple.mpegurl", master.Content.Headers.ContentType!.MediaType);
        var playlist = await master.Content.ReadAsStringAsync();
        Assert.Contains("RESOLUTION=640x360", playlist, StringComparison.Ordinal);
        Assert.Contains("RESOLUTION=426x240", playlist, StringComparison.Ordinal);
        var masterFile = Path.Combine(api.StorageRoot, ready.GetProperty("hlsPath").GetString()!);
        Assert.InRange(Ffprobe.DurationSeconds(masterFile), 3.5, 4.5);

        // Playback:Mode=Public (the default): the playback endpoint hands out the same public URL, with no expiry.
        var publicPlayback = await (await api.ClientWithKey().GetAsync($"/api/v1/videos/{videoId}/playback")).ReadJsonAsync();
        Assert.Equal((playback.AbsoluteUri, JsonValueKind.Null), (publicPlayback.GetProperty("url").GetString(), publicPlayback.GetProperty("expiresAt").ValueKind));

        var source = await api.CreateClient().GetAsync($"/media/videos/{videoId:N}/source/original.mp4");
        Assert.Equal(HttpStatusCode.NotFound, source.StatusCode);

        // the poster (taken where the client asked) and the storyboard, from the same ffmpeg run; the source as probed.
        Assert.Equal(2.5, ready.GetProperty("posterAtSeconds").GetDouble());
        var probed = ready.GetProperty("source");
        Assert.Equal((640, 360, 0, "h264", "aac", 30.0), (probed.GetProperty("width").GetInt32(), probed.GetProperty("height").GetInt32(),
            probed.GetProperty("rotationDegrees").GetInt32(), probed.GetProperty("videoCodec").GetString(), probed.GetProperty("audioCodec").GetString(), probed.GetProperty("framesPerSecond").GetDouble()));
        Assert.InRange(probed.GetProperty("durationSeconds").GetDouble(), 3.9, 4.1);
        Assert.True(probed.GetProperty("bitrateKbps").GetInt32() > 0);
        Assert.False(string.IsNullOrEmpty(ready.GetProperty("job").GetProperty("topRungCode").GetString()));
        var poster = await api.CreateClient().GetAsync(new Uri(ready.GetProperty("posterUrl").GetString()!).PathAndQuery);
        Assert.Equal((HttpStatusCode.OK, "image/jpeg"), (poster.StatusCode, poster.Content.Headers.ContentType!.MediaType));
        var posterFile = Path.Combine(api.StorageRoot, $"poster-{videoId:N}.jpg");
        await File.WriteAllBytesAsync(posterFile, await poster.Content.ReadAsByteArrayAsync());
        using (var picture = Ffprobe.Json(posterFile))
        {
            var stream = picture.RootElement.GetProperty("streams")[0];
            Assert.Equal(("mjpeg", 640, 360), (stream.GetProperty("codec_name").GetString(), stream.GetProperty("width").GetInt32(), stream.GetProperty("height").GetInt32()));
        }

        var storyboardUrl = new Uri(ready.GetProperty("storyboardUrl").GetString()!);
        var storyboard = await api.CreateClient().GetAsync(storyboardUrl.PathAndQuery);
        Assert.Equal((HttpStatusCode.OK, "text/vtt"), (storyboard.StatusCode, storyboard.Content.Headers.ContentType!.MediaType));
        var cues = (await storyboard.Content.ReadAsStringAsync()).Split('\n').Select((line, i) => (line, i)).ToList();
        var timings = cues.Where(c => c.line.Contains("-->", StringComparison.Ordinal)).Select(c => c.line.Split("-->").Select(t => TimeSpan.Parse(t.Trim(), System.Globalization.CultureInfo.InvariantCulture).TotalSeconds).ToArray()).ToList();
        Assert.Equal(0, timings[0][0]);
        Assert.All(timings.Zip(timings.Skip(1)), pair => Assert.Equal(pair.First[1], pair.Second[0]));
        Assert.Equal(probed.GetProperty("durationSeconds").GetDouble(), timings[^1][1], precision: 2);
        var sprite = cues.First(c => c.line.StartsWith("storyboard.jpg#xywh=", StringComparison.Ordinal)).line.Split('#')[0];
        var spriteResponse = await api.CreateClient().GetAsync(new Uri(storyboardUrl, sprite).PathAndQuery);
        Assert.Equal((HttpStatusCode.OK, "image/jpeg"), (spriteResponse.StatusCode, spriteResponse.Content.Headers.ContentType!.MediaType));

        var listed = await (await api.ClientWithKey().GetAsync("/api/v1/videos?status=READY")).ReadJsonAsync();
        Assert.Contains(listed.GetProperty("items").EnumerateArray(), v => v.GetProperty("videoId").GetGuid() == videoId);
    }

    [Fact]
    public async Task A_failed_submit_leaves_the_job_QUEUED_and_the_recovery_scan_submits_it()
    {
        var failing = new FailFirstSubmissions(1);
        await using var flaky = api.WithWebHostBuilder(b => b.ConfigureTestServices(services =>
            services.AddSingleton<IJobRunner>(sp => failing.Around(sp.GetRequiredService<LocalProcessJobRunner>()))));
        var flakyFlow = new VideoFlow(WithKey(flaky.CreateClient()));
        var videoId = await flakyFlow.CreateAndUploadAsync(TestClips.Generate(320, 240, 2));

        var job = await flakyFlow.CompleteUploadAsync(videoId);
        var ready = await flakyFlow.WaitForStatusAsync(videoId, "READY");

        Assert.Equal(("QUEUED", JsonValueKind.Null), (job.GetProperty("state").GetString(), job.GetProperty("batchJobId").ValueKind));
        Assert.InRange(failing.Calls, 1, 2); // the scan that submits may run in either host: both watch this database
        Assert.Equal(1, ready.GetProperty("job").GetProperty("attemptCount").GetInt32());
    }

    [Fact]
    public async Task A_worker_killed_mid_encode_is_found_by_the_stuck_scan_and_attempt_2_reaches_READY()
    {
        var videoId = await flow.CreateAndUploadAsync(TestClips.Generate(1920, 1080, 30));
        var jobId = (await flow.CompleteUploadAsync(videoId)).GetProperty("jobId").GetGuid();
        await flow.WaitForStatusAsync(videoId, "PROCESSING", also: v => v.GetProperty("progressPercent").GetInt32() > 0);

        // The container dies at once, as with a spot reclaim: SIGKILL to the worker and its ffmpeg.
        KillAll(jobId);
        var ready = await flow.WaitForStatusAsync(videoId, "READY", TimeSpan.FromMinutes(3));

        var attempts = ready.GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal(2, ready.GetProperty("job").GetProperty("attemptCount").GetInt32());
        Assert.Equal(("RETRY_WAIT", "HEARTBEAT_TIMEOUT"), (attempts[0].GetProperty("outcome").GetString(), attempts[0].GetProperty("errorCode").GetString()));
        Assert.Equal("SUCCEEDED", attempts[1].GetProperty("outcome").GetString());
        Assert.NotEqual(attempts[0].GetProperty("batchJobId").GetString(), attempts[1].GetProperty("batchJobId").GetString());
        Assert.EndsWith($"{jobId:N}-a2/master.m3u8", ready.GetProperty("hlsPath").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Five_transient_failures_make_the_job_DEAD_and_a_retry_of_the_DEAD_video_reaches_READY()
    {
        await File.WriteAllTextAsync(api.WorkBlocker, "every attempt fails to create its work directory");
        try
        {
            var videoId = await flow.CreateAndUploadAsync(TestClips.Generate(320, 240, 2));
            var firstJob = (await flow.CompleteUploadAsync(videoId)).GetProperty("jobId").GetGuid();

            var failed = await flow.WaitForStatusAsync(videoId, "FAILED", TimeSpan.FromMinutes(2));

            Assert.Equal(("DEAD", 5), (failed.GetProperty("job").GetProperty("state").GetString(), failed.GetProperty("job").GetProperty("attemptCount").GetInt32()));
            Assert.Equal(5, failed.GetProperty("attempts").GetArrayLength());
            Assert.Equal("LOCAL_DISK_ERROR", failed.GetProperty("job").GetProperty("errorCode").GetString());
            File.Delete(api.WorkBlocker);

            var retry = await api.ClientWithKey().PostAsync($"/api/v1/videos/{videoId}/retry", null);
            Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
            var secondJob = (await retry.ReadJsonAsync()).GetProperty("jobId").GetGuid();
            var ready = await flow.WaitForStatusAsync(videoId, "READY");

            Assert.NotEqual(firstJob, secondJob);
            Assert.Equal((secondJob, 1), (ready.GetProperty("job").GetProperty("jobId").GetGuid(), ready.GetProperty("job").GetProperty("attemptCount").GetInt32()));
        }
        finally
        {
            if (File.Exists(api.WorkBlocker))
            {
                File.Delete(api.WorkBlocker);
            }
        }
    }

    [Fact]
    public async Task Deleting_a_video_removes_every_object_and_the_video()
    {
        var videoId = await flow.CreateAndUploadAsync(TestClips.Generate(320, 240, 2));
        await flow.CompleteUploadAsync(videoId);
        await flow.WaitForStatusAsync(videoId, "READY");
        var videoFolder = Path.Combine(api.StorageRoot, "videos", videoId.ToString("N"));
        Assert.NotEmpty(Directory.EnumerateFiles(videoFolder, "*", SearchOption.AllDirectories));
        // The files for download are objects of the published tree like the rest (decision 0022).
        var downloads = Directory.EnumerateFiles(videoFolder, "*", SearchOption.AllDirectories).Where(f => f.Contains("/downloads/", StringComparison.Ordinal)).Select(Path.GetFileName).Order();
        Assert.Equal(["audio.m4a", "video.mp4"], downloads);
        Assert.Equal(HttpStatusCode.OK, (await api.ClientWithKey().GetAsync($"/api/v1/videos/{videoId}/downloads")).StatusCode);

        var deleted = await api.ClientWithKey().DeleteAsync($"/api/v1/videos/{videoId}");
        await WaitUntilAsync(async () => (await api.ClientWithKey().GetAsync($"/api/v1/videos/{videoId}")).StatusCode == HttpStatusCode.NotFound);

        Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
        Assert.False(Directory.Exists(videoFolder) && Directory.EnumerateFiles(videoFolder, "*", SearchOption.AllDirectories).Any());
        Assert.Equal(HttpStatusCode.NotFound, (await api.ClientWithKey().GetAsync($"/api/v1/videos/{videoId}/downloads")).StatusCode);
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var status = new NpgsqlCommand("SELECT status FROM videos WHERE id = @id", connection) { Parameters = { new("id", videoId) } };
        Assert.Equal("DELETED", await status.ExecuteScalarAsync());
    }

    private static HttpClient WithKey(HttpClient client)
    {
        client.DefaultRequestHeaders.Add("X-Api-Key", VideoApiFactory.ClientKey);
        return client;
    }

    private static void KillAll(Guid jobId)
    {
        foreach (var pattern in new[] { jobId.ToString(), jobId.ToString("N") })
        {
            Process.Start("pkill", ["-KILL", "-f", pattern])!.WaitForExit();
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(250);
        }
    }

    /// <summary>Batch refusing the first submissions (throttled, down), around the real local runner.</summary>
    private sealed class FailFirstSubmissions(int failures)
    {
        private readonly int failures = failures;
        private int calls;

        public int Calls => Volatile.Read(ref calls);

        public IJobRunner Around(IJobRunner inner) => new Runner(this, inner);

        private sealed class Runner(FailFirstSubmissions owner, IJobRunner inner) : IJobRunner
        {
            public Task<string> SubmitAsync(Guid jobId, string jobName, CancellationToken cancellationToken) =>
                Interlocked.Increment(ref owner.calls) <= owner.failures
                    ? throw new JobSubmissionException("Batch answered 503 (test)")
                    : inner.SubmitAsync(jobId, jobName, cancellationToken);

            public Task TerminateAsync(string runnerJobId, string reason, CancellationToken cancellationToken) => inner.TerminateAsync(runnerJobId, reason, cancellationToken);

            public Task<IReadOnlyList<RunnerJobStatus>> DescribeAsync(IReadOnlyCollection<string> runnerJobIds, CancellationToken cancellationToken) =>
                inner.DescribeAsync(runnerJobIds, cancellationToken);
        }
    }
}
