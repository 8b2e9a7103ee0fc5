using Academy.Video.IntegrationTests.Persistence;

namespace Academy.Video.Api.Tests.Operations;

/// <summary>
/// validate-system, diagnose-infra and check-settings in Batch mode against a fake AWS account (one real
/// listener checking SigV4, answering Batch, IAM, STS and CloudWatch Logs) and a real database: a
/// healthy account, then one scenario per failure of the earlier system's operators (docs/contract.md §4), each asserting the
/// check's line and the hint that names the fix.
/// </summary>
public sealed class AwsDiagnosisTests : IAsyncLifetime
{
    private const string Stream = "academy-video-batch-jobdef/default/0f1e2d3c4b5a";

    private readonly FakeAws aws = new();
    private readonly string storage = Path.Combine(Path.GetTempPath(), "academy-video-ops-tests", Guid.NewGuid().ToString("N"));
    private PostgresDatabase database = null!;

    private FakeAwsAccount Account => aws.Account;

    public async Task InitializeAsync() => database = await PostgresDatabase.CreateAsync();

    public async Task DisposeAsync()
    {
        aws.Dispose();
        await database.DisposeAsync();
        if (Directory.Exists(storage))
        {
            Directory.Delete(storage, recursive: true);
        }
    }

    [Fact]
    public async Task A_healthy_account_gives_SYSTEM_STATUS_OK_in_every_command()
    {
        await OperationsRows.SucceededAsync(database.DataSource, "b-done");
        Account.AddFinishedJob("b-done", "SUCCEEDED", Stream, "BATCH_PROCESS_START", "BATCH_PHASE", "BATCH_JOB_COMPLETED");

        var validate = await RunAsync("validate-system");
        var diagnose = await RunAsync("diagnose-infra");
        var settings = await RunAsync("check-settings");

        Assert.True(validate.ExitCode == 0, validate.ToString());
        foreach (var check in new[] { "DB_CHECK", "BATCH_CHECK", "LOG_CHECK", "STUCK_CHECK", "STORAGE_CHECK", "IAM_CHECK" })
        {
            Assert.StartsWith($"{check}: OK", validate.Check(check), StringComparison.Ordinal);
        }

        Assert.Contains("SYSTEM_STATUS: OK", validate.Lines);
        Assert.Contains("ROOT_CAUSE_HINTS: none", validate.Lines);
        Assert.Contains($"STEP 3 Logs: BATCH_PROCESS_START=True BATCH_JOB_COMPLETED=True", validate.Output, StringComparison.Ordinal);

        Assert.True(diagnose.ExitCode == 0, diagnose.ToString());
        foreach (var check in new[] { "CONFIG_MATCH_QUEUE", "CONFIG_MATCH_JOBDEF", "AWS_ACCESS", "QUEUE_CHECK", "CE_CHECK", "JOBDEF_CHECK", "IAM_CHECK", "LOG_GROUP_CHECK", "LOG_CONTENT_CHECK" })
        {
            Assert.StartsWith($"{check}: OK", diagnose.Check(check), StringComparison.Ordinal);
        }

        Assert.StartsWith("SMOKE_SUBMIT_CHECK: SKIP", diagnose.Check("SMOKE_SUBMIT_CHECK"), StringComparison.Ordinal);
        Assert.Contains("API_QUEUE=academy-video-batch-queue TEMPLATE_QUEUE=academy-video-batch-queue DEPLOYED_QUEUE=academy-video-batch-queue -> MATCH", diagnose.Lines);
        Assert.Contains($"ACTIVE_REGION={FakeAws.Region} ACCOUNT={FakeAwsAccount.AccountId} ARN=arn:aws:iam::{FakeAwsAccount.AccountId}:user/academy-ops", diagnose.Lines);
        Assert.Contains("revision=3 status=ACTIVE image=" + FakeAwsAccount.WorkerImage, diagnose.Lines);

        Assert.True(settings.ExitCode == 0, settings.ToString());
        Assert.Contains("SETTINGS_CHECK: OK", settings.Lines);
        Assert.DoesNotContain(settings.Lines, l => l.StartsWith("WARN ", StringComparison.Ordinal));
        Assert.Contains("WORKER Jobs:StuckThreshold API=00:03:00 worker=00:03:00 (job definition academy-video-batch-jobdef:3 environment) MATCH", settings.Lines);

        // Every service was reached, every request was signed, IAM's for us-east-1 (the fake refuses anything else).
        Assert.All(aws.Requests, request => Assert.True(request.Signed, $"{request.Service} {request.Operation} was refused"));
        Assert.Equal(["batch", "iam", "logs", "sts"], aws.Requests.Select(r => r.Service).Distinct().Order(StringComparer.Ordinal));
        Assert.Contains(aws.Requests, r => r.Operation == "GetPolicyVersion");
        Assert.Contains(aws.Requests, r => r.Operation == "Logs_20140328.FilterLogEvents");
    }

