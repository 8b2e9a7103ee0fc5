using System.Globalization;
using System.Reflection;
using Academy.Video.Domain.Jobs;
using Academy.Video.Infrastructure.Aws;
using Academy.Video.Infrastructure.Persistence;
using Academy.Video.Infrastructure.Runners.Batch;
using Academy.Video.Infrastructure.Storage;
using Academy.Video.Operations.Aws;
using Microsoft.Extensions.Configuration;

namespace Academy.Video.IntegrationTests.Deployment;

/// <summary>
/// Holds the CloudFormation template (build/aws/academy-video-batch.yaml, read through the product's own
/// <see cref="InfrastructureTemplate"/>) to the code: names, the job definition's contract, the
/// environment the worker reads, and the IAM actions the product's AWS clients call.
/// </summary>
public sealed class InfrastructureTemplateTests
{
    /// <summary>
    /// Actions the API policy grants ahead of the client that will call them (the operator commands'
    /// clients are being written in another branch). Each entry must NOT be declared by a client yet:
    /// once one is, this test fails and the entry must be removed, so the list only ever shrinks.
    /// </summary>
    private static readonly string[] GrantedAheadOfTheirClient = [];

    private static InfrastructureTemplate Template => InfrastructureTemplate.Embedded;

    [Fact]
    public void The_embedded_template_is_the_file_in_build_aws()
    {
        var onDisk = InfrastructureTemplate.Parse(File.ReadAllText(Path.Combine(Testing.RepositoryLayout.Root, "build", "aws", "academy-video-batch.yaml")));

        Assert.Equal(onDisk.JobDefinition.Environment, Template.JobDefinition.Environment);
        Assert.Equal(onDisk.ApiPolicy.AllowedActions, Template.ApiPolicy.AllowedActions);
        Assert.Equal(onDisk.ParameterDefaults, Template.ParameterDefaults);
    }

    [Fact]
    public void Queue_and_job_definition_names_are_the_APIs_default_settings()
    {
        var defaults = new BatchRunnerOptions();

        Assert.Equal(defaults.JobQueue, Template.JobQueueName);
        Assert.Equal(defaults.JobDefinition, Template.JobDefinitionName);
    }

    [Fact]
    public void The_other_resource_names_are_the_deployed_ones_the_checks_look_for()
    {
        Assert.Equal("academy-video-batch-ce-v3", Template.ComputeEnvironmentName);
        Assert.Equal("/aws/batch/academy-video-worker", Template.LogGroupName);
        Assert.Equal("academy-video-batch-job-role", Template.JobRoleName);
        Assert.Equal("academy-batch-ecs-task-execution-role", Template.ExecutionRoleName);
        Assert.Equal([Template.ComputeEnvironmentName], Template.JobQueue.ComputeEnvironmentNames);
        Assert.Equal("ENABLED", Template.JobQueue.State);
        Assert.True(Template.LogGroup.RetentionInDays > 0);
    }

    [Fact]
    public void The_job_definition_passes_the_job_id_and_leaves_every_retry_to_the_database()
    {
        var definition = Template.JobDefinition;

        Assert.Equal(["Ref::job_id"], definition.Command);
        Assert.False(definition.Parameters.ContainsKey("job_id"), "a default job_id would let a submit without one run a bogus job");
        Assert.Equal(1, definition.RetryAttempts);
        Assert.Equal(14400, definition.TimeoutSeconds);
        Assert.Equal("container", definition.Type);
        Assert.Equal("awslogs", definition.LogDriver);
        Assert.Equal(Template.LogGroupName, definition.LogGroupName);
        Assert.Equal(Template.JobRoleName, definition.JobRoleName);
        Assert.Equal(Template.ExecutionRoleName, definition.ExecutionRoleName);
        Assert.True(definition.Vcpus >= 1);
        Assert.True(definition.MemoryMiB >= 1024);
        Assert.EndsWith("/academy-video-worker:${WorkerImageTag}", definition.Image, StringComparison.Ordinal);
    }

