using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Academy.Video.Operations.Aws;

/// <summary>
/// The CloudFormation template of the Batch stack (<c>build/aws/academy-video-batch.yaml</c>, embedded in
/// this assembly), read into what the operator commands compare a deployment against: the expected
/// names, the job definition's command, retry, timeout and environment, and the actions each role and
/// policy grants.
/// </summary>
/// <remarks>
/// Values are resolved as far as the template alone allows: <c>!Ref</c> to a parameter gives its default,
/// <c>!Sub</c> substitutes parameter defaults, and whatever is known only at deploy time stays a
/// placeholder in the text (<c>${AWS::Region}</c>, <c>${WorkerImageTag}</c>, <c>${JobRole.Arn}</c>).
/// Both the short tags (<c>!Ref</c>, <c>!Sub</c>, <c>!GetAtt</c>) and the long forms (<c>Ref</c>,
/// <c>Fn::Sub</c>, <c>Fn::GetAtt</c>) are read.
/// </remarks>
public sealed partial class InfrastructureTemplate
{
    /// <summary>The manifest name of the embedded template.</summary>
    public const string ResourceName = "Academy.Video.Aws.academy-video-batch.yaml";

    private static readonly Lazy<InfrastructureTemplate> EmbeddedTemplate = new(LoadEmbedded);

    private readonly YamlMappingNode resources;
    private readonly Dictionary<string, string?> parameterDefaults;

    private InfrastructureTemplate(YamlMappingNode root)
    {
        parameterDefaults = ReadParameterDefaults(root);
        resources = Mapping(root, "Resources")
            ?? throw new InfrastructureTemplateException("The template has no Resources section.");

        var jobDefinition = SingleResource("AWS::Batch::JobDefinition");
        var computeEnvironment = SingleResource("AWS::Batch::ComputeEnvironment");
        var jobQueue = SingleResource("AWS::Batch::JobQueue");
        var logGroup = SingleResource("AWS::Logs::LogGroup");
        var apiPolicy = SingleResource("AWS::IAM::ManagedPolicy");

        var container = RequiredMapping(jobDefinition.Properties, "ContainerProperties", jobDefinition.LogicalId);
        JobRole = ReadRole(ReferencedLogicalId(container, "JobRoleArn", jobDefinition.LogicalId));
        ExecutionRole = ReadRole(ReferencedLogicalId(container, "ExecutionRoleArn", jobDefinition.LogicalId));
        InstanceRole = ReadRole(InstanceProfileRole(computeEnvironment));

        JobDefinition = ReadJobDefinition(jobDefinition, container);
        ComputeEnvironment = ReadComputeEnvironment(computeEnvironment);
        JobQueue = ReadJobQueue(jobQueue);
        LogGroup = new TemplateLogGroup(
            RequiredString(logGroup.Properties, "LogGroupName", logGroup.LogicalId),
            ParseInt(Resolve(Child(logGroup.Properties, "RetentionInDays")), "RetentionInDays"));
        ApiPolicy = ReadPolicy(
            RequiredString(apiPolicy.Properties, "ManagedPolicyName", apiPolicy.LogicalId),
            RequiredMapping(apiPolicy.Properties, "PolicyDocument", apiPolicy.LogicalId));
    }

    /// <summary>The template shipped with this build of the product.</summary>
    public static InfrastructureTemplate Embedded => EmbeddedTemplate.Value;

    /// <summary>The parameters and their defaults (null where a parameter has none and must be given at deploy).</summary>
    public IReadOnlyDictionary<string, string?> ParameterDefaults => parameterDefaults;

    public TemplateJobDefinition JobDefinition { get; }

    public TemplateComputeEnvironment ComputeEnvironment { get; }

    public TemplateJobQueue JobQueue { get; }

    public TemplateLogGroup LogGroup { get; }

    /// <summary>The role the worker container runs as.</summary>
    public TemplateRole JobRole { get; }

    /// <summary>The role the ECS agent uses to pull the image, inject secrets and write logs.</summary>
    public TemplateRole ExecutionRole { get; }

    /// <summary>The EC2 instance role of the compute environment (through its instance profile).</summary>
    public TemplateRole InstanceRole { get; }

    /// <summary>The managed policy for the API and the operator commands.</summary>
    public TemplatePolicy ApiPolicy { get; }

