using System.Text.Json;
using Academy.Video.Infrastructure.Aws;
using Academy.Video.Infrastructure.Runners.Batch;
using Academy.Video.Operations.Application;

namespace Academy.Video.Operations.Aws;

/// <summary>
/// Reads a Batch attempt's worker log in CloudWatch Logs: DescribeJobs gives the log stream and the
/// awslogs group of the container, FilterLogEvents the lines naming the events asked for.
/// </summary>
public sealed class CloudWatchJobLogReader(AwsBatchClient batch, CloudWatchLogsClient logs) : IJobLogReader
{
    /// <summary>Where Batch sends a container's log when its job definition names no group.</summary>
    public const string BatchDefaultLogGroup = "/aws/batch/job";

    private const int MaxPages = 20;

    public async Task<JobLogFindings> FindEventsAsync(SucceededAttempt attempt, IReadOnlyCollection<string> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(events);
        if (attempt.RunnerJobId is null)
        {
            return new JobLogFindings("no Batch job id on the attempt", new HashSet<string>(), "the attempt recorded no Batch job id, so its log stream is unknown");
        }

        var detail = (await batch.DescribeJobsAsync([attempt.RunnerJobId], cancellationToken)).FirstOrDefault();
        var container = detail?.Container ?? detail?.Attempts?.LastOrDefault()?.Container;
        if (container?.LogStreamName is not { Length: > 0 } stream)
        {
            return new JobLogFindings($"Batch job {attempt.RunnerJobId}", new HashSet<string>(),
                detail is null ? "Batch no longer describes this job (it keeps finished jobs for a limited time)" : "Batch reports no log stream for this job");
        }

        var group = container.LogConfiguration?.Options?.GetValueOrDefault("awslogs-group") ?? BatchDefaultLogGroup;
        var location = $"{group} {stream}";
        try
        {
            var lines = await logs.FilterLogEventsAsync(
                new FilterLogEventsRequest(group, [stream], string.Join(' ', events.Select(e => $"?\"{e}\""))), MaxPages, cancellationToken);
            var found = lines.Select(line => EventOf(line.Message)).Where(e => e is not null && events.Contains(e)).Select(e => e!).ToHashSet(StringComparer.Ordinal);
            return new JobLogFindings(location, found);
        }
        catch (AwsServiceException ex) when (ex.ErrorCode == "ResourceNotFoundException")
        {
            return new JobLogFindings(location, new HashSet<string>(), ex.ErrorMessage);
        }
    }

    /// <summary>The <c>event</c> of a worker's JSON log line; null for any other line.</summary>
    internal static string? EventOf(string? line)
    {
        if (string.IsNullOrWhiteSpace(line) || line.TrimStart()[0] != '{')
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("event", out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
