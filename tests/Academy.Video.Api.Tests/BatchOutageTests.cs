using Academy.Video.Testing;
using System.Net;
using System.Text.Json;
using Academy.Video.Domain.Jobs;
using Academy.Video.Infrastructure.Persistence;
using Academy.Video.Infrastructure.Runners;
using Academy.Video.IntegrationTests.Media;
using Academy.Video.IntegrationTests.Runners;
using Amazon.Runtime;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Academy.Video.Api.Tests;

/// <summary>
/// The API with the real AWS Batch runner against a local Batch endpoint (signatures checked) behind
/// a TCP front that can hang, answer 500 or reset connections. No container ever runs: the tests
/// play the workers' part on the database where they need one.
/// </summary>
public sealed class BatchOutageTests
{
    [Fact]
    public Task The_API_serves_through_a_Batch_outage_releases_stuck_jobs_during_it_and_submits_the_queued_ones_after() =>
        WithApiAsync(new BatchApiFactory(), OutageAsync);

    [Fact]
    public Task A_job_whose_container_never_starts_is_DEAD_NEVER_STARTED_after_the_bound_with_Batch_s_reason() =>
        WithApiAsync(new BatchApiFactory(runnableReason: NeverStartedReason), NeverStartedAsync);

    private const string NeverStartedReason = "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT - The job resource requirement (vCPU/memory/GPU) is higher than that can be met by the CE(s) attached to the job queue.";

    /// <summary>The factory's own DisposeAsync stops the fakes and drops the database; IAsyncDisposable's would not.</summary>
    private static async Task WithApiAsync(BatchApiFactory api, Func<BatchApiFactory, Task> test)
    {
        await api.InitializeAsync();
        try
        {
            await test(api);
        }
        finally
        {
            await api.DisposeAsync();
        }
    }

