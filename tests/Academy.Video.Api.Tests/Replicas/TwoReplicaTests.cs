using System.Net;
using System.Net.Http.Headers;
using Academy.Video.Api.Tests.Operations;
using Academy.Video.IntegrationTests.Media;
using Academy.Video.IntegrationTests.Webhooks;
using Dapper;
using Npgsql;

namespace Academy.Video.Api.Tests.Replicas;

/// <summary>
/// Two API replicas on one database and one storage root (docs/operations.md, "Running several replicas"):
/// either answers every route, and every background duty acts once on each item although both run it.
/// </summary>
public abstract class TwoReplicaTestsBase(TwoReplicas replicas)
{
    private static readonly string[] Unfinished = ["QUEUED", "RUNNING", "RETRY_WAIT"];

    protected TwoReplicas Replicas => replicas;

    private WebhookReceiver Receiver => replicas.A.Receiver;

    [Fact]
    public async Task Either_replica_answers_every_route_of_one_video_from_creation_to_deletion()
    {
        var (a, b) = (replicas.A.ClientWithKey(), replicas.B.ClientWithKey());
        var clip = TestClips.Generate(320, 240, 2);

        var created = await a.PostJsonAsync("/api/v1/videos", new { title = "Two replicas", fileName = "lecture.mp4", contentType = "video/mp4", sizeBytes = new FileInfo(clip).Length });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.ReadJsonAsync();
        var videoId = body.GetProperty("videoId").GetGuid();
        var upload = body.GetProperty("upload");
        using (var storage = new HttpClient())
        using (var put = new HttpRequestMessage(HttpMethod.Put, upload.GetProperty("url").GetString()))
        {
            put.Content = new ByteArrayContent(await File.ReadAllBytesAsync(clip));
            put.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(upload.GetProperty("headers").GetProperty("Content-Type").GetString()!);
            var uploaded = await storage.SendAsync(put);
            Assert.True(uploaded.IsSuccessStatusCode, $"upload: {(int)uploaded.StatusCode} {put.RequestUri} {await uploaded.Content.ReadAsStringAsync()}");
        }

        var (uploadOnA, uploadOnB) = (await a.GetAsync($"/api/v1/videos/{videoId}/upload"), await b.GetAsync($"/api/v1/videos/{videoId}/upload"));
        Assert.Equal(uploadOnA.StatusCode, uploadOnB.StatusCode);
        await new VideoFlow(b).CompleteUploadAsync(videoId);
        var ready = await new VideoFlow(a).WaitForStatusAsync(videoId, "READY");
        Assert.Equal(ready.GetRawText(), (await new VideoFlow(b).GetAsync(videoId)).GetRawText());

        var jobs = await (await b.GetAsync($"/api/v1/videos/{videoId}/jobs")).ReadJsonAsync();
        Assert.Equal("SUCCEEDED", jobs.GetProperty("jobs")[0].GetProperty("state").GetString());
        var listed = await (await a.GetAsync("/api/v1/videos?limit=100")).ReadJsonAsync();
        Assert.Contains(listed.GetProperty("items").EnumerateArray(), v => v.GetProperty("videoId").GetGuid() == videoId);
        var playback = await b.GetAsync($"/api/v1/videos/{videoId}/playback");
        Assert.Equal(HttpStatusCode.OK, playback.StatusCode);
        var master = (await playback.ReadJsonAsync()).GetProperty("url").GetString()!;
        using (var player = new HttpClient())
        {
            Assert.Contains("#EXTM3U", await player.GetStringAsync(master));
        }

        using var internalB = replicas.B.InternalClient();
        Assert.Equal(HttpStatusCode.OK, (await internalB.GetAsync("/api/v1/internal/video/backlog")).StatusCode);
        var events = await (await replicas.A.InternalClient().GetAsync($"/api/v1/internal/webhooks/events?videoId={videoId}")).ReadJsonAsync();
        Assert.Contains(events.GetProperty("items").EnumerateArray(), e => e.GetProperty("type").GetString() == "video.ready");

        Assert.Equal(HttpStatusCode.Accepted, (await b.DeleteAsync($"/api/v1/videos/{videoId}")).StatusCode);
        await WaitUntilAsync(async () => (await a.GetAsync($"/api/v1/videos/{videoId}")).StatusCode == HttpStatusCode.NotFound
            || (await new VideoFlow(a).GetAsync(videoId)).GetProperty("status").GetString() == "DELETED", "the video deleted");
        Assert.Equal(1, replicas.Calls.DeletionsOf($"videos/{videoId:N}/"));
    }

