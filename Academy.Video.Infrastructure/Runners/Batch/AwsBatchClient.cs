using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Academy.Video.Infrastructure.Aws;
using Academy.Video.Infrastructure.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Polly.Timeout;

namespace Academy.Video.Infrastructure.Runners.Batch;

/// <summary>
/// A minimal client for the AWS Batch REST-JSON API over <see cref="HttpClient"/>.
/// Hand-written because AWSSDK.Batch is not available on this machine's package mirror; the
/// <see cref="HttpClient"/> it receives carries AWSSDK.Core's SigV4 signing handler (see
/// <see cref="RunnerServiceCollectionExtensions"/>). Only <see cref="BatchJobRunner"/> and operator
/// diagnostics use it, so switching to the official <c>AmazonBatchClient</c> is a change to this file
/// (and the models) alone.
/// </summary>
public sealed partial class AwsBatchClient
{
    /// <summary>DescribeJobs accepts at most 100 job ids per call.</summary>
    public const int DescribeJobsPageSize = 100;

    public static readonly AwsOperation SubmitJob = new("batch", "SubmitJob", "/v1/submitjob");
    public static readonly AwsOperation DescribeJobs = new("batch", "DescribeJobs", "/v1/describejobs");
    public static readonly AwsOperation TerminateJob = new("batch", "TerminateJob", "/v1/terminatejob");
    public static readonly AwsOperation DescribeJobQueues = new("batch", "DescribeJobQueues", "/v1/describejobqueues");
    public static readonly AwsOperation DescribeComputeEnvironments = new("batch", "DescribeComputeEnvironments", "/v1/describecomputeenvironments");
    public static readonly AwsOperation DescribeJobDefinitions = new("batch", "DescribeJobDefinitions", "/v1/describejobdefinitions");

    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");

    /// <summary>The longest pause between two retries of a Batch call.</summary>
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(20);

    private readonly HttpClient httpClient;
    private readonly ResiliencePipeline breaker;
    private readonly ResiliencePipeline pipeline;
    private readonly ILogger<AwsBatchClient> logger;
    private readonly AwsCaller caller;

    public AwsBatchClient(HttpClient httpClient, IOptions<BatchRunnerOptions> options, ResiliencePipelineProvider<string> pipelines, ILogger<AwsBatchClient> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(pipelines);
        this.httpClient = httpClient;
        this.logger = logger;
        caller = new AwsCaller("AWS Batch", logger);
        breaker = BuildBreaker(options.Value);
        pipeline = pipelines.GetPipeline(ResiliencePipelines.AwsBatch);
    }

    public Task<SubmitJobResponse> SubmitJobAsync(SubmitJobRequest request, CancellationToken cancellationToken) =>
        PostAsync(SubmitJob, request, BatchJsonContext.Default.SubmitJobRequest,
            BatchJsonContext.Default.SubmitJobResponse, cancellationToken);

    /// <summary>Describes the given jobs, 100 ids per call. Batch silently omits ids it does not know.</summary>
    public async Task<IReadOnlyList<BatchJobDetail>> DescribeJobsAsync(
        IReadOnlyCollection<string> jobIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobIds);
        var details = new List<BatchJobDetail>(jobIds.Count);
        foreach (var page in jobIds.Distinct(StringComparer.Ordinal).Chunk(DescribeJobsPageSize))
        {
            var response = await PostAsync(DescribeJobs, new DescribeJobsRequest(page),
                BatchJsonContext.Default.DescribeJobsRequest, BatchJsonContext.Default.DescribeJobsResponse,
                cancellationToken).ConfigureAwait(false);
            details.AddRange(response.Jobs ?? []);
        }