    [Fact]
    public void The_compute_environment_is_managed_Graviton_from_zero_to_32_vcpus()
    {
        var environment = Template.ComputeEnvironment;

        Assert.Equal("MANAGED", environment.Type);
        Assert.Equal("ENABLED", environment.State);
        Assert.Equal(0, environment.MinvCpus);
        Assert.Equal(32, environment.MaxvCpus);
        Assert.Equal(["c7g", "c6g", "m7g"], environment.InstanceTypes.Take(3));
        Assert.True(environment.InstanceTypes.Count > 3, "more Graviton families give Spot more pools");
        Assert.All(environment.InstanceTypes, type => Assert.Matches("^[cmr][6-9]g$", type));
        Assert.Equal("SPOT", environment.ProvisioningModel);
        Assert.Equal(Template.InstanceRole.Name, environment.InstanceRoleName);
        Assert.Equal(["ec2.amazonaws.com"], Template.InstanceRole.TrustedServices);
        Assert.Contains(Template.InstanceRole.ManagedPolicyArns, arn => arn.EndsWith("/AmazonEC2ContainerServiceforEC2Role", StringComparison.Ordinal));
    }

    [Fact]
    public void The_jobs_environment_is_the_retry_contracts_defaults_property_by_property()
    {
        var environment = Template.JobDefinition.Environment
            .Where(variable => variable.Key.StartsWith("Jobs__", StringComparison.Ordinal))
            .ToDictionary(variable => variable.Key["Jobs__".Length..], variable => variable.Value);
        var policyProperties = typeof(JobPolicy).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(property => property.CanWrite)
            .ToList();

        Assert.Equal(policyProperties.Select(property => property.Name).Order(), environment.Keys.Order());
        foreach (var property in policyProperties)
        {
            var expected = property.GetValue(JobPolicy.Default);
            object actual = property.PropertyType == typeof(TimeSpan)
                ? TimeSpan.Parse(environment[property.Name], CultureInfo.InvariantCulture)
                : int.Parse(environment[property.Name], CultureInfo.InvariantCulture);
            Assert.True(Equals(expected, actual), $"Jobs__{property.Name}: template {actual}, code {expected}");
        }

        // And the worker binds them to the same policy (a misspelt key would be ignored silently).
        var bound = Configuration(Template.JobDefinition.Environment).GetSection("Jobs")
            .Get<JobPolicy>(binder => binder.ErrorOnUnknownConfiguration = true);
        Assert.Equal(JobPolicy.Default, bound);
    }

    [Fact]
    public void The_worker_reads_every_variable_and_secret_the_job_definition_sets()
    {
        var definition = Template.JobDefinition;
        var configuration = Configuration(definition.Environment.Concat(definition.Secrets));

        Assert.Equal(StorageServiceCollectionExtensions.S3Provider, configuration[StorageServiceCollectionExtensions.ProviderKey]);
        Assert.NotNull(configuration.GetConnectionString(PersistenceServiceCollectionExtensions.ConnectionStringName));
        var storage = configuration.GetSection(S3StorageOptions.SectionName)
            .Get<S3StorageOptions>(binder => binder.ErrorOnUnknownConfiguration = true)!;
        Assert.Equal(definition.Secrets["Storage__S3__AccessKey"], storage.AccessKey);
        Assert.Equal(definition.Secrets["Storage__S3__SecretKey"], storage.SecretKey);
        Assert.False(string.IsNullOrEmpty(storage.ServiceUrl));
        Assert.False(string.IsNullOrEmpty(storage.Bucket));

        // PGPASSWORD is read by Npgsql itself when the connection string has no password (NpgsqlPasswordFromEnvironmentTests).
        Assert.DoesNotContain("Password", definition.Environment["ConnectionStrings__Postgres"], StringComparison.OrdinalIgnoreCase);
        Assert.Equal("${DatabaseSecretArn}:password::", definition.Secrets["PGPASSWORD"]);
        var known = new[] { "Storage__Provider", "Storage__S3__", "Jobs__", "ConnectionStrings__Postgres", "PGPASSWORD" };
        Assert.All(definition.Environment.Keys.Concat(definition.Secrets.Keys),
            name => Assert.Contains(known, prefix => name.StartsWith(prefix, StringComparison.Ordinal)));
    }

