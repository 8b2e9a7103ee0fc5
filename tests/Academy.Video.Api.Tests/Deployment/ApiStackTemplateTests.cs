using Academy.Video.Api.Security;
using Academy.Video.Domain.Jobs;
using Academy.Video.Operations.Aws;
using Academy.Video.Infrastructure.Persistence;
using Academy.Video.Infrastructure.Runners;
using Academy.Video.Infrastructure.Runners.Batch;
using Academy.Video.Infrastructure.Storage;
using Academy.Video.Infrastructure.Webhooks;
using Academy.Video.Application.Webhooks;
using Academy.Video.Testing;
using Microsoft.Extensions.Configuration;
using YamlDotNet.RepresentationModel;
using static Academy.Video.Testing.CloudFormationYaml;

namespace Academy.Video.Api.Tests.Deployment;

/// <summary>
/// Holds the API stack (build/aws/academy-video-api.yaml) to the code: every variable and secret its
/// task definitions set is a setting the API binds (a misspelt or removed key would be ignored
/// silently), its task role is the API policy and nothing else, and the service is what the image and
/// the health endpoint expect.
/// </summary>
public sealed class ApiStackTemplateTests
{
    private static readonly CloudFormationYaml Api = CloudFormationYaml.Load("academy-video-api.yaml");
    private static readonly CloudFormationYaml Batch = CloudFormationYaml.Load("academy-video-batch.yaml");

    /// <summary>Variables read outside IConfiguration, each by whom.</summary>
    private static readonly Dictionary<string, string> ReadOutsideConfiguration = new(StringComparer.Ordinal)
    {
        // The host's environment name (WebApplication.CreateBuilder).
        ["ASPNETCORE_ENVIRONMENT"] = "ASP.NET Core",
        // Npgsql's own fallback when the connection string has no password (NpgsqlPasswordFromEnvironmentTests).
        ["PGPASSWORD"] = "Npgsql",
    };

    private static YamlMappingNode Container(string taskDefinition) =>
        Sequence(Api.Properties(taskDefinition), "ContainerDefinitions").Cast<YamlMappingNode>().Single();

    private static IReadOnlyDictionary<string, string> Environment(string taskDefinition) => NameValues(Container(taskDefinition), "Environment", "Value");

    private static IReadOnlyDictionary<string, string> Secrets(string taskDefinition) => NameValues(Container(taskDefinition), "Secrets", "ValueFrom");

    /// <summary>The settings as the API sees them: literal values as written, references given a plausible value.</summary>
    private static IConfiguration Configuration(string taskDefinition) =>
        new ConfigurationBuilder().AddInMemoryCollection(
            Environment(taskDefinition).Concat(Secrets(taskDefinition))
                .Where(variable => !ReadOutsideConfiguration.ContainsKey(variable.Key))
                .Select(variable => KeyValuePair.Create(variable.Key.Replace("__", ":", StringComparison.Ordinal), (string?)Plausible(variable.Key, variable.Value))))
            .Build();

    private static string Plausible(string name, string value) =>
        value.StartsWith('!') ? name switch
        {
            "Storage__S3__ServiceUrl" => "https://account.r2.cloudflarestorage.com",
            "Auth__ApiKeys__0" => "client-key-0123456789abcdef",
            "Auth__InternalApiKeys__0" => "internal-key-0123456789abcdef",
            "Webhooks__SecretEncryptionKey" => ProductionApiFactory.TestWebhookKey,
            _ => "from-" + name,
        } : value;

    [Fact]
    public void The_service_and_the_operator_task_run_with_the_same_settings()
    {
        Assert.Equal(Environment("ApiTaskDefinition"), Environment("OperatorTaskDefinition"));
        Assert.Equal(Secrets("ApiTaskDefinition"), Secrets("OperatorTaskDefinition"));
    }