        return details;
    }

    public async Task TerminateJobAsync(string jobId, string reason, CancellationToken cancellationToken) =>
        await SendAsync(TerminateJob, new TerminateJobRequest(jobId, reason),
            BatchJsonContext.Default.TerminateJobRequest, cancellationToken).ConfigureAwait(false);

    public Task<DescribeJobQueuesResponse> DescribeJobQueuesAsync(
        DescribeJobQueuesRequest request, CancellationToken cancellationToken) =>
        PostAsync(DescribeJobQueues, request, BatchJsonContext.Default.DescribeJobQueuesRequest,
            BatchJsonContext.Default.DescribeJobQueuesResponse, cancellationToken);

    public Task<DescribeComputeEnvironmentsResponse> DescribeComputeEnvironmentsAsync(
        DescribeComputeEnvironmentsRequest request, CancellationToken cancellationToken) =>
        PostAsync(DescribeComputeEnvironments, request,
            BatchJsonContext.Default.DescribeComputeEnvironmentsRequest,
            BatchJsonContext.Default.DescribeComputeEnvironmentsResponse, cancellationToken);

    public Task<DescribeJobDefinitionsResponse> DescribeJobDefinitionsAsync(
        DescribeJobDefinitionsRequest request, CancellationToken cancellationToken) =>
        PostAsync(DescribeJobDefinitions, request, BatchJsonContext.Default.DescribeJobDefinitionsRequest,
            BatchJsonContext.Default.DescribeJobDefinitionsResponse, cancellationToken);

    private async Task<TResponse> PostAsync<TRequest, TResponse>(
        AwsOperation operation,
        TRequest request,
        JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TResponse> responseType,
        CancellationToken cancellationToken)
    {
        var body = await SendAsync(operation, request, requestType, cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Deserialize(body, responseType)
            ?? throw new AwsServiceException(operation, HttpStatusCode.OK, "InvalidResponse", $"Empty response body from {operation.Path}.");
    }

    private async Task<byte[]> SendAsync<TRequest>(
        AwsOperation operation, TRequest request, JsonTypeInfo<TRequest> requestType, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(request, requestType);

        // The message is rebuilt per attempt: a sent HttpRequestMessage cannot be resent, and each attempt
        // must pass through the signing handler again for a fresh SigV4 timestamp.
        return await breaker.ExecuteAsync(
            async token => await pipeline.ExecuteAsync(caller, attempt => SendOnceAsync(operation, payload, attempt), token).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<byte[]> SendOnceAsync(AwsOperation operation, byte[] payload, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(operation.Path!, UriKind.Relative));
        message.Content = new ByteArrayContent(payload);
        message.Content.Headers.ContentType = JsonContentType;

        using var response = await httpClient.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var responseBody = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw ParseError(operation, response, responseBody);
        }

        return responseBody;
    }

    /// <summary>
    /// Outermost first: a circuit breaker around each whole call, so a dead or hanging endpoint is not hammered (an
    /// open circuit fails the call at once with <see cref="BrokenCircuitException"/>); then the named
    /// <see cref="ResiliencePipelines.AwsBatch"/> pipeline: a bound on the whole call, retries included, around the
    /// AWS retry rule. The breaker is this client's own, as its state is (docs/decisions/0013-named-resilience-pipelines.md).
    /// </summary>
    private ResiliencePipeline BuildBreaker(BatchRunnerOptions options) =>
        new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsOutage),
                FailureRatio = 0.5,
                MinimumThroughput = options.CircuitMinimumThroughput,
                SamplingDuration = options.CircuitSamplingDuration,
                BreakDuration = options.CircuitBreakDuration,
                OnOpened = arguments =>
                {
                    LogCircuitOpened(logger, arguments.BreakDuration, AwsRetry.Describe(arguments.Outcome.Exception));
                    AwsRetry.LogTrace(logger, arguments.Outcome.Exception);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

    /// <summary>Batch is down, throttling or not answering; a client error (a bad request) is not an outage.</summary>
    private static bool IsOutage(Exception error) => error is TimeoutRejectedException || AwsRetry.IsTransient(error);

    private static AwsServiceException ParseError(AwsOperation operation, HttpResponseMessage response, byte[] body)
    {
        string? errorType = response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.FirstOrDefault() : null;
        string? errorMessage = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                errorType ??= ReadString(document.RootElement, "__type") ?? ReadString(document.RootElement, "code");
                errorMessage = ReadString(document.RootElement, "message") ?? ReadString(document.RootElement, "Message");
            }
        }
        catch (JsonException)
        {
            // A proxy or load balancer in front of Batch may answer with HTML or plain text.
            errorMessage = System.Text.Encoding.UTF8.GetString(body);
        }

        return new AwsServiceException(
            operation,
            response.StatusCode,
            NormalizeErrorType(errorType) ?? response.StatusCode.ToString(),
            string.IsNullOrWhiteSpace(errorMessage) ? response.ReasonPhrase ?? string.Empty : errorMessage);
    }

    private static string? ReadString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>"aws.batch#ClientException:http://..." → "ClientException" (both decorations occur on the wire).</summary>
    private static string? NormalizeErrorType(string? errorType)
    {
        if (string.IsNullOrWhiteSpace(errorType))
        {
            return null;
        }

        var type = errorType;
        var colon = type.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            type = type[..colon];
        }

        var hash = type.LastIndexOf('#');
        return hash >= 0 ? type[(hash + 1)..] : type;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "AWS Batch is failing ({Error}); calls fail at once for {BreakDuration} before one is let through")]
    private static partial void LogCircuitOpened(ILogger logger, TimeSpan breakDuration, string error);
}
