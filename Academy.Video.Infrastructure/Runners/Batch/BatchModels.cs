using System.Text.Json.Serialization;

namespace Academy.Video.Infrastructure.Runners.Batch;

// Wire shapes of the AWS Batch REST-JSON API (https://docs.aws.amazon.com/batch/latest/APIReference/).
// Only the fields this product reads or writes are modelled; unknown fields are ignored on read.

public sealed record SubmitJobRequest(
    string JobName,
    string JobQueue,
    string JobDefinition,
    IReadOnlyDictionary<string, string>? Parameters = null,
    BatchContainerOverrides? ContainerOverrides = null);

/// <summary>Replaces the job definition's container command for this one job (the caption command).</summary>
public sealed record BatchContainerOverrides(IReadOnlyList<string>? Command = null);

public sealed record SubmitJobResponse(string JobId, string JobName, string? JobArn);

public sealed record DescribeJobsRequest(IReadOnlyList<string> Jobs);

public sealed record DescribeJobsResponse(IReadOnlyList<BatchJobDetail>? Jobs);

public sealed record BatchJobDetail(
    string JobId,
    string JobName,
    string Status,
    string? JobArn = null,
    string? JobQueue = null,
    string? JobDefinition = null,
    string? StatusReason = null,
    long? CreatedAt = null,
    long? StartedAt = null,
    long? StoppedAt = null,
    IReadOnlyDictionary<string, string>? Parameters = null,
    BatchContainerDetail? Container = null,
    IReadOnlyList<BatchAttemptDetail>? Attempts = null);

public sealed record BatchContainerDetail(
    int? ExitCode = null,
    string? Reason = null,
    string? LogStreamName = null,
    string? Image = null,
    IReadOnlyList<string>? Command = null,
    BatchLogConfiguration? LogConfiguration = null);

public sealed record BatchAttemptDetail(
    BatchContainerDetail? Container = null,
    long? StartedAt = null,
    long? StoppedAt = null,
    string? StatusReason = null);

public sealed record TerminateJobRequest(string JobId, string Reason);

public sealed record DescribeJobQueuesRequest(
    IReadOnlyList<string>? JobQueues = null,
    int? MaxResults = null,
    string? NextToken = null);

public sealed record DescribeJobQueuesResponse(IReadOnlyList<BatchJobQueueDetail>? JobQueues, string? NextToken = null);

public sealed record BatchJobQueueDetail(
    string JobQueueName,
    string JobQueueArn,
    string? State = null,
    string? Status = null,
    string? StatusReason = null,
    int? Priority = null,
    IReadOnlyList<BatchComputeEnvironmentOrder>? ComputeEnvironmentOrder = null);

public sealed record BatchComputeEnvironmentOrder(int Order, string ComputeEnvironment);

public sealed record DescribeComputeEnvironmentsRequest(
    IReadOnlyList<string>? ComputeEnvironments = null,
    int? MaxResults = null,
    string? NextToken = null);

public sealed record DescribeComputeEnvironmentsResponse(
    IReadOnlyList<BatchComputeEnvironmentDetail>? ComputeEnvironments,
    string? NextToken = null);

public sealed record BatchComputeEnvironmentDetail(
    string ComputeEnvironmentName,
    string ComputeEnvironmentArn,
    string? Type = null,
    string? State = null,
    string? Status = null,
    string? StatusReason = null,
    string? ServiceRole = null,
    BatchComputeResources? ComputeResources = null);

public sealed record BatchComputeResources(
    string? Type = null,
    int? MinvCpus = null,
    int? MaxvCpus = null,
    int? DesiredvCpus = null,
    IReadOnlyList<string>? InstanceTypes = null,
    IReadOnlyList<string>? Subnets = null,
    IReadOnlyList<string>? SecurityGroupIds = null);

public sealed record DescribeJobDefinitionsRequest(
    IReadOnlyList<string>? JobDefinitions = null,
    string? JobDefinitionName = null,
    string? Status = null,
    int? MaxResults = null,
    string? NextToken = null);

public sealed record DescribeJobDefinitionsResponse(
    IReadOnlyList<BatchJobDefinitionDetail>? JobDefinitions,
    string? NextToken = null);

public sealed record BatchJobDefinitionDetail(
    string JobDefinitionName,
    string JobDefinitionArn,
    int Revision,
    string? Status = null,
    string? Type = null,
    IReadOnlyDictionary<string, string>? Parameters = null,
    BatchRetryStrategy? RetryStrategy = null,
    BatchJobTimeout? Timeout = null,
    IReadOnlyList<string>? PlatformCapabilities = null,
    BatchContainerProperties? ContainerProperties = null);

public sealed record BatchRetryStrategy(int? Attempts = null);

public sealed record BatchJobTimeout(int? AttemptDurationSeconds = null);

public sealed record BatchContainerProperties(
    string? Image = null,
    IReadOnlyList<string>? Command = null,
    string? JobRoleArn = null,
    string? ExecutionRoleArn = null,
    BatchLogConfiguration? LogConfiguration = null,
    IReadOnlyList<BatchResourceRequirement>? ResourceRequirements = null,
    IReadOnlyList<BatchKeyValuePair>? Environment = null,
    IReadOnlyList<BatchSecret>? Secrets = null);

public sealed record BatchKeyValuePair(string Name, string? Value);

/// <summary>A variable the execution role fetches from Secrets Manager or SSM when the container starts.</summary>
public sealed record BatchSecret(string Name, string ValueFrom);

public sealed record BatchLogConfiguration(string LogDriver, IReadOnlyDictionary<string, string>? Options = null);

public sealed record BatchResourceRequirement(string Type, string Value);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(SubmitJobRequest))]
[JsonSerializable(typeof(SubmitJobResponse))]
[JsonSerializable(typeof(DescribeJobsRequest))]
[JsonSerializable(typeof(DescribeJobsResponse))]
[JsonSerializable(typeof(TerminateJobRequest))]
[JsonSerializable(typeof(DescribeJobQueuesRequest))]
[JsonSerializable(typeof(DescribeJobQueuesResponse))]
[JsonSerializable(typeof(DescribeComputeEnvironmentsRequest))]
[JsonSerializable(typeof(DescribeComputeEnvironmentsResponse))]
[JsonSerializable(typeof(DescribeJobDefinitionsRequest))]
[JsonSerializable(typeof(DescribeJobDefinitionsResponse))]
internal sealed partial class BatchJsonContext : JsonSerializerContext;
