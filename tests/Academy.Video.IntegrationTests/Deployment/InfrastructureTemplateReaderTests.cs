using Academy.Video.Operations.Aws;

namespace Academy.Video.IntegrationTests.Deployment;

/// <summary>The reader on small templates: long-form intrinsics, substitution, and the errors it gives.</summary>
public sealed class InfrastructureTemplateReaderTests
{
    private const string LongForm = """
        Parameters:
          Queue: { Type: String, Default: q-1 }
          Tag: { Type: String }
        Resources:
          Logs:
            Type: AWS::Logs::LogGroup
            Properties: { LogGroupName: { "Fn::Sub": "/aws/batch/${Suffix}", }, RetentionInDays: 7 }
          Run:
            Type: AWS::IAM::Role
            Properties:
              RoleName: run-role
              AssumeRolePolicyDocument: { Statement: { Effect: Allow, Principal: { Service: [ecs-tasks.amazonaws.com] }, Action: "sts:AssumeRole" } }
              Policies:
                - PolicyName: p
                  PolicyDocument:
                    Statement:
                      - { Effect: Allow, Action: "batch:Describe*", Resource: "*" }
                      - { Effect: Deny, Action: batch:DescribeJobQueues, Resource: "*" }
          Exec:
            Type: AWS::IAM::Role
            Properties: { RoleName: exec-role, AssumeRolePolicyDocument: { Statement: [] } }
          Node:
            Type: AWS::IAM::Role
            Properties: { RoleName: node-role, AssumeRolePolicyDocument: { Statement: [] } }
          Profile:
            Type: AWS::IAM::InstanceProfile
            Properties: { Roles: [ { Ref: Node } ] }
          Env:
            Type: AWS::Batch::ComputeEnvironment
            Properties:
              ComputeEnvironmentName: ce
              Type: MANAGED
              ComputeResources: { Type: EC2, MinvCpus: 0, MaxvCpus: "8", InstanceTypes: c7g, InstanceRole: { "Fn::GetAtt": [Profile, Arn] } }
          Queue:
            Type: AWS::Batch::JobQueue
            Properties: { JobQueueName: { Ref: Queue }, Priority: 1, ComputeEnvironmentOrder: [ { Order: 1, ComputeEnvironment: { Ref: Env } } ] }
          Def:
            Type: AWS::Batch::JobDefinition
            Properties:
              JobDefinitionName: jd
              Type: container
              RetryStrategy: { Attempts: 1 }
              Timeout: { AttemptDurationSeconds: 60 }
              ContainerProperties:
                Image: { "Fn::Sub": [ "repo:${T}-${!Literal}", { T: { Ref: Tag } } ] }
                Command: [ "Ref::job_id" ]
                JobRoleArn: { "Fn::GetAtt": "Run.Arn" }
                ExecutionRoleArn: { "Fn::GetAtt": [Exec, Arn] }
                LogConfiguration: { LogDriver: awslogs, Options: { awslogs-group: { Ref: Logs } } }
                Environment: [ { Name: A, Value: "1" }, { Name: B, Value: { "Fn::If": [c, x, y] } } ]
          Api:
            Type: AWS::IAM::ManagedPolicy
            Properties: { ManagedPolicyName: api, PolicyDocument: { Statement: [] } }
        """;

    [Fact]
    public void Reads_long_form_intrinsics_and_keeps_deploy_time_values_as_placeholders()
    {
        var template = InfrastructureTemplate.Parse(LongForm);

        Assert.Equal("q-1", template.JobQueueName);
        Assert.Equal(["ce"], template.JobQueue.ComputeEnvironmentNames);
        Assert.Equal("/aws/batch/${Suffix}", template.LogGroupName);
        Assert.Equal("repo:${Tag}-${Literal}", template.JobDefinition.Image);
        Assert.Equal("${Logs}", template.JobDefinition.LogGroupName);
        Assert.Equal("run-role", template.JobRoleName);
        Assert.Equal("exec-role", template.ExecutionRoleName);
        Assert.Equal("node-role", template.InstanceRole.Name);
        Assert.Equal(8, template.ComputeEnvironment.MaxvCpus);
        Assert.Equal(["c7g"], template.ComputeEnvironment.InstanceTypes);
        Assert.Equal("1", template.JobDefinition.Environment["A"]);
        Assert.Equal(string.Empty, template.JobDefinition.Environment["B"]);
        Assert.Null(template.ParameterDefaults["Tag"]);
        Assert.Equal(["ecs-tasks.amazonaws.com"], template.JobRole.TrustedServices);
    }

    [Fact]
    public void A_role_allows_what_a_wildcard_names_unless_a_statement_denies_it()
    {
        var role = InfrastructureTemplate.Parse(LongForm).JobRole;

        Assert.True(role.Allows("batch:DescribeJobs"));
        Assert.True(role.Allows("BATCH:describejobs"));
        Assert.False(role.Allows("batch:DescribeJobQueues"));
        Assert.False(role.Allows("batch:SubmitJob"));
        Assert.Equal(["batch:Describe*"], role.AllowedActions);
    }

    [Theory]
    [InlineData("Resources: {}", "exactly one AWS::Batch::JobDefinition")]
    [InlineData("Parameters: [", "not valid YAML")]
    [InlineData("- a list", "mapping at its root")]
    public void A_template_without_what_the_product_needs_is_refused_with_the_reason(string yaml, string reason)
    {
        var error = Assert.Throws<InfrastructureTemplateException>(() => InfrastructureTemplate.Parse(yaml));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_job_definition_whose_role_is_not_a_role_of_the_template_is_refused()
    {
        var yaml = LongForm.Replace("""JobRoleArn: { "Fn::GetAtt": "Run.Arn" }""", "JobRoleArn: arn:aws:iam::1:role/x", StringComparison.Ordinal);

        var error = Assert.Throws<InfrastructureTemplateException>(() => InfrastructureTemplate.Parse(yaml));

        Assert.Contains("JobRoleArn", error.Message, StringComparison.Ordinal);
    }
}
