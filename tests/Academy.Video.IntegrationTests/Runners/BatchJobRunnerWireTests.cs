using System.Text.Json;
using Academy.Video.Application.Captions;
using Academy.Video.Application.Jobs;
using Academy.Video.Infrastructure.Aws;
using Academy.Video.Infrastructure.Runners;
using Academy.Video.Infrastructure.Runners.Batch;
using Amazon.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Academy.Video.IntegrationTests.Runners;

public sealed class BatchJobRunnerWireTests : IDisposable
{
    private static readonly Guid JobId = Guid.Parse("3f2b8c1e-9a7d-4e2f-8b1c-0d9e8f7a6b5c");

    private readonly FakeBatchServer server = new();
    private readonly List<ServiceProvider> providers = [];

    public void Dispose()
    {
        foreach (var provider in providers)
        {
            provider.Dispose();
        }

        server.Dispose();
    }

    [Fact]
    public async Task Submit_posts_a_signed_submitjob_with_the_job_id_parameter_and_no_container_overrides()
    {
        server.Enqueue(200, """{"jobArn":"arn:aws:batch:ap-northeast-2:1:job/b-1","jobName":"video-3f2b8c1e","jobId":"b-1"}""");
        var runner = CreateRunner();

        var runnerJobId = await runner.SubmitAsync(JobId, "video-3f2b8c1e", CancellationToken.None);

        Assert.Equal("b-1", runnerJobId);
        var request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1/submitjob", request.Path);
        Assert.Equal("application/json", request.ContentType);
        Assert.True(request.Signature.IsValid, request.Signature.Detail);
        Assert.Equal(FakeBatchServer.AccessKey, request.Signature.AccessKey);
        Assert.Equal(FakeBatchServer.Region, request.Signature.Region);
        Assert.Equal("batch", request.Signature.Service);
        Assert.Contains("content-type", request.Signature.SignedHeaders);

        using var body = JsonDocument.Parse(request.Body);
        var root = body.RootElement;
        Assert.Equal(
            ["jobDefinition", "jobName", "jobQueue", "parameters"],
            root.EnumerateObject().Select(property => property.Name).Order(StringComparer.Ordinal));
        Assert.Equal("video-3f2b8c1e", root.GetProperty("jobName").GetString());
        Assert.Equal("academy-video-batch-queue", root.GetProperty("jobQueue").GetString());
        Assert.Equal("academy-video-batch-jobdef", root.GetProperty("jobDefinition").GetString());
        var parameter = Assert.Single(root.GetProperty("parameters").EnumerateObject());
        Assert.Equal("job_id", parameter.Name);
        Assert.Equal(JobId.ToString(), parameter.Value.GetString());
    }

    [Fact]
    public async Task The_spec_setting_names_override_the_configured_queue_and_job_definition()
    {
        server.Enqueue(200, """{"jobName":"video-3f2b8c1e","jobId":"b-2"}""");
        var runner = CreateRunner(new()
        {
            ["Runner:Batch:JobQueue"] = "queue-from-section",
            ["VIDEO_BATCH_JOB_QUEUE"] = "queue-from-env",
            ["VIDEO_BATCH_JOB_DEFINITION"] = "jobdef-from-env:7",
        });

        await runner.SubmitAsync(JobId, "video-3f2b8c1e", CancellationToken.None);

        using var body = JsonDocument.Parse(Assert.Single(server.Requests).Body);
        Assert.Equal("queue-from-env", body.RootElement.GetProperty("jobQueue").GetString());
        Assert.Equal("jobdef-from-env:7", body.RootElement.GetProperty("jobDefinition").GetString());
    }

    [Theory]
    [InlineData(429, "TooManyRequestsException")]
    [InlineData(400, "ThrottlingException")]
    public async Task Throttling_is_retried_until_Batch_accepts(int status, string errorType)
    {
        server.Enqueue(status, $$"""{"__type":"{{errorType}}","message":"Rate exceeded"}""");
        server.Enqueue(200, """{"jobName":"video-3f2b8c1e","jobId":"b-3"}""");
        var runner = CreateRunner();

        var runnerJobId = await runner.SubmitAsync(JobId, "video-3f2b8c1e", CancellationToken.None);

        Assert.Equal("b-3", runnerJobId);
        Assert.Equal(2, server.Requests.Count);
        // Each attempt is signed afresh and sends the same body.
        Assert.All(server.Requests, request => Assert.True(request.Signature.IsValid, request.Signature.Detail));
        Assert.Equal(server.Requests[0].Body, server.Requests[1].Body);
    }