    private static async Task OutageAsync(BatchApiFactory api)
    {
        var client = api.ClientWithKey();
        var flow = new VideoFlow(client);
        var clip = TestClips.Generate(320, 240, 1);

        // Submitted before the outage and never started: the scan asks Batch about it during the outage.
        var waitingVideo = await flow.CreateAndUploadAsync(clip, "waiting at Batch");
        Assert.NotEqual(JsonValueKind.Null, (await flow.CompleteUploadAsync(waitingVideo)).GetProperty("batchJobId").ValueKind);
        // Started by a worker that dies as the outage begins.
        var stuckVideo = await flow.CreateAndUploadAsync(clip, "worker dies");
        var stuckJob = (await flow.CompleteUploadAsync(stuckVideo)).GetProperty("jobId").GetGuid();
        await using var dataSource = NpgsqlDataSource.Create(api.ConnectionString);
        var jobs = new PostgresTranscodeJobStore(dataSource, NamedPipelines.Postgres);
        Assert.NotNull(await jobs.TryTransitionAsync((await jobs.FindAsync(stuckJob, default))!.Start(DateTimeOffset.UtcNow), default));

        var served = 0;
        Guid queuedDuringOutage = default;
        foreach (var outage in new[] { "hang", "500", "reset" })
        {
            api.Outage(outage);
            var minimum = DateTime.UtcNow + TimeSpan.FromSeconds(6);
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
            // While Batch hangs, the stuck attempt must be released: keep the outage until it is.
            while (DateTime.UtcNow < minimum || (outage == "hang" && !Released(await flow.GetAsync(stuckVideo))))
            {
                Assert.True(DateTime.UtcNow < deadline, $"the stuck attempt was not released during the {outage} outage");
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
                Assert.Equal("worker dies", (await flow.GetAsync(stuckVideo)).GetProperty("title").GetString());
                served += 2;
                await Task.Delay(200);
            }

            if (outage == "hang")
            {
                // The upload completes (its submission is bounded) and the job waits as the submission intent.
                var video = await flow.CreateAndUploadAsync(clip, "queued during the outage");
                var queued = await flow.CompleteUploadAsync(video);
                Assert.Equal(("QUEUED", JsonValueKind.Null), (queued.GetProperty("state").GetString(), queued.GetProperty("batchJobId").ValueKind));
                queuedDuringOutage = video;
                Assert.Equal(JsonValueKind.Null, (await flow.GetAsync(stuckVideo)).GetProperty("job").GetProperty("batchJobId").ValueKind);
            }
        }

        Assert.False(api.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
        Assert.True(api.Front.Connections > 3, "the runner never reached the flaky front");

        api.Outage(null);
        var submitted = await flow.WaitForStatusAsync(queuedDuringOutage, "UPLOADED", TimeSpan.FromMinutes(1),
            v => v.GetProperty("job").GetProperty("batchJobId").ValueKind == JsonValueKind.String);
        var resubmitted = await flow.WaitForStatusAsync(stuckVideo, "PROCESSING", TimeSpan.FromMinutes(1),
            v => v.GetProperty("job").GetProperty("batchJobId").ValueKind == JsonValueKind.String);

        Assert.StartsWith("b-", submitted.GetProperty("job").GetProperty("batchJobId").GetString(), StringComparison.Ordinal);
        Assert.Equal(("RETRY_WAIT", 1), (resubmitted.GetProperty("job").GetProperty("state").GetString(), resubmitted.GetProperty("job").GetProperty("attemptCount").GetInt32()));
        var waiting = (await flow.GetAsync(waitingVideo)).GetProperty("job");
        Assert.Equal("QUEUED", waiting.GetProperty("state").GetString());
        Assert.True(served > 40, $"only {served} requests were served during the outage");
        Assert.False(api.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
    }

    private static async Task NeverStartedAsync(BatchApiFactory api)
    {
        const string reason = NeverStartedReason;
        var flow = new VideoFlow(api.ClientWithKey());
        var videoId = await flow.CreateAndUploadAsync(TestClips.Generate(320, 240, 1));
        await flow.CompleteUploadAsync(videoId);

        var failed = await flow.WaitForStatusAsync(videoId, "FAILED", TimeSpan.FromMinutes(2));

        var job = failed.GetProperty("job");
        Assert.Equal(("DEAD", JobErrorCodes.NeverStarted, 0), (job.GetProperty("state").GetString(), job.GetProperty("errorCode").GetString(), job.GetProperty("attemptCount").GetInt32()));
        Assert.Contains(reason, job.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        Assert.Equal(BatchApiFactory.MaxAttempts, api.Batch.Requests.Count(r => r.Path == "/v1/submitjob"));
        Assert.Equal(BatchApiFactory.MaxAttempts, api.Batch.Requests.Count(r => r.Path == "/v1/terminatejob"));
        Assert.All(api.Batch.Requests, r => Assert.True(r.Signature.IsValid, r.Signature.Detail));
    }

    private static bool Released(JsonElement video) =>
        video.GetProperty("attempts").EnumerateArray().ToList() is [var attempt]
        && attempt.GetProperty("outcome").GetString() == "RETRY_WAIT"
        && attempt.GetProperty("errorCode").GetString() == "HEARTBEAT_TIMEOUT";

    /// <summary>The API on the Batch runner, with seconds for every bound so an outage plays out in a test.</summary>
    private sealed class BatchApiFactory(string? runnableReason = null) : VideoApiFactory
    {
        public const int MaxAttempts = 3;

        private int submitted;
        private volatile bool serverErrors;

        public FakeBatchServer Batch { get; } = new();

        public FlakyTcpFront Front { get; private set; } = null!;

        public override async Task InitializeAsync()
        {
            Front = new FlakyTcpFront(Batch.BaseAddress);
            Batch.Responder = Answer;
            await base.InitializeAsync();
        }

        public override async Task DisposeAsync()
        {
            await base.DisposeAsync();
            await Front.DisposeAsync();
            Batch.Dispose();
        }

        /// <param name="kind">"hang", "500", "reset", or null for a healthy Batch.</param>
        public void Outage(string? kind)
        {
            serverErrors = kind == "500";
            Front.Mode = kind switch { "hang" => FrontMode.Hang, "reset" => FrontMode.Reset, _ => FrontMode.Forward };
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            var settings = new Dictionary<string, string>
            {
                // Local mode runs the worker on this machine: the API refuses it with Batch, so the key is our own.
                // Outside local mode webhook secrets need a key of their own (docs/decisions/0014).
                ["Webhooks:SecretEncryptionKey"] = ProductionApiFactory.TestWebhookKey,
                ["LocalMode"] = "false",
                ["Storage:Local:SigningKey"] = "batch-outage-signing-key-0123456789",
                ["Runner:Kind"] = "Batch",
                ["Runner:Batch:ServiceUrl"] = Front.BaseAddress.ToString(),
                ["Runner:Batch:RequestTimeout"] = "00:00:01",
                ["Runner:Batch:MaxRetryAttempts"] = "1",
                ["Runner:Batch:RetryBaseDelay"] = "00:00:00.050",
                ["Runner:Batch:CircuitMinimumThroughput"] = "2",
                ["Runner:Batch:CircuitSamplingDuration"] = "00:00:10",
                ["Runner:Batch:CircuitBreakDuration"] = "00:00:01",
                ["Recovery:RunnerCallTimeout"] = "00:00:05",
                ["Jobs:SubmissionCheckAfter"] = "00:00:03",
                ["Jobs:MaxAttempts"] = MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureTestServices(services => services.AddKeyedSingleton<AWSCredentials>(
                RunnerServiceCollectionExtensions.BatchCredentialsKey,
                new BasicAWSCredentials(FakeBatchServer.AccessKey, FakeBatchServer.SecretKey)));
        }

        /// <summary>A whole Batch service in a few lines: jobs are accepted and stay RUNNABLE.</summary>
        private (int Status, string Body) Answer(RecordedRequest request)
        {
            if (serverErrors)
            {
                return (500, """{"__type":"ServerException","message":"Batch is having a bad day (test)"}""");
            }

            switch (request.Path)
            {
                case "/v1/submitjob":
                    var id = $"b-{Interlocked.Increment(ref submitted)}";
                    return (200, JsonSerializer.Serialize(new { jobId = id, jobName = "video-test" }));
                case "/v1/describejobs":
                    var ids = JsonDocument.Parse(request.Body).RootElement.GetProperty("jobs").EnumerateArray().Select(e => e.GetString()!);
                    var jobs = ids.Select(jobId => new { jobId, jobName = "video-test", status = "RUNNABLE", statusReason = runnableReason });
                    return (200, JsonSerializer.Serialize(new { jobs }));
                case "/v1/terminatejob":
                    return (200, "{}");
                default:
                    return (400, """{"__type":"ClientException","message":"unknown operation (test)"}""");
            }
        }
    }
}