    [Fact]
    public void Every_variable_and_secret_is_a_setting_the_API_binds()
    {
        var configuration = Configuration("ApiTaskDefinition");
        Action<BinderOptions> strict = binder => binder.ErrorOnUnknownConfiguration = true;

        // Each section binds with no key left over: a key the options do not have would throw here.
        var storage = configuration.GetSection(S3StorageOptions.SectionName).Get<S3StorageOptions>(strict)!;
        var batch = configuration.GetSection(BatchRunnerOptions.SectionName).Get<BatchRunnerOptions>(strict)!;
        var jobs = configuration.GetSection("Jobs").Get<JobPolicy>(strict)!;
        var auth = configuration.GetSection(ApiAuthOptions.Section).Get<ApiAuthOptions>(strict)!;
        var aws = configuration.GetSection(AwsClientOptions.SectionName).Get<AwsClientOptions>(strict)!;
        var webhookKeys = configuration.GetSection(WebhookOptions.Section).Get<WebhookSecretEncryptionOptions>(strict)!;

        Assert.Equal(StorageServiceCollectionExtensions.S3Provider, configuration[StorageServiceCollectionExtensions.ProviderKey]);
        Assert.Equal("Batch", configuration[RunnerServiceCollectionExtensions.KindKey]);
        Assert.DoesNotContain("Password", configuration.GetConnectionString(PersistenceServiceCollectionExtensions.ConnectionStringName)!, StringComparison.OrdinalIgnoreCase);
        Assert.False(string.IsNullOrEmpty(storage.AccessKey));
        Assert.False(string.IsNullOrEmpty(storage.SecretKey));
        Assert.False(string.IsNullOrEmpty(storage.Bucket));
        Assert.Single(auth.ApiKeys);
        Assert.Single(auth.InternalApiKeys);
        Assert.Equal("from-Runner__Batch__Region", batch.Region);
        Assert.Equal("from-Operations__Aws__Region", aws.Region);
        Assert.Equal(JobPolicy.Default, jobs);
        Assert.NotNull(WebhookSecretEncryptionOptions.Decode(webhookKeys.SecretEncryptionKey));

        // Nothing else: every key belongs to one of the sections bound above or is read by name.
        var bound = new[]
        {
            S3StorageOptions.SectionName, BatchRunnerOptions.SectionName, "Jobs", ApiAuthOptions.Section, AwsClientOptions.SectionName, WebhookOptions.Section,
        };
        var named = new[]
        {
            StorageServiceCollectionExtensions.ProviderKey, RunnerServiceCollectionExtensions.KindKey,
            "ConnectionStrings:" + PersistenceServiceCollectionExtensions.ConnectionStringName,
        };
        Assert.All(Environment("ApiTaskDefinition").Keys.Concat(Secrets("ApiTaskDefinition").Keys), name =>
        {
            var key = name.Replace("__", ":", StringComparison.Ordinal);
            Assert.True(ReadOutsideConfiguration.ContainsKey(name) || named.Contains(key)
                || bound.Any(section => key.StartsWith(section + ":", StringComparison.Ordinal)), $"{name} is not a setting the API reads");
        });
    }

    [Fact]
    public void The_queue_job_definition_and_retry_contract_are_the_workers()
    {
        var environment = Environment("ApiTaskDefinition");
        var worker = InfrastructureTemplate.Embedded.JobDefinition.Environment;

        Assert.Equal("!Ref JobQueueName", environment["Runner__Batch__JobQueue"]);
        Assert.Equal(InfrastructureTemplate.Embedded.JobQueueName, Api.ParameterDefault("JobQueueName"));
        Assert.Equal(InfrastructureTemplate.Embedded.JobDefinitionName, Api.ParameterDefault("JobDefinitionName"));
        Assert.Equal(InfrastructureTemplate.Embedded.LogGroupName, Api.ParameterDefault("WorkerLogGroupName"));
        Assert.Equal(
            worker.Where(variable => variable.Key.StartsWith("Jobs__", StringComparison.Ordinal)).OrderBy(variable => variable.Key),
            environment.Where(variable => variable.Key.StartsWith("Jobs__", StringComparison.Ordinal)).OrderBy(variable => variable.Key));
        // Both take the password the same way.
        Assert.Equal("!Sub ${DatabaseSecretArn}:password::", Secrets("ApiTaskDefinition")["PGPASSWORD"]);
        Assert.Equal("${DatabaseSecretArn}:password::", InfrastructureTemplate.Embedded.JobDefinition.Secrets["PGPASSWORD"]);
    }

    [Fact]
    public void The_task_role_is_the_API_policy_and_nothing_else()
    {
        var role = Api.Properties(Text(Api.Properties("ApiTaskDefinition"), "TaskRoleArn")!.Split('.')[0]);

        Assert.Equal(["ApiPolicyArn"], Sequence(role, "ManagedPolicyArns").Cast<YamlScalarNode>().Select(node => node.Value));
        Assert.Empty(Sequence(role, "Policies"));
        // The parameter is the batch stack's output, which is its API policy.
        var output = Mapping(Mapping(Batch.Root, "Outputs"), "ApiPolicyArn");
        Assert.Equal("!Ref", Tag(output, "Value"));
        Assert.Equal("AWS::IAM::ManagedPolicy", Text(Batch.Resource(Text(output, "Value")!), "Type"));
    }