    public string JobQueueName => JobQueue.Name;

    public string JobDefinitionName => JobDefinition.Name;

    public string ComputeEnvironmentName => ComputeEnvironment.Name;

    public string LogGroupName => LogGroup.Name;

    public string JobRoleName => JobRole.Name;

    public string ExecutionRoleName => ExecutionRole.Name;

    /// <summary>Reads a template from its YAML text.</summary>
    /// <exception cref="InfrastructureTemplateException">The text is not YAML or lacks a resource the product needs.</exception>
    public static InfrastructureTemplate Parse(string yaml)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var stream = new YamlStream();
        try
        {
            using var reader = new StringReader(yaml);
            stream.Load(reader);
        }
        catch (YamlException ex)
        {
            throw new InfrastructureTemplateException($"The template is not valid YAML: {ex.Message}", ex);
        }

        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new InfrastructureTemplateException("The template must be one YAML document with a mapping at its root.");
        }

        return new InfrastructureTemplate(root);
    }

    private static InfrastructureTemplate LoadEmbedded()
    {
        using var stream = typeof(InfrastructureTemplate).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InfrastructureTemplateException($"The assembly does not embed {ResourceName}.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    private TemplateJobDefinition ReadJobDefinition(TemplateResource resource, YamlMappingNode container)
    {
        var properties = resource.Properties;
        var logConfiguration = RequiredMapping(container, "LogConfiguration", resource.LogicalId);
        var logOptions = Mapping(logConfiguration, "Options");
        var resourceRequirements = Sequence(container, "ResourceRequirements")
            .OfType<YamlMappingNode>()
            .ToDictionary(
                requirement => Resolve(Child(requirement, "Type")) ?? string.Empty,
                requirement => Resolve(Child(requirement, "Value")),
                StringComparer.Ordinal);

        return new TemplateJobDefinition(
            Name: RequiredString(properties, "JobDefinitionName", resource.LogicalId),
            Type: Resolve(Child(properties, "Type")) ?? string.Empty,
            PlatformCapabilities: ResolveList(Child(properties, "PlatformCapabilities")),
            Image: Resolve(Child(container, "Image")),
            Command: ResolveList(Child(container, "Command")),
            Parameters: ResolveMap(Mapping(properties, "Parameters")),
            RetryAttempts: ParseInt(Resolve(Child(Mapping(properties, "RetryStrategy"), "Attempts")), "RetryStrategy.Attempts"),
            TimeoutSeconds: ParseInt(Resolve(Child(Mapping(properties, "Timeout"), "AttemptDurationSeconds")), "Timeout.AttemptDurationSeconds"),
            Vcpus: resourceRequirements.TryGetValue("VCPU", out var vcpus) ? ParseInt(vcpus, "VCPU") : null,
            MemoryMiB: resourceRequirements.TryGetValue("MEMORY", out var memory) ? ParseInt(memory, "MEMORY") : null,
            JobRoleName: JobRole.Name,
            ExecutionRoleName: ExecutionRole.Name,
            LogDriver: Resolve(Child(logConfiguration, "LogDriver")) ?? string.Empty,
            LogGroupName: Resolve(Child(logOptions, "awslogs-group")),
            Environment: ResolveNameValueList(Sequence(container, "Environment"), "Value"),
            Secrets: ResolveNameValueList(Sequence(container, "Secrets"), "ValueFrom"));
    }

    private TemplateComputeEnvironment ReadComputeEnvironment(TemplateResource resource)
    {
        var computeResources = RequiredMapping(resource.Properties, "ComputeResources", resource.LogicalId);
        return new TemplateComputeEnvironment(
            Name: RequiredString(resource.Properties, "ComputeEnvironmentName", resource.LogicalId),
            Type: Resolve(Child(resource.Properties, "Type")) ?? string.Empty,
            State: Resolve(Child(resource.Properties, "State")) ?? "ENABLED",
            ProvisioningModel: Resolve(Child(computeResources, "Type")) ?? string.Empty,
            MinvCpus: ParseInt(Resolve(Child(computeResources, "MinvCpus")), "MinvCpus"),
            MaxvCpus: ParseInt(Resolve(Child(computeResources, "MaxvCpus")), "MaxvCpus"),
            InstanceTypes: ResolveList(Child(computeResources, "InstanceTypes")),
            InstanceRoleName: InstanceRole.Name);
    }

    private TemplateJobQueue ReadJobQueue(TemplateResource resource)
    {
        var environments = Sequence(resource.Properties, "ComputeEnvironmentOrder")
            .OfType<YamlMappingNode>()
            .Select(order => (
                Order: ParseInt(Resolve(Child(order, "Order")), "ComputeEnvironmentOrder.Order"),
                Name: ComputeEnvironmentNameOf(Child(order, "ComputeEnvironment"))))
            .OrderBy(entry => entry.Order)
            .Select(entry => entry.Name)
            .ToList();

        return new TemplateJobQueue(
            Name: RequiredString(resource.Properties, "JobQueueName", resource.LogicalId),
            State: Resolve(Child(resource.Properties, "State")) ?? "ENABLED",
            Priority: ParseInt(Resolve(Child(resource.Properties, "Priority")), "Priority"),
            ComputeEnvironmentNames: environments);
    }

    /// <summary>A queue names its compute environment by <c>!Ref</c> (the ARN) or by a literal name or ARN.</summary>
    private string ComputeEnvironmentNameOf(YamlNode? node)
    {
        var logicalId = ReferencedResource(node);
        if (logicalId is not null && ResourceOrNull(logicalId) is { Type: "AWS::Batch::ComputeEnvironment" } referenced)
        {
            return RequiredString(referenced.Properties, "ComputeEnvironmentName", logicalId);
        }

        var text = Resolve(node) ?? throw new InfrastructureTemplateException("A job queue's compute environment is not readable.");
        return text[(text.LastIndexOf('/') + 1)..];
    }

    private TemplateRole ReadRole(string logicalId)
    {
        var resource = ResourceOrNull(logicalId) is { Type: "AWS::IAM::Role" } role
            ? role
            : throw new InfrastructureTemplateException($"{logicalId} is referenced as a role but is not an AWS::IAM::Role.");
        var properties = resource.Properties;

        var trust = RequiredMapping(properties, "AssumeRolePolicyDocument", logicalId);
        var trustedServices = Statements(trust)
            .Select(statement => Mapping(statement, "Principal"))
            .SelectMany(principal => ResolveList(Child(principal, "Service")))
            .ToList();

        var inlinePolicies = Sequence(properties, "Policies")
            .OfType<YamlMappingNode>()
            .Select(policy => ReadPolicy(
                RequiredString(policy, "PolicyName", logicalId),
                RequiredMapping(policy, "PolicyDocument", logicalId)))
            .ToList();

        return new TemplateRole(
            LogicalId: logicalId,
            Name: RequiredString(properties, "RoleName", logicalId),
            TrustedServices: trustedServices,
            InlinePolicies: inlinePolicies,
            ManagedPolicyArns: ResolveList(Child(properties, "ManagedPolicyArns")));
    }

    private TemplatePolicy ReadPolicy(string name, YamlMappingNode document) =>
        new(name, Statements(document)
            .Select(statement => new TemplateStatement(
                Sid: Resolve(Child(statement, "Sid")),
                Effect: Resolve(Child(statement, "Effect")) ?? string.Empty,
                Actions: ResolveList(Child(statement, "Action")),
                Resources: ResolveList(Child(statement, "Resource"))))
            .ToList());

    private static IEnumerable<YamlMappingNode> Statements(YamlMappingNode document) =>
        Child(document, "Statement") switch
        {
            YamlSequenceNode sequence => sequence.OfType<YamlMappingNode>(),
            YamlMappingNode single => [single],
            _ => [],
        };

    /// <summary>The instance role behind the compute environment's <c>InstanceRole</c> (an instance profile).</summary>
    private string InstanceProfileRole(TemplateResource computeEnvironment)
    {
        var computeResources = RequiredMapping(computeEnvironment.Properties, "ComputeResources", computeEnvironment.LogicalId);
        var profileId = ReferencedResource(Child(computeResources, "InstanceRole"))
            ?? throw new InfrastructureTemplateException("The compute environment's InstanceRole must reference the template's instance profile.");
        var profile = ResourceOrNull(profileId) is { Type: "AWS::IAM::InstanceProfile" } found
            ? found
            : throw new InfrastructureTemplateException($"{profileId} is not an AWS::IAM::InstanceProfile.");
        var roles = Sequence(profile.Properties, "Roles").ToList();
        return roles.Count == 1 && ReferencedResource(roles[0]) is { } roleId
            ? roleId
            : throw new InfrastructureTemplateException($"{profileId} must hold exactly one role of this template.");
    }

    private string ReferencedLogicalId(YamlMappingNode mapping, string key, string owner) =>
        ReferencedResource(Child(mapping, key))
            ?? throw new InfrastructureTemplateException($"{owner}.{key} must reference a role of this template (!GetAtt Role.Arn).");

    /// <summary>The logical id a <c>!Ref</c> or <c>!GetAtt</c> names, when it names a resource of this template.</summary>
    private string? ReferencedResource(YamlNode? node)
    {
        var (function, argument) = IntrinsicOf(node);
        var logicalId = function switch
        {
            "Ref" => ScalarText(argument),
            "Fn::GetAtt" => GetAttParts(argument)?.LogicalId,
            _ => null,
        };
        return logicalId is not null && ResourceOrNull(logicalId) is not null ? logicalId : null;
    }

    private TemplateResource SingleResource(string type)
    {
        var matches = resources.Children
            .Where(entry => entry.Value is YamlMappingNode body && ScalarText(Child(body, "Type")) == type)
            .ToList();
        if (matches.Count != 1)
        {
            throw new InfrastructureTemplateException($"The template must declare exactly one {type}; it declares {matches.Count}.");
        }

        return ResourceOrNull(ScalarText(matches[0].Key)!)!;
    }

    private TemplateResource? ResourceOrNull(string logicalId)
    {
        if (!resources.Children.TryGetValue(new YamlScalarNode(logicalId), out var node) || node is not YamlMappingNode body)
        {
            return null;
        }

        return new TemplateResource(logicalId, ScalarText(Child(body, "Type")) ?? string.Empty,
            Mapping(body, "Properties") ?? new YamlMappingNode());
    }

    private string RequiredString(YamlMappingNode mapping, string key, string owner) =>
        Resolve(Child(mapping, key)) is { Length: > 0 } value
            ? value
            : throw new InfrastructureTemplateException($"{owner}.{key} is missing or cannot be resolved from the template.");

    private static YamlMappingNode RequiredMapping(YamlMappingNode mapping, string key, string owner) =>
        Mapping(mapping, key) ?? throw new InfrastructureTemplateException($"{owner}.{key} is missing.");

    private static Dictionary<string, string?> ReadParameterDefaults(YamlMappingNode root) =>
        Entries(Mapping(root, "Parameters"))
            .ToDictionary(
                entry => ScalarText(entry.Key) ?? string.Empty,
                entry => entry.Value is YamlMappingNode parameter ? ScalarText(Child(parameter, "Default")) : null,
                StringComparer.Ordinal);

    private List<string> ResolveList(YamlNode? node) =>
        node switch
        {
            null => [],
            YamlSequenceNode sequence => sequence.Select(Resolve).OfType<string>().ToList(),
            _ => Resolve(node) is { } single ? [single] : [],
        };

    private Dictionary<string, string> ResolveMap(YamlMappingNode? mapping) =>
        Entries(mapping)
            .Where(entry => ScalarText(entry.Key) is not null && Resolve(entry.Value) is not null)
            .ToDictionary(entry => ScalarText(entry.Key)!, entry => Resolve(entry.Value)!, StringComparer.Ordinal);

    private Dictionary<string, string> ResolveNameValueList(IEnumerable<YamlNode> entries, string valueKey)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in entries.OfType<YamlMappingNode>())
        {
            var name = Resolve(Child(entry, "Name")) ?? throw new InfrastructureTemplateException("An environment or secret entry has no Name.");
            if (!result.TryAdd(name, Resolve(Child(entry, valueKey)) ?? string.Empty))
            {
                throw new InfrastructureTemplateException($"{name} is set twice in the job definition.");
            }
        }

        return result;
    }

    /// <summary>
    /// The text of a value, with parameter defaults substituted. Placeholders stay for what only a deploy
    /// knows; null for a function whose result the template alone cannot tell (<c>!If</c>, <c>!Select</c>).
    /// </summary>
    private string? Resolve(YamlNode? node)
    {
        var (function, argument) = IntrinsicOf(node);
        return function switch
        {
            null => node is YamlScalarNode scalar ? scalar.Value : null,
            "Ref" => ScalarText(argument) is { } name ? ResolveName(name) : null,
            "Fn::Sub" => ResolveSub(argument),
            "Fn::GetAtt" => GetAttParts(argument) is { } parts ? $"${{{parts.LogicalId}.{parts.Attribute}}}" : null,
            _ => null,
        };
    }

    private string ResolveName(string name) =>
        parameterDefaults.TryGetValue(name, out var value) && value is not null ? value : $"${{{name}}}";

    private string? ResolveSub(YamlNode? argument)
    {
        string? text;
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (argument is YamlSequenceNode { Children.Count: 2 } withVariables)
        {
            text = ScalarText(withVariables[0]);
            foreach (var entry in Entries(withVariables[1] as YamlMappingNode))
            {
                variables[ScalarText(entry.Key) ?? string.Empty] = Resolve(entry.Value);
            }
        }
        else
        {
            text = ScalarText(argument);
        }

        return text is null
            ? null
            : SubVariable().Replace(text, match =>
            {
                var name = match.Groups["name"].Value;
                if (name.StartsWith('!'))
                {
                    return "${" + name[1..] + "}";
                }

                return variables.TryGetValue(name, out var value) && value is not null ? value
                    : name.Contains('.', StringComparison.Ordinal) ? match.Value
                    : ResolveName(name);
            });
    }

    /// <summary>The intrinsic function of a node, short tag or long form, and its argument.</summary>
    private static (string? Function, YamlNode? Argument) IntrinsicOf(YamlNode? node)
    {
        if (node is null)
        {
            return (null, null);
        }

        if (!node.Tag.IsEmpty && node.Tag.Value.StartsWith('!') && node.Tag.Value.Length > 1)
        {
            var name = node.Tag.Value[1..];
            return (name == "Ref" ? "Ref" : "Fn::" + name, node);
        }

        if (node is YamlMappingNode { Children.Count: 1 } mapping)
        {
            var (key, value) = mapping.Children.First();
            if (ScalarText(key) is { } keyText && (keyText == "Ref" || keyText.StartsWith("Fn::", StringComparison.Ordinal)))
            {
                return (keyText, value);
            }
        }

        return (null, null);
    }

    private static (string LogicalId, string Attribute)? GetAttParts(YamlNode? argument)
    {
        switch (argument)
        {
            case YamlSequenceNode { Children.Count: 2 } sequence
                when ScalarText(sequence[0]) is { } logicalId && ScalarText(sequence[1]) is { } attribute:
                return (logicalId, attribute);
            case YamlScalarNode { Value: { } text } when text.IndexOf('.', StringComparison.Ordinal) is var dot and > 0:
                return (text[..dot], text[(dot + 1)..]);
            default:
                return null;
        }
    }

    private static YamlNode? Child(YamlMappingNode? mapping, string key) =>
        mapping is not null && mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static IEnumerable<KeyValuePair<YamlNode, YamlNode>> Entries(YamlMappingNode? mapping) =>
        mapping?.Children ?? (IEnumerable<KeyValuePair<YamlNode, YamlNode>>)[];

    private static YamlMappingNode? Mapping(YamlMappingNode? mapping, string key) => Child(mapping, key) as YamlMappingNode;

    private static IEnumerable<YamlNode> Sequence(YamlMappingNode? mapping, string key) =>
        Child(mapping, key) as YamlSequenceNode ?? (IEnumerable<YamlNode>)[];

    private static string? ScalarText(YamlNode? node) => (node as YamlScalarNode)?.Value;

    private static int ParseInt(string? text, string what) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InfrastructureTemplateException($"{what} must be a whole number in the template, not '{text}'.");

    [GeneratedRegex(@"\$\{(?<name>[^}]+)\}", RegexOptions.CultureInvariant)]
    private static partial Regex SubVariable();

    private sealed record TemplateResource(string LogicalId, string Type, YamlMappingNode Properties);
}