    [Fact]
    public async Task Server_errors_are_retried_until_Batch_accepts()
    {
        server.Enqueue(500, """{"__type":"ServerException","message":"Internal"}""");
        server.Enqueue(503, """{"__type":"ServerException","message":"Unavailable"}""");
        server.Enqueue(200, """{"jobName":"video-3f2b8c1e","jobId":"b-4"}""");
        var runner = CreateRunner();

        var runnerJobId = await runner.SubmitAsync(JobId, "video-3f2b8c1e", CancellationToken.None);

        Assert.Equal("b-4", runnerJobId);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task Persistent_server_errors_give_up_after_the_configured_retries()
    {
        for (var i = 0; i < 10; i++)
        {
            server.Enqueue(500, """{"__type":"ServerException","message":"Still down"}""");
        }

        var runner = CreateRunner();

        var error = await Assert.ThrowsAsync<JobSubmissionException>(
            () => runner.SubmitAsync(JobId, "video-3f2b8c1e", CancellationToken.None));

        Assert.Contains("Still down", error.Message, StringComparison.Ordinal);
        Assert.Equal(1 + 3, server.Requests.Count);
    }

    [Fact]
    public async Task Once_Batch_keeps_failing_the_circuit_opens_and_calls_fail_at_once_without_reaching_it()
    {
        for (var i = 0; i < 10; i++)
        {
            server.Enqueue(500, """{"__type":"ServerException","message":"Still down"}""");
        }

        var runner = CreateRunner(new()
        {
            ["Runner:Batch:MaxRetryAttempts"] = "0",
            ["Runner:Batch:CircuitMinimumThroughput"] = "2",
            ["Runner:Batch:CircuitBreakDuration"] = "00:01:00",
        });

        await Assert.ThrowsAsync<JobSubmissionException>(() => runner.SubmitAsync(JobId, "video-3f2b8c1e", CancellationToken.None));
        await Assert.ThrowsAsync<JobSubmissionException>(() => runner.SubmitAsync(JobId, "video-3f2b8c1e", CancellationToken.None));
        var open = await Assert.ThrowsAsync<JobSubmissionException>(() => runner.SubmitAsync(JobId, "video-3f2b8c1e", CancellationToken.None));
        var describe = await Assert.ThrowsAnyAsync<Exception>(() => runner.DescribeAsync(["b-1"], CancellationToken.None));

        Assert.Equal(2, server.Requests.Count);
        Assert.Contains("circuit is open", open.Message, StringComparison.Ordinal);
        Assert.IsType<Polly.CircuitBreaker.BrokenCircuitException>(describe);
    }

    [Fact]
    public async Task A_hanging_endpoint_costs_a_call_its_bound_retries_included()
    {
        await using var front = new FlakyTcpFront(server.BaseAddress) { Mode = FrontMode.Hang };
        var runner = CreateRunner(new()
        {
            ["Runner:Batch:ServiceUrl"] = front.BaseAddress.ToString(),
            ["Runner:Batch:RequestTimeout"] = "00:00:00.300",
            ["Recovery:RunnerCallTimeout"] = "00:00:01",
        });

        var submit = await Assert.ThrowsAsync<JobSubmissionException>(() => runner.SubmitAsync(JobId, "video-3f2b8c1e", CancellationToken.None));
        var describe = await Assert.ThrowsAnyAsync<Exception>(() => runner.DescribeAsync(["b-1"], CancellationToken.None));

        Assert.Contains("did not answer", submit.Message, StringComparison.Ordinal);
        Assert.True(describe is Polly.Timeout.TimeoutRejectedException or TaskCanceledException, describe.GetType().Name);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task A_client_error_is_not_retried_and_carries_Batch_s_message()
    {
        server.Enqueue(400, """{"__type":"ClientException","message":"No parameter found for reference job_id"}""");
        server.Enqueue(200, """{"jobName":"video-3f2b8c1e","jobId":"never"}""");
        var runner = CreateRunner();

        var error = await Assert.ThrowsAsync<JobSubmissionException>(
            () => runner.SubmitAsync(JobId, "video-3f2b8c1e", CancellationToken.None));

        Assert.Contains("ClientException", error.Message, StringComparison.Ordinal);
        Assert.Contains("No parameter found for reference job_id", error.Message, StringComparison.Ordinal);
        var cause = Assert.IsType<AwsServiceException>(error.InnerException);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, cause.StatusCode);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task A_request_signed_with_the_wrong_secret_is_rejected_by_the_verifier_and_not_retried()
    {
        server.Enqueue(200, """{"jobName":"video-3f2b8c1e","jobId":"never"}""");
        var runner = CreateRunner(secretKey: "not-the-secret-the-server-knows");

        var error = await Assert.ThrowsAsync<JobSubmissionException>(
            () => runner.SubmitAsync(JobId, "video-3f2b8c1e", CancellationToken.None));

        Assert.Contains("InvalidSignatureException", error.Message, StringComparison.Ordinal);
        var request = Assert.Single(server.Requests);
        Assert.False(request.Signature.IsValid);
    }

    [Fact]
    public async Task A_caption_generation_is_submitted_to_the_same_queue_and_definition_with_the_caption_command()
    {
        server.Enqueue(200, """{"jobName":"caption-3f2b8c1e","jobId":"b-c1"}""");
        var runner = CreateProvider().GetRequiredService<ICaptionRunner>();

        var runnerJobId = await runner.SubmitCaptionAsync(JobId, CancellationToken.None);

        Assert.Equal("b-c1", runnerJobId);
        var request = Assert.Single(server.Requests);
        Assert.Equal("/v1/submitjob", request.Path);
        Assert.True(request.Signature.IsValid, request.Signature.Detail);
        using var body = JsonDocument.Parse(request.Body);
        var root = body.RootElement;
        Assert.Equal(
            ["containerOverrides", "jobDefinition", "jobName", "jobQueue", "parameters"],
            root.EnumerateObject().Select(property => property.Name).Order(StringComparer.Ordinal));
        Assert.Equal("caption-3f2b8c1e", root.GetProperty("jobName").GetString());
        Assert.Equal("academy-video-batch-queue", root.GetProperty("jobQueue").GetString());
        Assert.Equal("academy-video-batch-jobdef", root.GetProperty("jobDefinition").GetString());
        var overrides = root.GetProperty("containerOverrides");
        Assert.Equal(["command"], overrides.EnumerateObject().Select(property => property.Name));
        Assert.Equal(["caption", JobId.ToString()], overrides.GetProperty("command").EnumerateArray().Select(arg => arg.GetString()));
        Assert.Equal(JobId.ToString(), root.GetProperty("parameters").GetProperty("job_id").GetString());
    }

    [Fact]
    public async Task A_chunk_is_submitted_as_a_Batch_job_of_its_own_with_the_chunk_command()
    {
        server.Enqueue(200, """{"jobName":"video-3f2b8c1e-c2","jobId":"b-k2"}""");
        var runner = CreateProvider().GetRequiredService<IChunkRunner>();

        var runnerJobId = await runner.SubmitChunkAsync(JobId, 2, CancellationToken.None);

        Assert.Equal("b-k2", runnerJobId);
        var request = Assert.Single(server.Requests);
        Assert.True(request.Signature.IsValid, request.Signature.Detail);
        using var body = JsonDocument.Parse(request.Body);
        var root = body.RootElement;
        Assert.Equal($"video-{JobId:N}"[..14] + "-c2", root.GetProperty("jobName").GetString());
        Assert.Equal(("academy-video-batch-queue", "academy-video-batch-jobdef"), (root.GetProperty("jobQueue").GetString(), root.GetProperty("jobDefinition").GetString()));
        Assert.Equal([JobId.ToString(), "--chunk", "2"], root.GetProperty("containerOverrides").GetProperty("command").EnumerateArray().Select(arg => arg.GetString()));
        Assert.Equal(JobId.ToString(), root.GetProperty("parameters").GetProperty("job_id").GetString());
    }

    [Fact]
    public async Task A_caption_submission_Batch_refuses_surfaces_as_a_submission_failure_with_Batch_s_message()
    {
        server.Enqueue(400, """{"__type":"ClientException","message":"Container overrides are not allowed"}""");
        var runner = CreateProvider().GetRequiredService<ICaptionRunner>();

        var error = await Assert.ThrowsAsync<JobSubmissionException>(
            () => runner.SubmitCaptionAsync(JobId, CancellationToken.None));

        Assert.Contains("caption-3f2b8c1e", error.Message, StringComparison.Ordinal);
        Assert.Contains("ClientException: Container overrides are not allowed", error.Message, StringComparison.Ordinal);
        Assert.IsType<AwsServiceException>(error.InnerException);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task A_caption_submission_is_retried_through_the_aws_batch_pipeline()
    {
        server.Enqueue(503, """{"__type":"ServerException","message":"Unavailable"}""");
        server.Enqueue(200, """{"jobName":"caption-3f2b8c1e","jobId":"b-c2"}""");
        var runner = CreateProvider().GetRequiredService<ICaptionRunner>();

        Assert.Equal("b-c2", await runner.SubmitCaptionAsync(JobId, CancellationToken.None));
        Assert.Equal(2, server.Requests.Count);
        Assert.Equal(server.Requests[0].Body, server.Requests[1].Body);
    }

    [Fact]
    public async Task Describe_maps_Batch_job_details_to_runner_statuses()
    {
        server.Enqueue(200, """
            {"jobs":[
              {"jobId":"b-done","jobName":"video-aaaaaaaa","status":"FAILED","statusReason":"Essential container in task exited",
               "createdAt":1735689500000,"startedAt":1735689600000,"stoppedAt":1735689660500,
               "container":{"exitCode":1,"logStreamName":"academy-video-worker/default/abc123","reason":null},
               "attempts":[{"container":{"exitCode":1,"logStreamName":"academy-video-worker/default/abc123"}}]},
              {"jobId":"b-waiting","jobName":"video-bbbbbbbb","status":"RUNNABLE","createdAt":1735689500000,"someFutureField":{"x":1}}
            ]}
            """);
        var runner = CreateRunner();

        var statuses = await runner.DescribeAsync(["b-done", "b-waiting", "b-unknown"], CancellationToken.None);

        var request = Assert.Single(server.Requests);
        Assert.Equal("/v1/describejobs", request.Path);
        Assert.True(request.Signature.IsValid, request.Signature.Detail);
        using (var body = JsonDocument.Parse(request.Body))
        {
            Assert.Equal(["b-done", "b-waiting", "b-unknown"],
                body.RootElement.GetProperty("jobs").EnumerateArray().Select(id => id.GetString()));
        }

        Assert.Equal(2, statuses.Count);
        Assert.Equal(
            new RunnerJobStatus("b-done", "video-aaaaaaaa", "FAILED", "Essential container in task exited",
                new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero),
                new DateTimeOffset(2025, 1, 1, 0, 1, 0, 500, TimeSpan.Zero),
                1,
                "academy-video-worker/default/abc123"),
            statuses[0]);
        Assert.Equal(new RunnerJobStatus("b-waiting", "video-bbbbbbbb", "RUNNABLE", null, null, null, null, null), statuses[1]);
    }

    [Fact]
    public async Task Describe_asks_for_at_most_100_ids_per_call()
    {
        server.Enqueue(200, """{"jobs":[]}""");
        server.Enqueue(200, """{"jobs":[{"jobId":"b-104","jobName":"video-104","status":"SUCCEEDED","container":{"exitCode":0}}]}""");
        var runner = CreateRunner();
        var ids = Enumerable.Range(0, 105).Select(i => $"b-{i}").ToList();

        var statuses = await runner.DescribeAsync(ids, CancellationToken.None);

        Assert.Equal([100, 5], server.Requests.Select(request =>
        {
            using var body = JsonDocument.Parse(request.Body);
            return body.RootElement.GetProperty("jobs").GetArrayLength();
        }));
        Assert.Equal(0, Assert.Single(statuses).ExitCode);
    }

    [Fact]
    public async Task Terminate_posts_the_job_id_and_reason()
    {
        server.Enqueue(200, "{}");
        var runner = CreateRunner();

        await runner.TerminateAsync("b-9", "Video deleted", CancellationToken.None);

        var request = Assert.Single(server.Requests);
        Assert.Equal("/v1/terminatejob", request.Path);
        Assert.True(request.Signature.IsValid, request.Signature.Detail);
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal(
            ["jobId", "reason"],
            body.RootElement.EnumerateObject().Select(property => property.Name).Order(StringComparer.Ordinal));
        Assert.Equal("b-9", body.RootElement.GetProperty("jobId").GetString());
        Assert.Equal("Video deleted", body.RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Diagnostics_describe_queue_compute_environment_and_job_definition()
    {
        server.Enqueue(200, """
            {"jobQueues":[{"jobQueueName":"academy-video-batch-queue","jobQueueArn":"arn:q","state":"ENABLED","status":"VALID",
              "priority":1,"computeEnvironmentOrder":[{"order":1,"computeEnvironment":"arn:ce/academy-video-batch-ce-v3"}]}]}
            """);
        server.Enqueue(200, """
            {"computeEnvironments":[{"computeEnvironmentName":"academy-video-batch-ce-v3","computeEnvironmentArn":"arn:ce",
              "type":"MANAGED","state":"ENABLED","status":"VALID","computeResources":{"type":"EC2","minvCpus":0,"maxvCpus":32}}]}
            """);
        server.Enqueue(200, """
            {"jobDefinitions":[{"jobDefinitionName":"academy-video-batch-jobdef","jobDefinitionArn":"arn:jd:3","revision":3,
              "status":"ACTIVE","type":"container","retryStrategy":{"attempts":1},"timeout":{"attemptDurationSeconds":14400},
              "containerProperties":{"image":"worker:1","command":["/app/worker","Ref::job_id"],
                "jobRoleArn":"arn:role/academy-video-batch-job-role",
                "logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"/aws/batch/academy-video-worker"}}}}]}
            """);
        var client = CreateProvider().GetRequiredService<AwsBatchClient>();

        var queues = await client.DescribeJobQueuesAsync(new(["academy-video-batch-queue"]), CancellationToken.None);
        var environments = await client.DescribeComputeEnvironmentsAsync(new(["academy-video-batch-ce-v3"]), CancellationToken.None);
        var definitions = await client.DescribeJobDefinitionsAsync(
            new(JobDefinitionName: "academy-video-batch-jobdef", Status: "ACTIVE"), CancellationToken.None);

        Assert.Equal(["/v1/describejobqueues", "/v1/describecomputeenvironments", "/v1/describejobdefinitions"],
            server.Requests.Select(request => request.Path));
        Assert.All(server.Requests, request => Assert.True(request.Signature.IsValid, request.Signature.Detail));
        Assert.Equal("""{"jobQueues":["academy-video-batch-queue"]}""", server.Requests[0].Body);
        Assert.Equal("""{"jobDefinitionName":"academy-video-batch-jobdef","status":"ACTIVE"}""", server.Requests[2].Body);

        var queue = Assert.Single(queues.JobQueues!);
        Assert.Equal(("ENABLED", "VALID"), (queue.State, queue.Status));
        Assert.Equal("arn:ce/academy-video-batch-ce-v3", Assert.Single(queue.ComputeEnvironmentOrder!).ComputeEnvironment);
        Assert.Equal(32, Assert.Single(environments.ComputeEnvironments!).ComputeResources!.MaxvCpus);
        var definition = Assert.Single(definitions.JobDefinitions!);
        Assert.Equal(1, definition.RetryStrategy!.Attempts);
        Assert.Equal(14400, definition.Timeout!.AttemptDurationSeconds);
        Assert.Equal(["/app/worker", "Ref::job_id"], definition.ContainerProperties!.Command!);
        Assert.Equal("/aws/batch/academy-video-worker", definition.ContainerProperties.LogConfiguration!.Options!["awslogs-group"]);
    }

    private IJobRunner CreateRunner(Dictionary<string, string?>? settings = null, string secretKey = FakeBatchServer.SecretKey) =>
        CreateProvider(settings, secretKey).GetRequiredService<IJobRunner>();

    private ServiceProvider CreateProvider(Dictionary<string, string?>? settings = null, string secretKey = FakeBatchServer.SecretKey)
    {
        var values = new Dictionary<string, string?>
        {
            ["Runner:Kind"] = "Batch",
            ["Runner:Batch:ServiceUrl"] = server.BaseAddress.ToString(),
            ["Runner:Batch:MaxRetryAttempts"] = "3",
            ["Runner:Batch:RetryBaseDelay"] = "00:00:00.010",
        };
        foreach (var (key, value) in settings ?? [])
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddKeyedSingleton<AWSCredentials>(
            RunnerServiceCollectionExtensions.BatchCredentialsKey, new BasicAWSCredentials(FakeBatchServer.AccessKey, secretKey));
        services.AddJobRunner(configuration);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        providers.Add(provider);
        return provider;
    }
}
