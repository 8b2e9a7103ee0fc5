using System.Text.RegularExpressions;

namespace Academy.Video.Operations.Application.Checks;

/// <summary>
/// IAM_CHECK (Batch mode): the job role and the execution role exist, trust the service that assumes
/// them (<c>ecs-tasks.amazonaws.com</c>), and allow every action the infrastructure template says
/// they need. Only actions are compared: resource scoping is the template's business. The roles are
/// the registered job definition's, and what the execution role needs follows it too: reading secrets
/// (<c>secretsmanager:*</c>, <c>ssm:*</c>) only when that definition injects any.
/// </summary>
public sealed class IamRolesCheck(ICloudInfrastructure cloud, IInfrastructureExpectations expectations)
{
    public const string Name = "IAM_CHECK";

    /// <param name="deployed">The registered job definition, when the caller has read it; otherwise this check reads it (and falls back to the template's roles when it cannot).</param>
    public async Task<CheckResult> RunAsync(ReportBuilder report, int step, JobDefinitionState? deployed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (!report.Profile.OnAws)
        {
            report.Step(step, "IAM", [$"IAM: skipped ({report.Profile.AwsOnlySkipReason})"]);
            return CheckResult.Skip(Name, report.Profile.AwsOnlySkipReason);
        }

        deployed ??= await ReadDefinitionAsync(report.Profile.JobDefinition, cancellationToken);
        var expected = expectations.Get();
        var execution = expected.ExecutionRole;
        if (deployed is { SecretNames.Count: 0 })
        {
            // Batch asks the execution role for secrets only when the definition injects some.
            execution = execution with { Actions = execution.Actions.Where(a => !IsSecretRead(a)).ToList() };
        }

        var roles = new[]
        {
            (Kind: "job role", Expected: expected.JobRole, Name: RoleName(deployed?.JobRoleArn) ?? expected.JobRole.Name),
            (Kind: "execution role", Expected: execution, Name: RoleName(deployed?.ExecutionRoleArn) ?? expected.ExecutionRole.Name),
        };

        var exists = new List<string>();
        var lines = new List<string>();
        var problems = new List<string>();
        var hints = new List<string>();
        foreach (var (kind, expectation, roleName) in roles)
        {
            var role = await cloud.FindRoleAsync(roleName, cancellationToken);
            exists.Add($"{roleName}: {role is not null}");
            if (role is null)
            {
                problems.Add($"{kind} {roleName} does not exist");
                hints.Add($"{Name}: the {kind} {roleName} does not exist: create it with its policies (deploy the template, {expected.Source}), then register the job definition again so it points at the role.");
                continue;
            }

            var trusts = role.TrustedServices.Contains(expectation.TrustedService);
            var missing = expectation.Actions.Where(action => !IamActions.Allows(role.AllowedActions, action))
                .Concat(expectation.ManagedPolicies.Where(policy => !role.Policies.Contains(policy, StringComparer.Ordinal)).Select(policy => $"managed policy {policy}"))
                .ToList();
            lines.Add($"{roleName}: trusts {expectation.TrustedService}={trusts} policies=[{string.Join(", ", role.Policies)}] missing actions=[{string.Join(", ", missing)}]");
            if (!trusts)
            {
                problems.Add($"{roleName} does not trust {expectation.TrustedService}");
                hints.Add($"{Name}: the trust policy of {roleName} must allow {expectation.TrustedService} to sts:AssumeRole, or Batch cannot give the role to the container (it trusts: {string.Join(", ", role.TrustedServices.DefaultIfEmpty("nothing"))}).");
            }

            if (missing.Count > 0)
            {
                problems.Add($"{roleName} lacks {string.Join(", ", missing)}");
                hints.Add($"{Name}: {roleName} ({kind}) lacks {string.Join(", ", missing)}: attach the policy the template ({expected.Source}) declares for it.");
            }
        }

        lines.Insert(0, "IAM: " + string.Join(" ", exists));
        if (deployed is not null)
        {
            lines.Add(deployed.SecretNames.Count == 0
                ? $"job definition {deployed.Name}:{deployed.Revision} injects no secrets: the execution role needs no secretsmanager:GetSecretValue"
                : $"job definition {deployed.Name}:{deployed.Revision} injects secrets {string.Join(", ", deployed.SecretNames)}: the execution role must read them");
        }

        report.Step(step, "IAM", lines);
        return problems.Count == 0
            ? CheckResult.Ok(Name, $"{roles[0].Name} and {roles[1].Name} exist, trust {expected.JobRole.TrustedService} and allow what the template needs")
            : CheckResult.Fail(Name, string.Join("; ", problems), hints);
    }

    /// <summary>The role's name from its ARN (<c>arn:aws:iam::1:role/path/name</c>).</summary>
    public static string? RoleName(string? arn) => string.IsNullOrEmpty(arn) ? null : arn[(arn.LastIndexOf('/') + 1)..];

    private static bool IsSecretRead(string action) =>
        action.StartsWith("secretsmanager:", StringComparison.OrdinalIgnoreCase) || action.StartsWith("ssm:", StringComparison.OrdinalIgnoreCase);

    private async Task<JobDefinitionState?> ReadDefinitionAsync(string? name, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        try
        {
            return await cloud.FindJobDefinitionAsync(name, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The role lookups that follow fail for the same reason and say so; the template's roles are checked.
            return null;
        }
    }
}

/// <summary>IAM action matching: case-insensitive, <c>*</c> and <c>?</c> wildcards (<c>logs:*</c>, <c>s3:Get*</c>, <c>*</c>).</summary>
public static class IamActions
{
    public static bool Allows(IEnumerable<string> allowed, string action)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        return allowed.Any(pattern => Regex.IsMatch(
            action,
            "^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant,
            TimeSpan.FromSeconds(1)));
    }
}
