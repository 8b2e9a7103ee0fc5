using Academy.Video.Testing;
using YamlDotNet.RepresentationModel;
using static Academy.Video.Testing.CloudFormationYaml;

namespace Academy.Video.IntegrationTests.Deployment;

/// <summary>
/// The worker instances as build/aws/academy-video-batch.yaml launches them: the disk a large lecture
/// needs, a metadata service the worker's containers cannot reach, compute environment updates that
/// never need a replacement, and a queue that does not keep a job RUNNABLE forever.
/// </summary>
public sealed class WorkerComputeTemplateTests
{
    private static readonly CloudFormationYaml Batch = CloudFormationYaml.Load("academy-video-batch.yaml");

    private static YamlMappingNode LaunchTemplateData =>
        Mapping(Batch.Properties(Batch.LogicalIdsOfType("AWS::EC2::LaunchTemplate").Single()), "LaunchTemplateData");

    [Fact]
    public void The_root_volume_is_encrypted_gp3_sized_by_a_parameter_of_200_GiB()
    {
        var volume = Sequence(LaunchTemplateData, "BlockDeviceMappings").Cast<YamlMappingNode>().Single();
        var ebs = Mapping(volume, "Ebs");

        // The ECS-optimized Amazon Linux 2023 AMI boots from /dev/xvda: another name would add a second disk.
        Assert.Equal("/dev/xvda", Text(volume, "DeviceName"));
        Assert.Equal("gp3", Text(ebs, "VolumeType"));
        Assert.Equal("true", Text(ebs, "Encrypted"));
        Assert.Equal("!Ref", Tag(ebs, "VolumeSize"));
        Assert.Equal("200", Batch.ParameterDefault(Text(ebs, "VolumeSize")!));
    }

    [Fact]
    public void IMDSv2_is_required_with_a_hop_limit_of_1_and_only_root_reaches_it()
    {
        var metadata = Mapping(LaunchTemplateData, "MetadataOptions");

        Assert.Equal("required", Text(metadata, "HttpTokens"));
        Assert.Equal("1", Text(metadata, "HttpPutResponseHopLimit"));
        Assert.Equal("enabled", Text(metadata, "HttpEndpoint"));

        // Batch runs the job on the host's network, where a hop limit does not apply: the user data lets
        // only uid 0 reach the metadata address, and the worker image runs as 1654.
        var userData = ((YamlScalarNode)Mapping(LaunchTemplateData, "UserData")["Fn::Base64"]).Value!;
        Assert.StartsWith("MIME-Version: 1.0", userData, StringComparison.Ordinal);
        Assert.Contains("-d 169.254.169.254/32 -m owner ! --uid-owner 0 -j REJECT", userData, StringComparison.Ordinal);
        var dockerfile = File.ReadAllText(Path.Combine(RepositoryLayout.Root, "Academy.Video.Worker", "Dockerfile"));
        Assert.Contains("useradd --uid 1654", dockerfile, StringComparison.Ordinal);
        Assert.Contains("\nUSER app\n", dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public void The_compute_environment_updates_in_place_onto_the_launch_template_and_the_latest_AMI()
    {
        var id = Batch.LogicalIdsOfType("AWS::Batch::ComputeEnvironment").Single();
        var properties = Batch.Properties(id);
        var resources = Mapping(properties, "ComputeResources");
        var launchTemplate = Mapping(resources, "LaunchTemplate");

        Assert.Equal("false", Text(properties, "ReplaceComputeEnvironment"));
        Assert.Equal("false", Text(Mapping(properties, "UpdatePolicy"), "TerminateJobsOnUpdate"));
        Assert.Equal("true", Text(resources, "UpdateToLatestImageVersion"));
        Assert.Equal(Batch.LogicalIdsOfType("AWS::EC2::LaunchTemplate").Single(), Text(launchTemplate, "LaunchTemplateId"));
        Assert.EndsWith(".LatestVersionNumber", Text(launchTemplate, "Version"), StringComparison.Ordinal);
        // In-place updates of instance types and subnets need one of these strategies (!If [UseSpot, …, …]).
        var strategies = ((YamlSequenceNode)resources["AllocationStrategy"]).Children.Skip(1).Cast<YamlScalarNode>().Select(node => node.Value);
        Assert.Equal(["SPOT_PRICE_CAPACITY_OPTIMIZED", "BEST_FIT_PROGRESSIVE"], strategies);
    }

    [Fact]
    public void The_queue_cancels_jobs_RUNNABLE_for_reasons_waiting_never_fixes()
    {
        var queue = Batch.Properties(Batch.LogicalIdsOfType("AWS::Batch::JobQueue").Single());
        var actions = Sequence(queue, "JobStateTimeLimitActions").Cast<YamlMappingNode>().ToList();

        Assert.All(actions, action =>
        {
            Assert.Equal("CANCEL", Text(action, "Action"));
            Assert.Equal("RUNNABLE", Text(action, "State"));
            Assert.StartsWith("MISCONFIGURATION:", Text(action, "Reason"), StringComparison.Ordinal);
        });
        Assert.Contains(actions, action => Text(action, "Reason") == "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE");
        Assert.Contains(actions, action => Text(action, "Reason") == "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT");
        // Batch accepts 600 to 86400 seconds.
        var timeout = int.Parse(Batch.ParameterDefault(Text(actions[0], "MaxTimeSeconds")!)!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(timeout, 600, 86400);
    }

    [Theory]
    [InlineData("academy-video-batch.yaml")]
    [InlineData("academy-video-api.yaml")]
    [InlineData("academy-video-network.yaml")]
    [InlineData("academy-video-database.yaml")]
    public void Every_service_trust_except_EC2s_is_conditioned_on_this_account(string file)
    {
        var template = CloudFormationYaml.Load(file);
        foreach (var id in template.LogicalIdsOfType("AWS::IAM::Role"))
        {
            foreach (var statement in Sequence(Mapping(template.Properties(id), "AssumeRolePolicyDocument"), "Statement").Cast<YamlMappingNode>())
            {
                if (Text(Mapping(statement, "Principal"), "Service") == "ec2.amazonaws.com")
                {
                    continue;
                }

                var condition = Mapping(Mapping(statement, "Condition"), "StringEquals");
                Assert.Equal("AWS::AccountId", Text(condition, "aws:SourceAccount"));
            }
        }
    }
}