    [Fact]
    public async Task QUEUED_jobs_without_a_Batch_id_past_the_grace_period_fail_DB_CHECK_with_the_seed_hint()
    {
        for (var i = 0; i < 3; i++)
        {
            await OperationsRows.QueuedAsync(database.DataSource, TimeSpan.FromMinutes(10 + i));
        }

        await OperationsRows.QueuedAsync(database.DataSource, TimeSpan.FromSeconds(30)); // within the grace period: fine

        var run = await RunAsync("validate-system");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal("DB_CHECK: FAIL (3 QUEUED job(s) without a runner id past the 00:02:00 grace period)", run.Check("DB_CHECK"));
        Assert.Contains(run.Hints, h => h.StartsWith("- DB_CHECK: QUEUED jobs have an empty aws_batch_job_id: the submission failed or its id was never stored.", StringComparison.Ordinal));
        Assert.Contains("\"aws_batch_job_id\": null", run.Output, StringComparison.Ordinal);
        Assert.Matches("\"rule\": \"QUEUED_WITHOUT_RUNNER_ID: QUEUED for 00:1[0-9]:[0-9]{2} without a runner id \\(grace 00:02:00\\)\"", run.Output);
        Assert.StartsWith("BATCH_CHECK: OK", run.Check("BATCH_CHECK"), StringComparison.Ordinal);
        Assert.StartsWith("STUCK_CHECK: OK (dry run: would mark stuck=0 would submit=3", run.Check("STUCK_CHECK"), StringComparison.Ordinal);
        Assert.Contains("SYSTEM_STATUS: NEEDS_ATTENTION", run.Lines);
    }

    [Fact]
    public async Task A_missing_job_role_fails_IAM_CHECK_and_says_to_create_it()
    {
        Account.Roles.Remove(FakeAwsAccount.Template.JobRoleName);

        var validate = await RunAsync("validate-system");
        var diagnose = await RunAsync("diagnose-infra");

        foreach (var run in new[] { validate, diagnose })
        {
            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.Equal("IAM_CHECK: FAIL (job role academy-video-batch-job-role does not exist)", run.Check("IAM_CHECK"));
            Assert.Contains(run.Hints, h => h.StartsWith("- IAM_CHECK: the job role academy-video-batch-job-role does not exist: create it with its policies", StringComparison.Ordinal));
        }

        Assert.Contains("STEP 6 IAM: academy-video-batch-job-role: False academy-batch-ecs-task-execution-role: True", validate.Lines);
    }