    [Fact]
    public async Task Every_background_duty_acts_once_on_each_item_while_both_replicas_run_it_and_the_operator_scans_by_hand()
    {
        await using var rows = NpgsqlDataSource.Create(replicas.A.ConnectionString);
        await using var db = await rows.OpenConnectionAsync();
        var (a, b) = (replicas.A.ClientWithKey(), replicas.B.ClientWithKey());

        // Recovery: submissions lost before the runner got them, and attempts whose heartbeat stopped.
        var jobs = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            jobs.Add(await OperationsRows.QueuedAsync(rows, TimeSpan.FromMinutes(10)));
            jobs.Add(await OperationsRows.RunningAsync(rows, $"local-{Guid.NewGuid()}", TimeSpan.FromMinutes(10)));
        }

        // Upload expiry: uploads nobody finishes, created on either replica. Cleanup: videos deleted on the other one.
        var expiring = new List<Guid>();
        var deleted = new List<Guid>();
        for (var i = 0; i < 2; i++)
        {
            expiring.Add(await CreateAsync(i % 2 == 0 ? a : b));
            var doomed = await CreateAsync(i % 2 == 0 ? b : a);
            Assert.Equal(HttpStatusCode.Accepted, (await (i % 2 == 0 ? a : b).DeleteAsync($"/api/v1/videos/{doomed}")).StatusCode);
            deleted.Add(doomed);
        }

        // The operator's scan by hand, on both replicas, while their periodic scans run.
        using var scanning = new CancellationTokenSource();
        var manual = Task.WhenAll(ScanByHandAsync(replicas.A, scanning.Token), ScanByHandAsync(replicas.B, scanning.Token));

        await WaitUntilAsync(async () => await db.QuerySingleAsync<int>(
            "SELECT count(*)::int FROM video_transcode_jobs WHERE id = ANY(@Jobs) AND state = ANY(@Unfinished)", new { Jobs = jobs.ToArray(), Unfinished }) == 0,
            "every recovered job finished");
        await scanning.CancelAsync();
        var manualScans = await manual;
        Assert.True(manualScans.Sum() >= 2, "the operator's scans ran");

        await WaitUntilAsync(async () => await db.QuerySingleAsync<int>(
            "SELECT count(*)::int FROM videos WHERE (id = ANY(@Expiring) AND status = 'EXPIRED') OR (id = ANY(@Deleted) AND status = 'DELETED')",
            new { Expiring = expiring.ToArray(), Deleted = deleted.ToArray() }) == expiring.Count + deleted.Count, "the uploads expired and the deleted videos emptied");
        await WaitUntilAsync(async () => await db.QuerySingleAsync<int>(
            "SELECT count(*)::int FROM storage_cleanups WHERE video_id = ANY(@Videos)", new { Videos = expiring.Concat(deleted).ToArray() }) == 0,
            "the expired uploads' storage emptied");
        await WaitUntilAsync(async () => await db.QuerySingleAsync<int>(
            "SELECT count(*)::int FROM video_events WHERE dispatched_at IS NULL") == 0
            && await db.QuerySingleAsync<int>("SELECT count(*)::int FROM webhook_deliveries WHERE state <> 'DELIVERED'") == 0,
            "every event dispatched and delivered");

        var log = string.Join('\n', replicas.Calls.Log);
        Assert.All(jobs, job => Assert.True(replicas.Calls.SubmissionsOf(job) == 1, $"job {job} submitted {replicas.Calls.SubmissionsOf(job)} times:\n{log}"));
        var attempts = await db.QueryAsync<(Guid, int)>("SELECT id, attempt_count FROM video_transcode_jobs WHERE id = ANY(@Jobs)", new { Jobs = jobs.ToArray() });
        Assert.All(attempts, job => Assert.Equal(jobs.IndexOf(job.Item1) % 2 == 0 ? 1 : 2, job.Item2));
        Assert.All(expiring.Concat(deleted), video => Assert.True(replicas.Calls.DeletionsOf($"videos/{video:N}/") == 1, $"video {video}'s prefix emptied {replicas.Calls.DeletionsOf($"videos/{video:N}/")} times:\n{log}"));
        var expiredEvents = await db.QuerySingleAsync<int>("SELECT count(*)::int FROM video_events WHERE video_id = ANY(@Expiring) AND type = 'video.upload_expired'", new { Expiring = expiring.ToArray() });
        Assert.Equal(expiring.Count, expiredEvents);

