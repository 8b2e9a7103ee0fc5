using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Academy.Video.Infrastructure.Aws;
using Academy.Video.Infrastructure.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Registry;

namespace Academy.Video.Operations.Aws;

/// <summary>
/// CloudWatch Logs over its JSON 1.1 protocol (POST <c>/</c>, <c>X-Amz-Target: Logs_20140328.&lt;Operation&gt;</c>),
/// read-only: whether the worker's log group exists, and the events of one log stream.
/// </summary>
public sealed class CloudWatchLogsClient
{
    public const string TargetPrefix = "Logs_20140328.";

    public static readonly AwsOperation DescribeLogGroups = new("logs", "DescribeLogGroups");
    public static readonly AwsOperation FilterLogEvents = new("logs", "FilterLogEvents");

    private static readonly MediaTypeHeaderValue JsonContentType = new("application/x-amz-json-1.1");

    private readonly HttpClient httpClient;
    private readonly ResiliencePipeline retry;
    private readonly AwsCaller caller;

    public CloudWatchLogsClient(HttpClient httpClient, ResiliencePipelineProvider<string> pipelines, ILogger<CloudWatchLogsClient> logger)
    {
        ArgumentNullException.ThrowIfNull(pipelines);
        this.httpClient = httpClient;
        caller = new AwsCaller("AWS", logger);
        retry = pipelines.GetPipeline(ResiliencePipelines.Aws);
    }

    /// <summary>The log group with exactly this name, or null.</summary>
    public async Task<LogGroupDetail?> FindLogGroupAsync(string name, CancellationToken cancellationToken)
    {
        string? token = null;
        do
        {
            var page = await SendAsync(DescribeLogGroups, new DescribeLogGroupsRequest(name, 50, token),
                LogsJsonContext.Default.DescribeLogGroupsRequest, LogsJsonContext.Default.DescribeLogGroupsResponse, cancellationToken);
            var match = page.LogGroups?.FirstOrDefault(g => g.LogGroupName == name);
            if (match is not null)
            {
                return match;
            }

            token = page.NextToken;
        }
        while (token is not null);

        return null;
    }

    /// <summary>The events of the streams that match the filter pattern, up to <paramref name="maxPages"/> pages.</summary>
    public async Task<IReadOnlyList<LogEvent>> FilterLogEventsAsync(FilterLogEventsRequest request, int maxPages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var events = new List<LogEvent>();
        var page = request;
        for (var pages = 0; pages < maxPages; pages++)
        {
            var response = await SendAsync(FilterLogEvents, page,
                LogsJsonContext.Default.FilterLogEventsRequest, LogsJsonContext.Default.FilterLogEventsResponse, cancellationToken);
            events.AddRange(response.Events ?? []);
            if (response.NextToken is null)
            {
                break;
            }

            page = page with { NextToken = response.NextToken };
        }

        return events;
    }

    private async Task<TResponse> SendAsync<TRequest, TResponse>(
        AwsOperation operation, TRequest request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(request, requestType);
        return await retry.ExecuteAsync(caller, async token =>
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, new Uri("/", UriKind.Relative));
            message.Headers.Add("X-Amz-Target", TargetPrefix + operation.Name);
            message.Content = new ByteArrayContent(payload);
            message.Content.Headers.ContentType = JsonContentType;
            using var response = await httpClient.SendAsync(message, token);
            var body = await response.Content.ReadAsByteArrayAsync(token);
            if (!response.IsSuccessStatusCode)
            {
                throw Error(operation, response.StatusCode, body);
            }

            try
            {
                return JsonSerializer.Deserialize(body, responseType)
                    ?? throw new AwsServiceException(operation, response.StatusCode, "InvalidResponse", "empty answer");
            }
            catch (JsonException ex)
            {
                throw new AwsServiceException(operation, response.StatusCode, "InvalidResponse", $"the answer is not JSON: {ex.Message}");
            }
        }, cancellationToken);
    }

    private static AwsServiceException Error(AwsOperation operation, HttpStatusCode status, byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                var type = document.RootElement.TryGetProperty("__type", out var t) ? t.GetString() : null;
                var message = document.RootElement.TryGetProperty("message", out var m) ? m.GetString()
                    : document.RootElement.TryGetProperty("Message", out var m2) ? m2.GetString() : null;
                // "com.amazonaws.logs#ResourceNotFoundException" → "ResourceNotFoundException"
                return new AwsServiceException(operation, status, type?[(type.LastIndexOf('#') + 1)..] ?? status.ToString(), message ?? string.Empty);
            }
        }
        catch (JsonException)
        {
            // Not JSON: a proxy's page; its text is the message.
        }

        var text = System.Text.Encoding.UTF8.GetString(body);
        return new AwsServiceException(operation, status, status.ToString(), text.Length > 300 ? text[..300] : text);
    }
}

public sealed record DescribeLogGroupsRequest(string? LogGroupNamePrefix = null, int? Limit = null, string? NextToken = null);

public sealed record DescribeLogGroupsResponse(IReadOnlyList<LogGroupDetail>? LogGroups, string? NextToken = null);

public sealed record LogGroupDetail(string LogGroupName, string? Arn = null, int? RetentionInDays = null, long? CreationTime = null);

public sealed record FilterLogEventsRequest(
    string LogGroupName,
    IReadOnlyList<string>? LogStreamNames = null,
    string? FilterPattern = null,
    long? StartTime = null,
    long? EndTime = null,
    string? NextToken = null,
    int? Limit = null);

public sealed record FilterLogEventsResponse(IReadOnlyList<LogEvent>? Events, string? NextToken = null);

public sealed record LogEvent(string? LogStreamName, long? Timestamp, string? Message);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(DescribeLogGroupsRequest))]
[JsonSerializable(typeof(DescribeLogGroupsResponse))]
[JsonSerializable(typeof(FilterLogEventsRequest))]
[JsonSerializable(typeof(FilterLogEventsResponse))]
internal sealed partial class LogsJsonContext : JsonSerializerContext;
