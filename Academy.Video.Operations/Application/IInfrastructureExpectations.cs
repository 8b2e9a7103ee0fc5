namespace Academy.Video.Operations.Application;

/// <summary>
/// What the infrastructure template declares (docs/contract.md §4): the names of the Batch resources and roles,
/// the job definition's contract, and what each role must be granted. The diagnosis compares the
/// settings and the deployed account against it.
/// </summary>
public interface IInfrastructureExpectations
{
    InfrastructureExpectations Get();
}

/// <param name="Source">Where the expectations come from, for the report (the template's path).</param>
public sealed record InfrastructureExpectations(
    string Source,
    string JobQueue,
    string JobDefinition,
    string ComputeEnvironment,
    string LogGroup,
    RoleExpectation JobRole,
    RoleExpectation ExecutionRole,
    int RetryAttempts,
    int TimeoutSeconds,
    int? MaxvCpus,
    IReadOnlyList<string> InstanceTypes);

/// <param name="Actions">IAM actions the role's policies must allow (<c>logs:PutLogEvents</c>).</param>
/// <param name="ManagedPolicies">Names of the managed policies that must be attached to it.</param>
public sealed record RoleExpectation(string Name, string TrustedService, IReadOnlyList<string> Actions, IReadOnlyList<string> ManagedPolicies);