        var events = (await db.QueryAsync<Guid>("SELECT id FROM video_events")).ToHashSet();
        var received = Receiver.Received.Where(r => r.Path == "/settings-hook").GroupBy(r => Guid.Parse(r.EventId)).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(events.Count >= jobs.Count + expiring.Count + deleted.Count, $"{events.Count} events");
        // Events of other tests in this class may be pruned already; every one received was received once.
        Assert.All(events, e => Assert.True(received.GetValueOrDefault(e) == 1, $"event {e} delivered {received.GetValueOrDefault(e)} times"));
        Assert.All(received, r => Assert.True(r.Value == 1, $"event {r.Key} delivered {r.Value} times"));
        var attemptsPerDelivery = await db.QueryAsync<int>("SELECT count(*)::int FROM webhook_delivery_attempts GROUP BY delivery_id");
        Assert.All(attemptsPerDelivery, n => Assert.Equal(1, n));
    }

    [Fact]
    public async Task Webhook_history_past_its_retention_is_pruned_while_both_replicas_prune()
    {
        await using var db = new NpgsqlConnection(replicas.A.ConnectionString);
        await db.OpenAsync();
        var videoId = await CreateAsync(replicas.A.ClientWithKey());
        Assert.Equal(HttpStatusCode.Accepted, (await replicas.B.ClientWithKey().DeleteAsync($"/api/v1/videos/{videoId}")).StatusCode);
        await WaitUntilAsync(async () => await db.QuerySingleAsync<int>(
            "SELECT count(*)::int FROM webhook_deliveries AS d JOIN video_events AS e ON e.id = d.event_id WHERE e.video_id = @VideoId AND d.state = 'DELIVERED'", new { VideoId = videoId }) > 0,
            "the deletion delivered");

        await db.ExecuteAsync("""
            UPDATE video_events SET occurred_at = now() - interval '2 hours' WHERE video_id = @VideoId;
            UPDATE webhook_deliveries SET updated_at = now() - interval '2 hours' WHERE event_id IN (SELECT id FROM video_events WHERE video_id = @VideoId);
            """, new { VideoId = videoId });

        await WaitUntilAsync(async () => await db.QuerySingleAsync<int>("SELECT count(*)::int FROM video_events WHERE video_id = @VideoId", new { VideoId = videoId }) == 0,
            "the old history pruned");
    }

    private static async Task<Guid> CreateAsync(HttpClient client)
    {
        var created = await client.PostJsonAsync("/api/v1/videos", new { title = "Left unfinished", fileName = "lecture.mp4", contentType = "video/mp4", sizeBytes = 1000 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.ReadJsonAsync()).GetProperty("videoId").GetGuid();
    }

    private static async Task<int> ScanByHandAsync(ReplicaApiFactory replica, CancellationToken cancellationToken)
    {
        using var client = replica.InternalClient();
        var scans = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var response = await client.PostAsync("/api/v1/internal/video/scan-stuck-jobs?dryRun=false", null, CancellationToken.None);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            scans++;
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(150), cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
        }

        return scans;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }

            await Task.Delay(200);
        }
    }
}

/// <summary>The replicas as deployed: each duty's run lock shared through the database.</summary>
public sealed class TwoReplicaTests(TwoReplicas replicas) : TwoReplicaTestsBase(replicas), IClassFixture<TwoReplicas>;

/// <summary>Both replicas run every duty at the same moment: the per-item claims alone keep each action single.</summary>
public sealed class TwoReplicasWithoutRunLockTests(TwoReplicasWithoutRunLock replicas) : TwoReplicaTestsBase(replicas), IClassFixture<TwoReplicasWithoutRunLock>;