    [Fact]
    public void Secrets_come_only_from_the_two_secrets_the_execution_role_may_read()
    {
        var readable = Template.ExecutionRole.InlinePolicies.Single().ResourcesFor("secretsmanager:GetSecretValue");

        Assert.Equal(["${DatabaseSecretArn}", "${StorageSecretArn}"], readable);
        Assert.All(Template.JobDefinition.Secrets.Values,
            valueFrom => Assert.Contains(readable, secret => valueFrom == secret || valueFrom.StartsWith(secret + ":", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_execution_role_pulls_writes_logs_and_reads_secrets_and_nothing_else()
    {
        var role = Template.ExecutionRole;

        Assert.Equal(["ecs-tasks.amazonaws.com"], role.TrustedServices);
        Assert.Empty(role.ManagedPolicyArns);
        Assert.Equal(
            new[]
            {
                "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetAuthorizationToken", "ecr:GetDownloadUrlForLayer",
                "logs:CreateLogStream", "logs:PutLogEvents", "secretsmanager:GetSecretValue",
            },
            role.AllowedActions.Order(StringComparer.Ordinal));
        Assert.All(role.InlinePolicies.Single().ResourcesFor("logs:PutLogEvents"),
            resource => Assert.Contains(":log-group:" + Template.LogGroupName + ":", resource, StringComparison.Ordinal));
    }

    [Fact]
    public void The_job_role_grants_nothing_because_the_worker_calls_no_AWS_API()
    {
        var role = Template.JobRole;

        Assert.Equal(["ecs-tasks.amazonaws.com"], role.TrustedServices);
        Assert.Empty(role.InlinePolicies);
        Assert.Empty(role.ManagedPolicyArns);
    }

    [Fact]
    public void The_API_policy_allows_every_operation_the_products_AWS_clients_can_call()
    {
        var operations = AwsOperationsOf(typeof(AwsOperation).Assembly, typeof(AwsIamClient).Assembly);

        Assert.NotEmpty(operations);
        Assert.All(operations, operation => Assert.True(Template.ApiPolicy.Allows(operation.IamAction),
            $"{operation.IamAction} is called by the product but not allowed by {Template.ApiPolicy.Name}"));
        Assert.All(Template.ApiPolicy.Statements, statement => Assert.Equal("Allow", statement.Effect));
    }

    [Fact]
    public void The_API_policy_grants_no_action_the_product_does_not_call()
    {
        var called = AwsOperationsOf(typeof(AwsOperation).Assembly, typeof(AwsIamClient).Assembly).Select(operation => operation.IamAction).ToHashSet(StringComparer.OrdinalIgnoreCase);

        Assert.All(Template.ApiPolicy.AllowedActions, action =>
        {
            Assert.DoesNotContain('*', action);
            Assert.True(called.Contains(action) || GrantedAheadOfTheirClient.Contains(action, StringComparer.OrdinalIgnoreCase),
                $"{Template.ApiPolicy.Name} grants {action}, which no client declares");
        });
        Assert.All(GrantedAheadOfTheirClient, action =>
        {
            Assert.False(called.Contains(action), $"{action} now has its client: remove it from {nameof(GrantedAheadOfTheirClient)}");
            Assert.True(Template.ApiPolicy.Allows(action), $"{action} is awaited but not granted");
        });
    }

    [Fact]
    public void Submit_is_allowed_on_this_queue_and_job_definition_only()
    {
        var resources = Template.ApiPolicy.ResourcesFor(AwsBatchClient.SubmitJob.IamAction);

        Assert.Contains("${JobQueue}", resources);
        Assert.Contains(resources, resource => resource.EndsWith(":job-definition/" + Template.JobDefinitionName + ":*", StringComparison.Ordinal));
        Assert.DoesNotContain("*", resources);
    }

    /// <summary>The Batch runner's client lives in Infrastructure, the operator commands' IAM, STS and Logs clients in Operations.</summary>
    internal static IReadOnlyList<AwsOperation> AwsOperationsOf(params Assembly[] assemblies) =>
        assemblies.SelectMany(assembly => assembly.GetTypes())
            .SelectMany(type => type.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(field => field.FieldType == typeof(AwsOperation) && field.IsInitOnly)
            .Select(field => (AwsOperation)field.GetValue(null)!)
            .ToList();

    private static IConfiguration Configuration(IEnumerable<KeyValuePair<string, string>> variables) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(variables.Select(variable => KeyValuePair.Create(variable.Key.Replace("__", ":", StringComparison.Ordinal), (string?)variable.Value)))
            .Build();
}
