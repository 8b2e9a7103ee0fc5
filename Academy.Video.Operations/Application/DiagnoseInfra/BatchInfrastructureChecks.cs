using System.Globalization;
using System.Text.RegularExpressions;

namespace Academy.Video.Operations.Application.DiagnoseInfra;

/// <summary>What the diagnosis found deployed, looked up once and shared by the checks that need it.</summary>
public sealed class DeployedBatch
{
    private (bool Looked, JobQueueState? Value) queue;
    private (bool Looked, JobDefinitionState? Value) jobDefinition;

    public JobDefinitionState? JobDefinition => jobDefinition.Value;

    public async Task<JobQueueState?> QueueAsync(Func<Task<JobQueueState?>> find)
    {
        ArgumentNullException.ThrowIfNull(find);
        if (!queue.Looked)
        {
            queue = (true, await find());
        }

        return queue.Value;
    }

    public async Task<JobDefinitionState?> JobDefinitionAsync(Func<Task<JobDefinitionState?>> find)
    {
        ArgumentNullException.ThrowIfNull(find);
        if (!jobDefinition.Looked)
        {
            jobDefinition = (true, await find());
        }

        return jobDefinition.Value;
    }
}

/// <summary>
/// The AWS Batch checks of the diagnosis (docs/contract.md §4): CONFIG_MATCH_QUEUE, CONFIG_MATCH_JOBDEF,
/// AWS_ACCESS, QUEUE_CHECK, CE_CHECK, JOBDEF_CHECK and LOG_GROUP_CHECK, each naming its fix.
/// </summary>
public sealed partial class BatchInfrastructureChecks(ICloudInfrastructure cloud, IInfrastructureExpectations expectations, RuntimeProfile profile)
{
    public const string ConfigMatchQueue = "CONFIG_MATCH_QUEUE";
    public const string ConfigMatchJobDefinition = "CONFIG_MATCH_JOBDEF";
    public const string AwsAccess = "AWS_ACCESS";
    public const string QueueCheck = "QUEUE_CHECK";
    public const string ComputeEnvironmentCheck = "CE_CHECK";
    public const string JobDefinitionCheck = "JOBDEF_CHECK";
    public const string LogGroupCheck = "LOG_GROUP_CHECK";
    public const string JobIdReference = "Ref::job_id";

    private string QueueSetting => profile.JobQueue ?? string.Empty;

    private string JobDefinitionSetting => profile.JobDefinition ?? string.Empty;

    /// <summary>The role name of a role ARN (<c>arn:aws:iam::1:role/path/name</c> → <c>name</c>).</summary>
    public static string? RoleName(string? roleArn) =>
        string.IsNullOrWhiteSpace(roleArn) ? null : roleArn[(roleArn.LastIndexOf('/') + 1)..];

    /// <summary>The job definition name of a setting that may be a name, <c>name:revision</c> or an ARN.</summary>
    public static string JobDefinitionName(string setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        var name = setting[(setting.LastIndexOf('/') + 1)..];
        var colon = name.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? name : name[..colon];
    }

    public async Task<CheckResult> ConfigMatchQueueAsync(ReportBuilder report, DeployedBatch deployed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(deployed);
        var expected = expectations.Get();
        var queue = await deployed.QueueAsync(() => cloud.FindJobQueueAsync(QueueSetting, cancellationToken));
        return ConfigMatch(report, ConfigMatchQueue, "QUEUE", "VIDEO_BATCH_JOB_QUEUE (Runner:Batch:JobQueue)", "job queue", QueueSetting, expected.JobQueue, queue?.Name, expected.Source);
    }

    public async Task<CheckResult> ConfigMatchJobDefinitionAsync(ReportBuilder report, DeployedBatch deployed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(deployed);
        var expected = expectations.Get();
        var definition = await deployed.JobDefinitionAsync(() => cloud.FindJobDefinitionAsync(JobDefinitionSetting, cancellationToken));
        return ConfigMatch(report, ConfigMatchJobDefinition, "JOBDEF", "VIDEO_BATCH_JOB_DEFINITION (Runner:Batch:JobDefinition)", "ACTIVE job definition",
            JobDefinitionName(JobDefinitionSetting), expected.JobDefinition, definition?.Name, expected.Source);
    }