    [Fact]
    public void Secrets_come_only_from_the_secrets_the_execution_role_may_read()
    {
        var execution = Api.Properties(Text(Api.Properties("ApiTaskDefinition"), "ExecutionRoleArn")!.Split('.')[0]);
        var statement = Sequence(Mapping((YamlMappingNode)Sequence(execution, "Policies").Single(), "PolicyDocument"), "Statement")
            .Cast<YamlMappingNode>().Single(s => Text(s, "Sid") == "ReadInjectedSecrets");
        var readable = Sequence(statement, "Resource").Cast<YamlScalarNode>().Select(node => node.Value!).ToList();

        Assert.All(Secrets("ApiTaskDefinition").Values, valueFrom =>
            Assert.Contains(readable, secret => valueFrom.StartsWith("!Sub ${" + secret + "}:", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_service_runs_the_images_port_and_user_behind_HTTPS_with_readyz_as_its_health_check()
    {
        var dockerfile = File.ReadAllText(Path.Combine(RepositoryLayout.Root, "Academy.Video.Api", "Dockerfile"));
        var container = Container("ApiTaskDefinition");
        var port = Text(Sequence(container, "PortMappings").Cast<YamlMappingNode>().Single(), "ContainerPort");
        var targetGroup = Api.Properties(Api.LogicalIdsOfType("AWS::ElasticLoadBalancingV2::TargetGroup").Single());
        var listeners = Api.LogicalIdsOfType("AWS::ElasticLoadBalancingV2::Listener").Select(Api.Properties).ToList();
        var service = Api.Properties(Api.LogicalIdsOfType("AWS::ECS::Service").Single());

        Assert.Contains($"ASPNETCORE_HTTP_PORTS={port}", dockerfile, StringComparison.Ordinal);
        Assert.Contains($"useradd --uid {Text(container, "User")}", dockerfile, StringComparison.Ordinal);
        Assert.Equal("true", Text(container, "ReadonlyRootFilesystem"));
        Assert.Equal(port, Text(targetGroup, "Port"));
        Assert.Equal("/readyz", Text(targetGroup, "HealthCheckPath"));
        Assert.Contains(listeners, l => Text(l, "Protocol") == "HTTPS" && Text(l, "Port") == "443");
        var http = listeners.Single(l => Text(l, "Protocol") == "HTTP");
        var redirect = (YamlMappingNode)Sequence(http, "DefaultActions").Single();
        Assert.Equal("redirect", Text(redirect, "Type"));
        Assert.Equal("HTTPS", Text(Mapping(redirect, "RedirectConfig"), "Protocol"));
        Assert.Equal("MinTasks", Text(service, "DesiredCount"));
        Assert.True(int.Parse(Api.ParameterDefault("MinTasks")!, System.Globalization.CultureInfo.InvariantCulture) >= 2);
        Assert.Equal("ECSServiceAverageCPUUtilization", Text(Mapping(Mapping(
            Api.Properties(Api.LogicalIdsOfType("AWS::ApplicationAutoScaling::ScalingPolicy").Single()),
            "TargetTrackingScalingPolicyConfiguration"), "PredefinedMetricSpecification"), "PredefinedMetricType"));
    }

    [Fact]
    public void The_alarms_watch_the_event_names_the_worker_writes()
    {
        var filters = Api.LogicalIdsOfType("AWS::Logs::MetricFilter").Select(id => Text(Api.Properties(id), "FilterPattern")!).ToList();

        Assert.Contains($"{{ $.event = \"{Academy.Video.Application.Jobs.JobEvents.JobFailed}\" }}", filters);
        Assert.Contains($"{{ ($.event = \"{Academy.Video.Application.Jobs.JobEvents.JobFailed}\") && ($.state = \"{JobState.Dead.ToWire()}\") }}", filters);
        var schedule = Mapping(Api.Properties(Api.LogicalIdsOfType("AWS::Scheduler::Schedule").Single()), "Target");
        Assert.Contains("\"validate-system\"", Text(schedule, "Input"), StringComparison.Ordinal);
    }
}