/// <summary>The job definition as the template declares it, with parameter defaults substituted.</summary>
/// <param name="Command">The container command; the product expects exactly <c>["Ref::job_id"]</c>.</param>
/// <param name="Parameters">Default Batch parameters; the product expects none for <c>job_id</c>.</param>
/// <param name="Environment">Plain environment variables by name.</param>
/// <param name="Secrets">Secret-backed variables by name, with the secret ARN (or ARN:json-key::) they come from.</param>
public sealed record TemplateJobDefinition(
    string Name,
    string Type,
    IReadOnlyList<string> PlatformCapabilities,
    string? Image,
    IReadOnlyList<string> Command,
    IReadOnlyDictionary<string, string> Parameters,
    int RetryAttempts,
    int TimeoutSeconds,
    int? Vcpus,
    int? MemoryMiB,
    string JobRoleName,
    string ExecutionRoleName,
    string LogDriver,
    string? LogGroupName,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyDictionary<string, string> Secrets);

/// <param name="ProvisioningModel">The default of <c>ComputeResources.Type</c>: <c>SPOT</c> or <c>EC2</c>.</param>
public sealed record TemplateComputeEnvironment(
    string Name,
    string Type,
    string State,
    string ProvisioningModel,
    int MinvCpus,
    int MaxvCpus,
    IReadOnlyList<string> InstanceTypes,
    string InstanceRoleName);