    public async Task<CheckResult> AwsAccessAsync(ReportBuilder report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        try
        {
            var identity = await cloud.GetCallerIdentityAsync(cancellationToken);
            report.Step(1, "AWS", [$"ACTIVE_REGION={identity.Region} ACCOUNT={identity.Account} ARN={identity.Arn}"]);
            return CheckResult.Ok(AwsAccess, $"{identity.Arn} in {identity.Region}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            report.Step(1, "AWS", [$"ACTIVE_REGION={profile.Region} sts:GetCallerIdentity failed: {ex.Message}"]);
            return CheckResult.Fail(AwsAccess, $"sts:GetCallerIdentity failed: {ex.Message}",
                $"{AwsAccess}: AWS refused the credentials ({ex.Message}): set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run under an instance or task role; the region is Runner:Batch:Region ({profile.Region}).");
        }
    }

    public async Task<CheckResult> QueueAsync(ReportBuilder report, DeployedBatch deployed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(deployed);
        var queue = await deployed.QueueAsync(() => cloud.FindJobQueueAsync(QueueSetting, cancellationToken));
        if (queue is null)
        {
            report.Step(2, "QUEUE", [$"job queue {QueueSetting}: not found in {profile.Region}"]);
            return CheckResult.Fail(QueueCheck, $"job queue {QueueSetting} not found",
                $"{QueueCheck}: there is no job queue {QueueSetting} in {profile.Region}: deploy the template ({expectations.Get().Source}) or correct VIDEO_BATCH_JOB_QUEUE.");
        }

        var lines = new List<string> { $"state={queue.State} status={queue.Status} jobQueueArn={queue.Arn}" };
        lines.AddRange(queue.ComputeEnvironments.OrderBy(c => c.Order).Select(c => $"computeEnvironment order={c.Order} ce={c.ComputeEnvironment}"));
        report.Step(2, "QUEUE", lines);

        var problems = new List<string>();
        var hints = new List<string>();
        if (!string.Equals(queue.State, "ENABLED", StringComparison.Ordinal))
        {
            problems.Add($"state={queue.State}");
            hints.Add($"{QueueCheck}: the job queue {queue.Name} is {queue.State}: Batch accepts jobs but starts none. Enable it: aws batch update-job-queue --job-queue {queue.Name} --state ENABLED.");
        }

        if (!string.Equals(queue.Status, "VALID", StringComparison.Ordinal))
        {
            problems.Add($"status={queue.Status} ({queue.StatusReason})");
            hints.Add($"{QueueCheck}: the job queue {queue.Name} is {queue.Status}: {queue.StatusReason ?? "no statusReason"}. Fix the cause, then update the queue.");
        }

        if (queue.ComputeEnvironments.Count == 0)
        {
            problems.Add("no compute environment attached");
            hints.Add($"{QueueCheck}: the job queue {queue.Name} has no compute environment: attach {expectations.Get().ComputeEnvironment}.");
        }

        return problems.Count == 0
            ? CheckResult.Ok(QueueCheck, $"{queue.Name} ENABLED/VALID, {queue.ComputeEnvironments.Count} compute environment(s)")
            : CheckResult.Fail(QueueCheck, string.Join("; ", problems), hints);
    }

    public async Task<CheckResult> ComputeEnvironmentsAsync(ReportBuilder report, DeployedBatch deployed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(deployed);
        var expected = expectations.Get();
        var queue = await deployed.QueueAsync(() => cloud.FindJobQueueAsync(QueueSetting, cancellationToken));
        var names = queue is { ComputeEnvironments.Count: > 0 }
            ? queue.ComputeEnvironments.OrderBy(c => c.Order).Select(c => c.ComputeEnvironment).ToList()
            : [expected.ComputeEnvironment];
        var found = await cloud.DescribeComputeEnvironmentsAsync(names, cancellationToken);
        var lines = new List<string>();
        var problems = new List<string>();
        var hints = new List<string>();
        foreach (var wanted in names)
        {
            var ce = found.FirstOrDefault(c => c.Arn == wanted || c.Name == wanted);
            if (ce is null)
            {
                lines.Add($"CE {wanted}: not found");
                problems.Add($"{wanted} not found");
                hints.Add($"{ComputeEnvironmentCheck}: the compute environment {wanted} does not exist: deploy the template ({expected.Source}).");
                continue;
            }

            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"CE {ce.Name} state={ce.State} status={ce.Status} type={ce.Type} maxvCpus={ce.MaxvCpus?.ToString(CultureInfo.InvariantCulture) ?? "none"} instanceTypes=[{string.Join(",", ce.InstanceTypes)}]"));
            if (!string.Equals(ce.State, "ENABLED", StringComparison.Ordinal))
            {
                problems.Add($"{ce.Name} state={ce.State}");
                hints.Add($"{ComputeEnvironmentCheck}: the compute environment {ce.Name} is {ce.State}: no instance starts and jobs stay RUNNABLE. Enable it: aws batch update-compute-environment --compute-environment {ce.Name} --state ENABLED.");
            }

            if (!string.Equals(ce.Status, "VALID", StringComparison.Ordinal))
            {
                problems.Add($"{ce.Name} status={ce.Status}");
                hints.Add($"{ComputeEnvironmentCheck}: the compute environment {ce.Name} is {ce.Status} ({ce.StatusReason ?? "no statusReason"}): fix the cause (service role, subnets, security groups, instance role), then update it. Jobs wait RUNNABLE with ACTION_REQUIRED meanwhile.");
            }

            if (!string.Equals(ce.Type, "MANAGED", StringComparison.Ordinal))
            {
                problems.Add($"{ce.Name} type={ce.Type}");
                hints.Add($"{ComputeEnvironmentCheck}: the compute environment {ce.Name} is {ce.Type}: Batch starts no instances for it. The template creates a MANAGED one.");
            }

            if (ce.MaxvCpus is not > 0)
            {
                problems.Add($"{ce.Name} maxvCpus={ce.MaxvCpus?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
                hints.Add($"{ComputeEnvironmentCheck}: the compute environment {ce.Name} has maxvCpus={ce.MaxvCpus?.ToString(CultureInfo.InvariantCulture) ?? "none"}: it can never start an instance and every job stays RUNNABLE. Set maxvCpus to {expected.MaxvCpus?.ToString(CultureInfo.InvariantCulture) ?? "at least the job's vCPUs"}.");
            }

            var notArm = ce.InstanceTypes.Where(t => !IsArm64(t)).ToList();
            if (notArm.Count > 0)
            {
                problems.Add($"{ce.Name} allows non-ARM64 instance types {string.Join(",", notArm)}");
                hints.Add($"{ComputeEnvironmentCheck}: the compute environment {ce.Name} allows {string.Join(", ", notArm)}: the worker image is built for ARM64, so use Graviton types ({string.Join(", ", expected.InstanceTypes.DefaultIfEmpty("c7g, m7g"))}).");
            }
        }

        report.Step(2, "CE", lines);
        return problems.Count == 0
            ? CheckResult.Ok(ComputeEnvironmentCheck, string.Join(", ", found.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Name} ENABLED/VALID MANAGED maxvCpus={c.MaxvCpus}"))))
            : CheckResult.Fail(ComputeEnvironmentCheck, string.Join("; ", problems), hints);
    }

    public async Task<CheckResult> JobDefinitionAsync(ReportBuilder report, DeployedBatch deployed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(deployed);
        var expected = expectations.Get();
        var definition = await deployed.JobDefinitionAsync(() => cloud.FindJobDefinitionAsync(JobDefinitionSetting, cancellationToken));
        if (definition is null)
        {
            report.Step(3, "JOBDEF", [$"job definition {JobDefinitionSetting}: no ACTIVE revision in {profile.Region}"]);
            return CheckResult.Fail(JobDefinitionCheck, $"no ACTIVE revision of {JobDefinitionSetting}",
                $"{JobDefinitionCheck}: there is no ACTIVE job definition {JobDefinitionSetting} in {profile.Region}: register it (deploy the template, {expected.Source}) or correct VIDEO_BATCH_JOB_DEFINITION.");
        }

        report.Step(3, "JOBDEF",
        [
            string.Create(CultureInfo.InvariantCulture, $"revision={definition.Revision} status={definition.Status} image={definition.Image}"),
            $"executionRoleArn={definition.ExecutionRoleArn} jobRoleArn={definition.JobRoleArn}",
            $"logDriver={definition.LogDriver} logGroup={definition.LogGroup}",
            $"retryStrategy.attempts={Text(definition.RetryAttempts)} timeout.attemptDurationSeconds={Text(definition.TimeoutSeconds)}",
            $"command=[{string.Join(", ", definition.Command)}]",
        ]);

        var problems = new List<string>();
        var hints = new List<string>();
        void Problem(string problem, string hint)
        {
            problems.Add(problem);
            hints.Add($"{JobDefinitionCheck}: {hint}");
        }

        if (string.IsNullOrWhiteSpace(definition.Image))
        {
            Problem("no image", "the job definition has no image: register it with the worker image (build/worker-image.sh pushes it).");
        }

        CheckRole("jobRoleArn", "job role", definition.JobRoleArn, expected.JobRole.Name, Problem);
        CheckRole("executionRoleArn", "execution role", definition.ExecutionRoleArn, expected.ExecutionRole.Name, Problem);
        if (!string.Equals(definition.LogDriver, "awslogs", StringComparison.Ordinal) || !string.Equals(definition.LogGroup, expected.LogGroup, StringComparison.Ordinal))
        {
            Problem($"logDriver={definition.LogDriver} logGroup={definition.LogGroup}",
                $"the job definition logs with {definition.LogDriver ?? "no driver"} to {definition.LogGroup ?? "no group"}: use logDriver awslogs with awslogs-group {expected.LogGroup}, or the worker's events are not where operators look.");
        }

        if (definition.RetryAttempts != expected.RetryAttempts)
        {
            Problem($"retryStrategy.attempts={Text(definition.RetryAttempts)}",
                $"retryStrategy.attempts is {Text(definition.RetryAttempts)}: it must be {expected.RetryAttempts}. The database decides every retry (docs/contract.md §1); Batch retries would run an attempt the database has not counted.");
        }

        if (definition.TimeoutSeconds != expected.TimeoutSeconds)
        {
            Problem($"timeout={Text(definition.TimeoutSeconds)}",
                $"timeout.attemptDurationSeconds is {Text(definition.TimeoutSeconds)}: it must be {expected.TimeoutSeconds} (4 h), the longest lecture's encode.");
        }

        if (!definition.Command.Contains(JobIdReference, StringComparer.Ordinal))
        {
            Problem($"command lacks {JobIdReference}",
                $"the command [{string.Join(", ", definition.Command)}] does not pass {JobIdReference}: the worker reads its job id from argv[1] and exits with INVALID_JOB_ID. Register the command from the template (it ends with {JobIdReference}).");
        }

        return problems.Count == 0
            ? CheckResult.Ok(JobDefinitionCheck, string.Create(CultureInfo.InvariantCulture, $"{definition.Name}:{definition.Revision} image, roles, awslogs, attempts=1, timeout {expected.TimeoutSeconds}, {JobIdReference}"))
            : CheckResult.Fail(JobDefinitionCheck, string.Join("; ", problems), hints);
    }

    public async Task<CheckResult> LogGroupAsync(ReportBuilder report, DeployedBatch deployed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(deployed);
        var name = deployed.JobDefinition?.LogGroup ?? expectations.Get().LogGroup;
        var group = await cloud.FindLogGroupAsync(name, cancellationToken);
        report.Step(4, "LOG GROUP", [$"logGroup={name} exists={group is not null} retentionInDays={Text(group?.RetentionInDays)}"]);
        return group is not null
            ? CheckResult.Ok(LogGroupCheck, $"{name} exists")
            : CheckResult.Fail(LogGroupCheck, $"log group {name} does not exist",
                $"Log group missing: job definition logConfiguration or logs:CreateLogStream permission. Create {name} (the template does) and let the execution role logs:CreateLogStream and logs:PutLogEvents on it.");
    }

    private static void CheckRole(string field, string kind, string? arn, string expectedName, Action<string, string> problem)
    {
        var name = RoleName(arn);
        if (name is null)
        {
            problem($"no {field}", $"the job definition has no {field}: set the {kind} {expectedName}.");
        }
        else if (!string.Equals(name, expectedName, StringComparison.Ordinal))
        {
            problem($"{field} names {name}", $"{field} names {name}, the template's {kind} is {expectedName}: register the job definition from the template.");
        }
    }

    private CheckResult ConfigMatch(
        ReportBuilder report, string check, string label, string settingName, string kind, string setting, string template, string? deployed, string source)
    {
        var match = setting == template && deployed == setting;
        report.Step(0, "CONFIG_DIFF", [$"API_{label}={setting} TEMPLATE_{label}={template} DEPLOYED_{label}={deployed ?? "(none)"} -> {(match ? "MATCH" : "MISMATCH")}"]);
        if (match)
        {
            return CheckResult.Ok(check, $"{setting} in the settings, the template and the account");
        }

        var hints = new List<string>();
        if (setting != template)
        {
            hints.Add($"{check}: the API uses {settingName}={setting} but the template ({source}) names it {template}: make them the same.");
        }

        if (deployed is null)
        {
            hints.Add($"{check}: there is no {kind} named {setting} in {profile.Region}: deploy the template in this region, or correct Runner:Batch:Region.");
        }

        return CheckResult.Fail(check, $"settings {setting}, template {template}, deployed {deployed ?? "(none)"}", hints);
    }

    private static string Text(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "none";

    /// <summary>Graviton families carry a "g" after the generation digit (c7g, m6gd, c6gn, t4g, im4gn); a1 is the first.</summary>
    private static bool IsArm64(string instanceType) => ArmFamily().IsMatch(instanceType.Split('.')[0]);

    [GeneratedRegex("^(a1|[a-z]+[0-9]+g[a-z]*)$", RegexOptions.CultureInvariant)]
    private static partial Regex ArmFamily();
}
