using Academy.Video.Infrastructure.Runners.Batch;
using Academy.Video.Operations.Application;
using Microsoft.Extensions.Options;

namespace Academy.Video.Operations.Aws;

/// <summary>The AWS account as the diagnosis reads it, through the hand-written Batch, IAM, STS and CloudWatch Logs clients.</summary>
public sealed class AwsCloudInfrastructure(
    AwsBatchClient batch,
    AwsIamClient iam,
    AwsStsClient sts,
    CloudWatchLogsClient logs,
    IOptions<BatchRunnerOptions> batchOptions,
    IOptions<AwsClientOptions> options) : ICloudInfrastructure
{
    public async Task<CallerIdentity> GetCallerIdentityAsync(CancellationToken cancellationToken)
    {
        var (account, arn, userId) = await sts.GetCallerIdentityAsync(cancellationToken);
        return new CallerIdentity(account, arn, userId, options.Value.ResolvedRegion(batchOptions.Value.Region));
    }

    public async Task<JobQueueState?> FindJobQueueAsync(string name, CancellationToken cancellationToken)
    {
        var response = await batch.DescribeJobQueuesAsync(new DescribeJobQueuesRequest([name]), cancellationToken);
        var queue = response.JobQueues?.FirstOrDefault(q => q.JobQueueName == name || q.JobQueueArn == name);
        return queue is null
            ? null
            : new JobQueueState(queue.JobQueueName, queue.JobQueueArn, queue.State, queue.Status, queue.StatusReason,
                (queue.ComputeEnvironmentOrder ?? []).Select(c => new ComputeEnvironmentOrder(c.Order, c.ComputeEnvironment)).ToList());
    }

    public async Task<IReadOnlyList<ComputeEnvironmentState>> DescribeComputeEnvironmentsAsync(IReadOnlyList<string> namesOrArns, CancellationToken cancellationToken)
    {
        var response = await batch.DescribeComputeEnvironmentsAsync(new DescribeComputeEnvironmentsRequest(namesOrArns), cancellationToken);
        return (response.ComputeEnvironments ?? []).Select(ce => new ComputeEnvironmentState(
            ce.ComputeEnvironmentName, ce.ComputeEnvironmentArn, ce.Type, ce.State, ce.Status, ce.StatusReason,
            ce.ComputeResources?.Type, ce.ComputeResources?.MaxvCpus, ce.ComputeResources?.InstanceTypes ?? [])).ToList();
    }

    public async Task<JobDefinitionState?> FindJobDefinitionAsync(string nameOrArn, CancellationToken cancellationToken)
    {
        // "name:revision" and ARNs name one revision; a bare name means its highest ACTIVE revision.
        var pinned = nameOrArn.Contains(':', StringComparison.Ordinal);
        var found = new List<BatchJobDefinitionDetail>();
        string? token = null;
        do
        {
            var request = pinned
                ? new DescribeJobDefinitionsRequest(JobDefinitions: [nameOrArn], NextToken: token)
                : new DescribeJobDefinitionsRequest(JobDefinitionName: nameOrArn, Status: "ACTIVE", NextToken: token);
            var response = await batch.DescribeJobDefinitionsAsync(request, cancellationToken);
            found.AddRange(response.JobDefinitions ?? []);
            token = response.NextToken;
        }
        while (token is not null);

        var latest = found.Where(d => d.Status is null or "ACTIVE").MaxBy(d => d.Revision);
        if (latest is null)
        {
            return null;
        }

        var container = latest.ContainerProperties;
        return new JobDefinitionState(
            latest.JobDefinitionName,
            latest.JobDefinitionArn,
            latest.Revision,
            latest.Status,
            container?.Image,
            container?.Command ?? [],
            container?.JobRoleArn,
            container?.ExecutionRoleArn,
            container?.LogConfiguration?.LogDriver,
            container?.LogConfiguration?.Options ?? new Dictionary<string, string>(),
            latest.RetryStrategy?.Attempts,
            latest.Timeout?.AttemptDurationSeconds,
            (container?.Environment ?? []).Where(e => e.Value is not null).ToDictionary(e => e.Name, e => e.Value!, StringComparer.Ordinal))
        {
            SecretNames = (container?.Secrets ?? []).Select(s => s.Name).ToList(),
        };
    }

    public async Task<RoleState?> FindRoleAsync(string roleName, CancellationToken cancellationToken)
    {
        var role = await iam.GetRoleAsync(roleName, cancellationToken);
        if (role is null)
        {
            return null;
        }

        var actions = new List<string>();
        var policies = new List<string>();
        foreach (var (name, arn) in await iam.ListAttachedRolePoliciesAsync(roleName, cancellationToken))
        {
            policies.Add(name);
            actions.AddRange(IamPolicyDocument.AllowedActions(await iam.GetDefaultPolicyDocumentAsync(arn, cancellationToken)));
        }

        foreach (var name in await iam.ListRolePoliciesAsync(roleName, cancellationToken))
        {
            policies.Add($"{name} (inline)");
            actions.AddRange(IamPolicyDocument.AllowedActions(await iam.GetRolePolicyDocumentAsync(roleName, name, cancellationToken)));
        }

        return new RoleState(role.Value.Name, role.Value.Arn, IamPolicyDocument.TrustedServices(role.Value.TrustPolicy),
            actions.Distinct(StringComparer.Ordinal).ToList(), policies);
    }

    public async Task<LogGroupState?> FindLogGroupAsync(string name, CancellationToken cancellationToken)
    {
        var group = await logs.FindLogGroupAsync(name, cancellationToken);
        return group is null ? null : new LogGroupState(group.LogGroupName, group.Arn, group.RetentionInDays);
    }
}

/// <summary>The local runner has no AWS account: the checks skip before they would ask this.</summary>
public sealed class NoCloudInfrastructure : ICloudInfrastructure
{
    private const string Reason = "Runner:Kind is Local: there is no AWS account to read.";

    public Task<CallerIdentity> GetCallerIdentityAsync(CancellationToken cancellationToken) => throw new InvalidOperationException(Reason);

    public Task<JobQueueState?> FindJobQueueAsync(string name, CancellationToken cancellationToken) => throw new InvalidOperationException(Reason);

    public Task<IReadOnlyList<ComputeEnvironmentState>> DescribeComputeEnvironmentsAsync(IReadOnlyList<string> namesOrArns, CancellationToken cancellationToken) =>
        throw new InvalidOperationException(Reason);

    public Task<JobDefinitionState?> FindJobDefinitionAsync(string nameOrArn, CancellationToken cancellationToken) => throw new InvalidOperationException(Reason);

    public Task<RoleState?> FindRoleAsync(string roleName, CancellationToken cancellationToken) => throw new InvalidOperationException(Reason);

    public Task<LogGroupState?> FindLogGroupAsync(string name, CancellationToken cancellationToken) => throw new InvalidOperationException(Reason);
}