public sealed record TemplateJobQueue(string Name, string State, int Priority, IReadOnlyList<string> ComputeEnvironmentNames);

public sealed record TemplateLogGroup(string Name, int RetentionInDays);

/// <param name="TrustedServices">The service principals allowed to assume the role.</param>
public sealed record TemplateRole(
    string LogicalId,
    string Name,
    IReadOnlyList<string> TrustedServices,
    IReadOnlyList<TemplatePolicy> InlinePolicies,
    IReadOnlyList<string> ManagedPolicyArns)
{
    /// <summary>Every action the role's inline policies allow (managed policies are listed in <see cref="ManagedPolicyArns"/>).</summary>
    public IReadOnlyList<string> AllowedActions =>
        InlinePolicies.SelectMany(policy => policy.AllowedActions).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    public bool Allows(string action) => InlinePolicies.Any(policy => policy.Allows(action));
}

public sealed record TemplatePolicy(string Name, IReadOnlyList<TemplateStatement> Statements)
{
    /// <summary>The actions of the <c>Allow</c> statements, as written (no statement denies in this template).</summary>
    public IReadOnlyList<string> AllowedActions =>
        Statements.Where(statement => statement.IsAllow)
            .SelectMany(statement => statement.Actions)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();

    /// <summary>Whether an <c>Allow</c> statement names the action and no <c>Deny</c> does (IAM wildcards honoured, case-insensitive).</summary>
    public bool Allows(string action) =>
        Statements.Any(statement => statement.IsAllow && statement.Matches(action))
        && !Statements.Any(statement => !statement.IsAllow && statement.Matches(action));