    [Fact]
    public async Task An_execution_role_without_the_templates_actions_or_trust_fails_IAM_CHECK()
    {
        var execution = Account.Roles[FakeAwsAccount.Template.ExecutionRoleName];
        execution.AttachedPolicyArns.Remove("arn:aws:iam::aws:policy/CloudWatchLogsWriteOnly");
        execution.TrustPolicy = FakeAwsAccount.Trust(["ec2.amazonaws.com"]);

        var run = await RunAsync("diagnose-infra");

        Assert.Equal(
            "IAM_CHECK: FAIL (academy-batch-ecs-task-execution-role does not trust ecs-tasks.amazonaws.com; academy-batch-ecs-task-execution-role lacks logs:CreateLogStream, logs:PutLogEvents)",
            run.Check("IAM_CHECK"));
        Assert.Contains(run.Hints, h => h.Contains("must allow ecs-tasks.amazonaws.com to sts:AssumeRole", StringComparison.Ordinal));
        Assert.Contains(run.Hints, h => h.Contains("lacks logs:CreateLogStream, logs:PutLogEvents: attach the policy the template (build/aws/academy-video-batch.yaml) declares", StringComparison.Ordinal));
    }

    [Fact]
    public async Task IAM_CHECK_asks_the_execution_role_to_read_secrets_only_when_the_registered_job_definition_injects_some()
    {
        var execution = Account.Roles[FakeAwsAccount.Template.ExecutionRoleName];
        execution.InlinePolicies.Clear(); // the template's secretsmanager:GetSecretValue is gone
        Assert.NotEmpty(Account.LatestJobDefinition.Secrets);

        var injecting = await RunAsync("validate-system");

        Assert.StartsWith("IAM_CHECK: FAIL (academy-batch-ecs-task-execution-role lacks secretsmanager:GetSecretValue", injecting.Check("IAM_CHECK"), StringComparison.Ordinal);
        Assert.Contains(injecting.Lines, l => l.StartsWith("STEP 6 job definition academy-video-batch-jobdef:3 injects secrets ", StringComparison.Ordinal));

        Account.LatestJobDefinition.Secrets.Clear(); // e.g. the settings come as plain variables from elsewhere
        var plain = await RunAsync("validate-system");
        var diagnose = await RunAsync("diagnose-infra");

        Assert.StartsWith("IAM_CHECK: OK", plain.Check("IAM_CHECK"), StringComparison.Ordinal);
        Assert.StartsWith("IAM_CHECK: OK", diagnose.Check("IAM_CHECK"), StringComparison.Ordinal);
        Assert.Contains("STEP 6 job definition academy-video-batch-jobdef:3 injects no secrets: the execution role needs no secretsmanager:GetSecretValue", plain.Lines);
    }

