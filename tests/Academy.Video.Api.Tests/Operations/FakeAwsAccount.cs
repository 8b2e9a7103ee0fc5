using System.Text.Json;
using System.Text.Json.Nodes;
using Academy.Video.Infrastructure.Aws;
using Academy.Video.Operations.Aws;

namespace Academy.Video.Api.Tests.Operations;

/// <summary>
/// What the fake AWS account holds. <see cref="Healthy"/> is the infrastructure template deployed as
/// written; each scenario breaks one thing. Lock the account while editing it during a run.
/// </summary>
internal sealed class FakeAwsAccount
{
    public const string AccountId = "123456789012";
    public const string ExecutionManagedPolicyArn = "arn:aws:iam::aws:policy/service-role/AcademyVideoWorkerPull";
    public const string WorkerImage = AccountId + ".dkr.ecr.ap-northeast-2.amazonaws.com/academy-video-worker:3f2b8c1";

    public Dictionary<string, FakeQueue> Queues { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, FakeComputeEnvironment> ComputeEnvironments { get; } = new(StringComparer.Ordinal);

    public List<FakeJobDefinition> JobDefinitions { get; } = [];

    public Dictionary<string, FakeBatchJob> Jobs { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, FakeRole> Roles { get; } = new(StringComparer.Ordinal);

    /// <summary>Managed policy ARN → its default version's JSON document.</summary>
    public Dictionary<string, string> ManagedPolicies { get; } = new(StringComparer.Ordinal);

    /// <summary>Log group → retention in days.</summary>
    public Dictionary<string, int?> LogGroups { get; } = new(StringComparer.Ordinal);

    public Dictionary<(string Group, string Stream), List<string>> LogEvents { get; } = [];

    public static InfrastructureTemplate Template => InfrastructureTemplate.Embedded;

    public FakeQueue Queue => Queues[Template.JobQueueName];

    public FakeComputeEnvironment ComputeEnvironment => ComputeEnvironments[Template.ComputeEnvironmentName];

    public FakeJobDefinition LatestJobDefinition => JobDefinitions.Where(d => d.Status == "ACTIVE").MaxBy(d => d.Revision)!;

    public static string RoleArn(string name) => $"arn:aws:iam::{AccountId}:role/{name}";

    public static string Arn(string kind, string name) => $"arn:aws:batch:{FakeAws.Region}:{AccountId}:{kind}/{name}";

    /// <summary>The template's resources, deployed as written (the execution role's ECR and log actions come through a managed policy).</summary>
    public static FakeAwsAccount Healthy()
    {
        var template = Template;
        var account = new FakeAwsAccount();
        var ce = new FakeComputeEnvironment(template.ComputeEnvironmentName)
        {
            MaxvCpus = template.ComputeEnvironment.MaxvCpus,
            InstanceTypes = [.. template.ComputeEnvironment.InstanceTypes],
        };
        account.ComputeEnvironments[ce.Name] = ce;
        account.Queues[template.JobQueueName] = new FakeQueue(template.JobQueueName) { ComputeEnvironmentArns = [ce.Arn] };

        var definition = template.JobDefinition;
        account.JobDefinitions.Add(new FakeJobDefinition(definition.Name, 2) { RetryAttempts = 3, Command = ["python", "batch_main.py"] });
        account.JobDefinitions.Add(new FakeJobDefinition(definition.Name, 3)
        {
            Command = [.. definition.Command],
            JobRoleArn = RoleArn(template.JobRoleName),
            ExecutionRoleArn = RoleArn(template.ExecutionRoleName),
            LogGroup = definition.LogGroupName,
            RetryAttempts = definition.RetryAttempts,
            TimeoutSeconds = definition.TimeoutSeconds,
            Environment = new Dictionary<string, string>(definition.Environment),
            Secrets = new Dictionary<string, string>(definition.Secrets),
        });

        account.Roles[template.JobRoleName] = new FakeRole(Trust(template.JobRole.TrustedServices));
        var executionActions = template.ExecutionRole.AllowedActions;
        var execution = new FakeRole(Trust(template.ExecutionRole.TrustedServices));
        // The ECR and log actions come from an attached managed policy, the rest from an inline one.
        account.ManagedPolicies[ExecutionManagedPolicyArn] = Policy(executionActions.Where(a => a.StartsWith("ecr:", StringComparison.Ordinal)).ToList());
        account.ManagedPolicies["arn:aws:iam::aws:policy/CloudWatchLogsWriteOnly"] = Policy(["logs:Create*", "logs:PutLogEvents"]);
        execution.AttachedPolicyArns.Add(ExecutionManagedPolicyArn);
        execution.AttachedPolicyArns.Add("arn:aws:iam::aws:policy/CloudWatchLogsWriteOnly");
        execution.InlinePolicies["academy-video-worker-execution"] =
            Policy(executionActions.Where(a => !a.StartsWith("ecr:", StringComparison.Ordinal) && !a.StartsWith("logs:", StringComparison.Ordinal)).ToList());
        account.Roles[template.ExecutionRoleName] = execution;
        account.LogGroups[template.LogGroupName] = template.LogGroup.RetentionInDays;
        return account;
    }

    /// <summary>A Batch job that ran and a stream with the worker's events (or the ones given).</summary>
    public void AddFinishedJob(string batchJobId, string status, string stream, params string[] events)
    {
        Jobs[batchJobId] = new FakeBatchJob(status) { LogStream = stream, LogGroup = Template.LogGroupName, ExitCode = status == "SUCCEEDED" ? 0 : 1 };
        LogEvents[(Template.LogGroupName, stream)] = events
            .Select(e => JsonSerializer.Serialize(new Dictionary<string, string> { ["timestamp"] = "2026-01-01T00:00:00Z", ["level"] = "Information", ["event"] = e, ["message"] = e }))
            .Prepend("not json: a line ffmpeg wrote")
            .ToList();
    }

    public static string Trust(IEnumerable<string> services) => JsonSerializer.Serialize(new
    {
        Version = "2012-10-17",
        Statement = new[] { new { Effect = "Allow", Principal = new { Service = services.ToArray() }, Action = "sts:AssumeRole" } },
    });

    public static string Policy(IReadOnlyList<string> actions) => JsonSerializer.Serialize(new
    {
        Version = "2012-10-17",
        Statement = new object[] { new { Effect = "Allow", Action = actions, Resource = "*" }, new { Effect = "Deny", Action = "iam:*", Resource = "*" } },
    });
}

internal sealed class FakeQueue(string name)
{
    public string Name { get; } = name;

    public string Arn => FakeAwsAccount.Arn("job-queue", Name);

    public string State { get; set; } = "ENABLED";

    public string Status { get; set; } = "VALID";

    public string StatusReason { get; set; } = "JobQueue Healthy";

    public List<string> ComputeEnvironmentArns { get; init; } = [];

    public JsonObject ToJson() => new()
    {
        ["jobQueueName"] = Name,
        ["jobQueueArn"] = Arn,
        ["state"] = State,
        ["status"] = Status,
        ["statusReason"] = StatusReason,
        ["priority"] = 1,
        ["computeEnvironmentOrder"] = new JsonArray(ComputeEnvironmentArns.Select((arn, i) => (JsonNode)new JsonObject { ["order"] = i + 1, ["computeEnvironment"] = arn }).ToArray()),
        ["tags"] = new JsonObject(),
    };
}

internal sealed class FakeComputeEnvironment(string name)
{
    public string Name { get; } = name;

    public string Arn => FakeAwsAccount.Arn("compute-environment", Name);

    public string Type { get; set; } = "MANAGED";

    public string State { get; set; } = "ENABLED";

    public string Status { get; set; } = "VALID";

    public string StatusReason { get; set; } = "ComputeEnvironment Healthy";

    public int MaxvCpus { get; set; } = 32;

    public List<string> InstanceTypes { get; set; } = ["c7g"];

    public JsonObject ToJson() => new()
    {
        ["computeEnvironmentName"] = Name,
        ["computeEnvironmentArn"] = Arn,
        ["ecsClusterArn"] = $"arn:aws:ecs:{FakeAws.Region}:{FakeAwsAccount.AccountId}:cluster/{Name}_Batch",
        ["type"] = Type,
        ["state"] = State,
        ["status"] = Status,
        ["statusReason"] = StatusReason,
        ["computeResources"] = new JsonObject
        {
            ["type"] = "SPOT",
            ["minvCpus"] = 0,
            ["maxvCpus"] = MaxvCpus,
            ["desiredvCpus"] = 0,
            ["instanceTypes"] = new JsonArray(InstanceTypes.Select(t => (JsonNode)t).ToArray()),
            ["subnets"] = new JsonArray("subnet-0a1b2c3d"),
            ["securityGroupIds"] = new JsonArray("sg-0a1b2c3d"),
        },
        ["serviceRole"] = $"arn:aws:iam::{FakeAwsAccount.AccountId}:role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch",
    };
}

internal sealed class FakeJobDefinition(string name, int revision)
{
    public string Name { get; } = name;

    public int Revision { get; } = revision;

    public string Arn => FakeAwsAccount.Arn("job-definition", $"{Name}:{Revision}");

    public string Status { get; set; } = "ACTIVE";

    public string Image { get; set; } = FakeAwsAccount.WorkerImage;

    public List<string> Command { get; set; } = ["Ref::job_id"];

    public string? JobRoleArn { get; set; }

    public string? ExecutionRoleArn { get; set; }

    public string? LogGroup { get; set; }

    public int RetryAttempts { get; set; } = 1;

    public int TimeoutSeconds { get; set; } = 14400;

    public Dictionary<string, string> Environment { get; set; } = [];

    /// <summary>Variable name → the secret's ARN (<c>valueFrom</c>).</summary>
    public Dictionary<string, string> Secrets { get; set; } = [];

    public JsonObject ToJson()
    {
        var container = new JsonObject
        {
            ["image"] = Image,
            ["command"] = new JsonArray(Command.Select(c => (JsonNode)c).ToArray()),
            ["environment"] = new JsonArray(Environment.Select(e => (JsonNode)new JsonObject { ["name"] = e.Key, ["value"] = e.Value }).ToArray()),
            ["secrets"] = new JsonArray(Secrets.Select(e => (JsonNode)new JsonObject { ["name"] = e.Key, ["valueFrom"] = e.Value }).ToArray()),
            ["resourceRequirements"] = new JsonArray(new JsonObject { ["type"] = "VCPU", ["value"] = "4" }, new JsonObject { ["type"] = "MEMORY", ["value"] = "7168" }),
            ["mountPoints"] = new JsonArray(),
            ["volumes"] = new JsonArray(),
        };
        if (JobRoleArn is not null)
        {
            container["jobRoleArn"] = JobRoleArn;
        }

        if (ExecutionRoleArn is not null)
        {
            container["executionRoleArn"] = ExecutionRoleArn;
        }

        if (LogGroup is not null)
        {
            container["logConfiguration"] = new JsonObject
            {
                ["logDriver"] = "awslogs",
                ["options"] = new JsonObject { ["awslogs-group"] = LogGroup, ["awslogs-region"] = FakeAws.Region },
                ["secretOptions"] = new JsonArray(),
            };
        }

        return new JsonObject
        {
            ["jobDefinitionName"] = Name,
            ["jobDefinitionArn"] = Arn,
            ["revision"] = Revision,
            ["status"] = Status,
            ["type"] = "container",
            ["parameters"] = new JsonObject(),
            ["retryStrategy"] = new JsonObject { ["attempts"] = RetryAttempts, ["evaluateOnExit"] = new JsonArray() },
            ["timeout"] = new JsonObject { ["attemptDurationSeconds"] = TimeoutSeconds },
            ["containerProperties"] = container,
            ["platformCapabilities"] = new JsonArray("EC2"),
            ["containerOrchestrationType"] = "ECS",
        };
    }
}

internal sealed class FakeBatchJob(string status)
{
    public string Status { get; set; } = status;

    public string? StatusReason { get; set; }

    public int? ExitCode { get; set; }

    public string? LogStream { get; set; }

    public string? LogGroup { get; set; }

    public long CreatedAt { get; set; } = 1767225600000;

    public JsonObject ToJson(string id)
    {
        var ended = Status is "SUCCEEDED" or "FAILED";
        var started = ended || Status == "RUNNING";
        var container = new JsonObject { ["image"] = FakeAwsAccount.WorkerImage, ["command"] = new JsonArray("Ref::job_id") };
        if (ExitCode is not null && ended)
        {
            container["exitCode"] = ExitCode;
        }

        if (StatusReason is not null && ended)
        {
            container["reason"] = StatusReason;
        }

        if (LogStream is not null && started)
        {
            container["logStreamName"] = LogStream;
            container["logConfiguration"] = new JsonObject { ["logDriver"] = "awslogs", ["options"] = new JsonObject { ["awslogs-group"] = LogGroup } };
        }

        var job = new JsonObject
        {
            ["jobArn"] = $"arn:aws:batch:{FakeAws.Region}:{FakeAwsAccount.AccountId}:job/{id}",
            ["jobName"] = "video-3f2b8c1e",
            ["jobId"] = id,
            ["jobQueue"] = FakeAwsAccount.Arn("job-queue", FakeAwsAccount.Template.JobQueueName),
            ["status"] = Status,
            ["createdAt"] = CreatedAt,
            ["jobDefinition"] = FakeAwsAccount.Arn("job-definition", $"{FakeAwsAccount.Template.JobDefinitionName}:3"),
            ["parameters"] = new JsonObject { ["job_id"] = "3f2b8c1e-9a7d-4e2f-8b1c-0d9e8f7a6b5c" },
            ["container"] = container,
        };
        if (StatusReason is not null)
        {
            job["statusReason"] = StatusReason;
        }

        if (started)
        {
            job["startedAt"] = CreatedAt + 60_000;
        }

        if (ended)
        {
            job["stoppedAt"] = CreatedAt + 120_000;
        }

        return job;
    }
}

internal sealed class FakeRole(string trustPolicy)
{
    public string TrustPolicy { get; set; } = trustPolicy;

    public List<string> AttachedPolicyArns { get; } = [];

    /// <summary>Inline policy name → JSON document.</summary>
    public Dictionary<string, string> InlinePolicies { get; } = new(StringComparer.Ordinal);
}
