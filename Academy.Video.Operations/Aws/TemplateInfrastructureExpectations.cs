using Academy.Video.Operations.Application;

namespace Academy.Video.Operations.Aws;

/// <summary>The operator checks' expectations, read from the infrastructure template embedded in this build.</summary>
public sealed class TemplateInfrastructureExpectations : IInfrastructureExpectations
{
    public const string TemplatePath = "build/aws/academy-video-batch.yaml";
    private const string EcsTasks = "ecs-tasks.amazonaws.com";

    private static readonly Lazy<InfrastructureExpectations> Expectations = new(Read);

    public InfrastructureExpectations Get() => Expectations.Value;

    private static InfrastructureExpectations Read()
    {
        var template = InfrastructureTemplate.Embedded;
        return new InfrastructureExpectations(
            TemplatePath,
            template.JobQueueName,
            template.JobDefinitionName,
            template.ComputeEnvironmentName,
            template.LogGroupName,
            Role(template.JobRole),
            Role(template.ExecutionRole),
            template.JobDefinition.RetryAttempts,
            template.JobDefinition.TimeoutSeconds,
            template.ComputeEnvironment.MaxvCpus,
            template.ComputeEnvironment.InstanceTypes);
    }

    /// <summary>Managed policy ARNs carry deploy-time placeholders (<c>${AWS::Partition}</c>); their names are compared.</summary>
    private static RoleExpectation Role(TemplateRole role) =>
        new(role.Name,
            role.TrustedServices.FirstOrDefault(s => s == EcsTasks) ?? role.TrustedServices.FirstOrDefault() ?? EcsTasks,
            role.AllowedActions,
            role.ManagedPolicyArns.Select(arn => arn[(arn.LastIndexOf('/') + 1)..]).ToList());
}
