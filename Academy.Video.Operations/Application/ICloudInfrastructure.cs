namespace Academy.Video.Operations.Application;

/// <summary>
/// The AWS account as the diagnosis reads it (Batch, IAM, STS, CloudWatch Logs). Registered in Batch
/// mode only. "Not found" is null; every other AWS error is thrown with AWS's code and message.
/// </summary>
public interface ICloudInfrastructure
{
    Task<CallerIdentity> GetCallerIdentityAsync(CancellationToken cancellationToken);

    Task<JobQueueState?> FindJobQueueAsync(string name, CancellationToken cancellationToken);

    /// <summary>The compute environments named (names or ARNs); unknown ones are left out.</summary>
    Task<IReadOnlyList<ComputeEnvironmentState>> DescribeComputeEnvironmentsAsync(IReadOnlyList<string> namesOrArns, CancellationToken cancellationToken);

    /// <summary>The highest ACTIVE revision of the job definition (a <c>name:revision</c> or ARN picks that revision).</summary>
    Task<JobDefinitionState?> FindJobDefinitionAsync(string nameOrArn, CancellationToken cancellationToken);

    /// <summary>The role with its trust policy and every Allow statement of its attached and inline policies.</summary>
    Task<RoleState?> FindRoleAsync(string roleName, CancellationToken cancellationToken);

    Task<LogGroupState?> FindLogGroupAsync(string name, CancellationToken cancellationToken);
}

public sealed record CallerIdentity(string Account, string Arn, string UserId, string Region);

public sealed record JobQueueState(string Name, string Arn, string? State, string? Status, string? StatusReason, IReadOnlyList<ComputeEnvironmentOrder> ComputeEnvironments);

public sealed record ComputeEnvironmentOrder(int Order, string ComputeEnvironment);

public sealed record ComputeEnvironmentState(
    string Name,
    string Arn,
    string? Type,
    string? State,
    string? Status,
    string? StatusReason,
    string? ResourceType,
    int? MaxvCpus,
    IReadOnlyList<string> InstanceTypes);

public sealed record JobDefinitionState(
    string Name,
    string Arn,
    int Revision,
    string? Status,
    string? Image,
    IReadOnlyList<string> Command,
    string? JobRoleArn,
    string? ExecutionRoleArn,
    string? LogDriver,
    IReadOnlyDictionary<string, string> LogOptions,
    int? RetryAttempts,
    int? TimeoutSeconds,
    IReadOnlyDictionary<string, string> Environment)
{
    public const string AwsLogsGroupOption = "awslogs-group";

    /// <summary>The variables the execution role injects from Secrets Manager or SSM at start (<c>secrets</c>): names only.</summary>
    public IReadOnlyList<string> SecretNames { get; init; } = [];

    public string? LogGroup => LogOptions.GetValueOrDefault(AwsLogsGroupOption);
}

/// <param name="TrustedServices">Services its trust policy lets assume it (<c>ecs-tasks.amazonaws.com</c>).</param>
/// <param name="AllowedActions">Every action an Allow statement of its attached or inline policies names (wildcards kept).</param>
/// <param name="Policies">The policy names, attached first, for the report.</param>
public sealed record RoleState(string Name, string Arn, IReadOnlySet<string> TrustedServices, IReadOnlyList<string> AllowedActions, IReadOnlyList<string> Policies);

public sealed record LogGroupState(string Name, string? Arn, int? RetentionInDays);