    [Fact]
    public async Task A_missing_log_group_fails_LOG_GROUP_CHECK_with_the_seed_hint_and_skips_the_content()
    {
        Account.LogGroups.Remove(FakeAwsAccount.Template.LogGroupName);

        var run = await RunAsync("diagnose-infra");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal("LOG_GROUP_CHECK: FAIL (log group /aws/batch/academy-video-worker does not exist)", run.Check("LOG_GROUP_CHECK"));
        Assert.Equal("LOG_CONTENT_CHECK: SKIP (the log group is missing)", run.Check("LOG_CONTENT_CHECK"));
        Assert.Contains(run.Hints, h => h.StartsWith("- Log group missing: job definition logConfiguration or logs:CreateLogStream permission.", StringComparison.Ordinal));
        Assert.StartsWith("JOBDEF_CHECK: OK", run.Check("JOBDEF_CHECK"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_definition_whose_command_lacks_Ref_job_id_fails_JOBDEF_CHECK()
    {
        Account.LatestJobDefinition.Command = ["dotnet", "Academy.Video.Worker.dll"];

        var run = await RunAsync("diagnose-infra");

        Assert.Equal("JOBDEF_CHECK: FAIL (command lacks Ref::job_id)", run.Check("JOBDEF_CHECK"));
        Assert.Contains(run.Hints, h => h.StartsWith("- JOBDEF_CHECK: the command [dotnet, Academy.Video.Worker.dll] does not pass Ref::job_id: the worker reads its job id from argv[1]", StringComparison.Ordinal));
        Assert.Contains("command=[dotnet, Academy.Video.Worker.dll]", run.Lines);
    }

    [Fact]
    public async Task Batch_retries_on_the_job_definition_fail_JOBDEF_CHECK()
    {
        Account.LatestJobDefinition.RetryAttempts = 3;

        var run = await RunAsync("diagnose-infra");

        Assert.Equal("JOBDEF_CHECK: FAIL (retryStrategy.attempts=3)", run.Check("JOBDEF_CHECK"));
        Assert.Contains(run.Hints, h => h.StartsWith("- JOBDEF_CHECK: retryStrategy.attempts is 3: it must be 1. The database decides every retry", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_disabled_queue_fails_QUEUE_CHECK_and_says_how_to_enable_it()
    {
        Account.Queue.State = "DISABLED";

        var run = await RunAsync("diagnose-infra");

        Assert.Equal("QUEUE_CHECK: FAIL (state=DISABLED)", run.Check("QUEUE_CHECK"));
        Assert.Contains(run.Hints, h => h == "- QUEUE_CHECK: the job queue academy-video-batch-queue is DISABLED: Batch accepts jobs but starts none. " +
                                             "Enable it: aws batch update-job-queue --job-queue academy-video-batch-queue --state ENABLED.");
        Assert.StartsWith("CE_CHECK: OK", run.Check("CE_CHECK"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_INVALID_compute_environment_fails_CE_CHECK_with_its_reason()
    {
        Account.ComputeEnvironment.Status = "INVALID";
        Account.ComputeEnvironment.StatusReason = "CLIENT_ERROR - The security group 'sg-0a1b2c3d' does not exist";

        var run = await RunAsync("diagnose-infra");

        Assert.Equal("CE_CHECK: FAIL (academy-video-batch-ce-v3 status=INVALID)", run.Check("CE_CHECK"));
        Assert.Contains(run.Hints, h => h.StartsWith("- CE_CHECK: the compute environment academy-video-batch-ce-v3 is INVALID (CLIENT_ERROR - The security group 'sg-0a1b2c3d' does not exist): fix the cause", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_compute_environment_at_maxvCpus_0_fails_CE_CHECK()
    {
        Account.ComputeEnvironment.MaxvCpus = 0;

        var run = await RunAsync("diagnose-infra");

        Assert.Equal("CE_CHECK: FAIL (academy-video-batch-ce-v3 maxvCpus=0)", run.Check("CE_CHECK"));
        Assert.Contains(run.Hints, h => h.StartsWith("- CE_CHECK: the compute environment academy-video-batch-ce-v3 has maxvCpus=0: it can never start an instance and every job stays RUNNABLE. Set maxvCpus to 32.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_compute_environment_with_x86_instance_types_fails_CE_CHECK()
    {
        Account.ComputeEnvironment.InstanceTypes = ["c7g", "optimal", "m5.large"];

        var run = await RunAsync("diagnose-infra");

        Assert.Equal("CE_CHECK: FAIL (academy-video-batch-ce-v3 allows non-ARM64 instance types optimal,m5.large)", run.Check("CE_CHECK"));
    }

    [Theory]
    [InlineData("CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - Service cannot fulfill the capacity requested for instance type [c7g.xlarge]", "EC2 has no capacity for the compute environment's instance types")]
    [InlineData("MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE - CE(s) associated with the job queue cannot meet the CPU requirement of the job.", "raise maxvCpus (the template sets 32)")]
    [InlineData("MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT - The job resource requirement (vCPU/memory/GPU) is higher than that can be met by the CE(s) attached to the job queue.", "no instance type of the compute environment fits the job's vCPU/memory")]
    [InlineData("MISCONFIGURATION:SERVICE_ROLE_PERMISSIONS – Batch service role has a permission issue.", "the Batch service role lacks permissions")]
    [InlineData("ACTION_REQUIRED - CE(s) associated with the job queue are invalid.", "a compute environment of the queue is INVALID")]
    public async Task A_job_RUNNABLE_for_30_minutes_fails_BATCH_CHECK_with_its_statusReason_decoded(string statusReason, string meaning)
    {
        await OperationsRows.QueuedAsync(database.DataSource, TimeSpan.FromMinutes(31), "b-runnable", TimeSpan.FromMinutes(30));
        Account.Jobs["b-runnable"] = new FakeBatchJob("RUNNABLE") { StatusReason = statusReason };

        var run = await RunAsync("validate-system");

        Assert.True(run.ExitCode == 2, run.ToString());
        // The wait is measured from the row's submitted_at: a loaded machine may add a second or two.
        Assert.Matches(@"^BATCH_CHECK: FAIL \(b-runnable is RUNNABLE for 00:3[0-9]:[0-9]{2}\)$", run.Check("BATCH_CHECK"));
        var code = statusReason[..statusReason.IndexOf(' ', StringComparison.Ordinal)];
        Assert.Contains(run.Hints, h => h.StartsWith("- BATCH_CHECK: b-runnable has waited RUNNABLE for 00:3", StringComparison.Ordinal)
            && h.Contains($": {code}: ", StringComparison.Ordinal) && h.Contains(meaning, StringComparison.Ordinal));
        Assert.StartsWith("DB_CHECK: OK", run.Check("DB_CHECK"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_RUNNING_in_the_database_while_Batch_says_FAILED_fails_BATCH_CHECK()
    {
        var jobId = await OperationsRows.RunningAsync(database.DataSource, "b-dead", TimeSpan.FromSeconds(10));
        Account.Jobs["b-dead"] = new FakeBatchJob("FAILED") { StatusReason = "Essential container in task exited", ExitCode = 137 };

        var run = await RunAsync("validate-system");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal($"BATCH_CHECK: FAIL (job {jobId} is RUNNING in the database but b-dead is FAILED at the runner)", run.Check("BATCH_CHECK"));
        Assert.Contains(run.Hints, h => h.StartsWith($"- BATCH_CHECK: job {jobId} is RUNNING in the database while b-dead is FAILED (Essential container in task exited): the container ended without its worker finishing the attempt", StringComparison.Ordinal));
        Assert.Contains("exit code 137", run.Output, StringComparison.Ordinal);
        Assert.StartsWith("DB_CHECK: OK", run.Check("DB_CHECK"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_that_disagree_with_the_job_definition_fail_check_settings()
    {
        Account.LatestJobDefinition.Environment["Jobs__MaxAttempts"] = "3";

        var run = await RunAsync("check-settings", extra: [new("VIDEO_BATCH_JOB_QUEUE", "academy-video-batch-queue")]);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("SETTINGS_CHECK: FAIL", run.Lines);
        Assert.Contains("- Jobs:MaxAttempts: the API uses 5 but the worker 3 (job definition academy-video-batch-jobdef:3 environment); set Jobs__MaxAttempts the same for both", run.Lines);
        Assert.Contains("Runner:Batch:JobQueue=academy-video-batch-queue (host settings VIDEO_BATCH_JOB_QUEUE)", run.Lines);
        Assert.Contains("Storage:Local:SigningKey=**** (host settings)", run.Lines);
        Assert.DoesNotContain("a-secret-signing-key-of-mine", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("ops-internal-key-0123456789", run.Output, StringComparison.Ordinal);
    }

    private Task<OperationsRun> RunAsync(string command, KeyValuePair<string, string?>[]? extra = null, params string[] flags) =>
        OperationsRun.RunAsync(command,
        [
            .. aws.Settings(),
            new("ConnectionStrings:Postgres", database.ConnectionString),
            new("Storage:Provider", "Local"),
            new("Storage:Local:RootPath", storage),
            // Not local mode (Batch): the development signing key would be refused.
            new("Storage:Local:SigningKey", "a-secret-signing-key-of-mine"),
            new("Auth:ApiKeys:0", "ops-client-key-0123456789"),
            new("Auth:InternalApiKeys:0", "ops-internal-key-0123456789"),
            new(ProductionApiFactory.WebhookKeySetting, ProductionApiFactory.TestWebhookKey),
            .. extra ?? [],
        ], flags);
}
