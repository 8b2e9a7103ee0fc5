using System.Text.RegularExpressions;

namespace Academy.Video.Operations.Application.Checks;

/// <summary>
/// IAM_CHECK (Batch mode): the job role and the execution role exist, trust the service that assumes
/// them (<c>ecs-tasks.amazonaws.com</c>), and allow every action the infrastructure template says
/// they need. Only actions are compared: resource scoping is the template's business.
/// </summary>
public sealed class IamRolesCheck(ICloudInfrastructure cloud, IInfrastructureExpectations expectations)
{
    public const string Name = "IAM_CHECK";

    /// <param name="jobRoleName">The job role to check (the deployed job definition's); the template's when null.</param>
    public async Task<CheckResult> RunAsync(ReportBuilder report, int step, string? jobRoleName, string? executionRoleName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (!report.Profile.OnAws)
        {
            report.Step(step, "IAM", [$"IAM: skipped ({report.Profile.AwsOnlySkipReason})"]);
            return CheckResult.Skip(Name, report.Profile.AwsOnlySkipReason);
        }

        var expected = expectations.Get();
        var roles = new[]
        {
            (Kind: "job role", Expected: expected.JobRole, Name: jobRoleName ?? expected.JobRole.Name),
            (Kind: "execution role", Expected: expected.ExecutionRole, Name: executionRoleName ?? expected.ExecutionRole.Name),
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
        report.Step(step, "IAM", lines);
        return problems.Count == 0
            ? CheckResult.Ok(Name, $"{roles[0].Name} and {roles[1].Name} exist, trust {expected.JobRole.TrustedService} and allow what the template needs")
            : CheckResult.Fail(Name, string.Join("; ", problems), hints);
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