    /// <summary>The resources of the <c>Allow</c> statements that name the action.</summary>
    public IReadOnlyList<string> ResourcesFor(string action) =>
        Statements.Where(statement => statement.IsAllow && statement.Matches(action))
            .SelectMany(statement => statement.Resources)
            .ToList();
}

public sealed record TemplateStatement(string? Sid, string Effect, IReadOnlyList<string> Actions, IReadOnlyList<string> Resources)
{
    public bool IsAllow => string.Equals(Effect, "Allow", StringComparison.Ordinal);

    public bool Matches(string action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return Actions.Any(pattern => IamActionPattern.Matches(pattern, action));
    }
}

/// <summary>IAM's action wildcards: <c>*</c> any run of characters, <c>?</c> one; action names are case-insensitive.</summary>
internal static class IamActionPattern
{
    public static bool Matches(string pattern, string action)
    {
        var expression = "^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal)
            .Replace(@"\?", ".", StringComparison.Ordinal) + "$";
        return Regex.IsMatch(action, expression, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }
}

/// <summary>The infrastructure template cannot be read, or lacks what the product needs.</summary>
public sealed class InfrastructureTemplateException : Exception
{
    public InfrastructureTemplateException(string message)
        : base(message)
    {
    }

    public InfrastructureTemplateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public InfrastructureTemplateException()
    {
    }
}
