using YamlDotNet.RepresentationModel;

namespace Academy.Video.Testing;

/// <summary>
/// A CloudFormation template of build/aws/ read as plain YAML, for the tests of what the product's own
/// reader (InfrastructureTemplate) does not model: the API stack, the launch template, the queue's time
/// limits. Intrinsic functions stay visible as the node's tag (<c>!Ref</c>, <c>!Sub</c>) and its text.
/// </summary>
internal sealed class CloudFormationYaml
{
    private CloudFormationYaml(string path, YamlMappingNode root)
    {
        Path = path;
        Root = root;
    }

    public string Path { get; }

    public YamlMappingNode Root { get; }

    public YamlMappingNode Resources => (YamlMappingNode)Root["Resources"];

    public static CloudFormationYaml Load(string fileName)
    {
        var path = System.IO.Path.Combine(RepositoryLayout.Root, "build", "aws", fileName);
        var stream = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            stream.Load(reader);
        }

        return new CloudFormationYaml(path, (YamlMappingNode)stream.Documents.Single().RootNode);
    }

    /// <summary>The Properties of the one resource with this logical id.</summary>
    public YamlMappingNode Properties(string logicalId) => Mapping(Resource(logicalId), "Properties");

    public YamlMappingNode Resource(string logicalId) =>
        Resources.Children.TryGetValue(new YamlScalarNode(logicalId), out var node)
            ? (YamlMappingNode)node
            : throw new KeyNotFoundException($"{Path} has no resource {logicalId}.");

    public IReadOnlyList<string> LogicalIdsOfType(string type) =>
        Resources.Children
            .Where(entry => entry.Value is YamlMappingNode body && Text(body, "Type") == type)
            .Select(entry => ((YamlScalarNode)entry.Key).Value!)
            .ToList();

    /// <summary>A parameter's default, or null.</summary>
    public string? ParameterDefault(string name) =>
        ((YamlMappingNode)Root["Parameters"]).Children.TryGetValue(new YamlScalarNode(name), out var node)
            ? Text((YamlMappingNode)node, "Default")
            : throw new KeyNotFoundException($"{Path} has no parameter {name}.");

    public static YamlMappingNode Mapping(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlMappingNode mapping
            ? mapping
            : throw new KeyNotFoundException($"No mapping {key}.");

    public static IReadOnlyList<YamlNode> Sequence(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlSequenceNode sequence
            ? sequence.Children.ToList()
            : [];

    /// <summary>A scalar's text (for <c>!Ref X</c> that is <c>X</c>), or null.</summary>
    public static string? Text(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? (child as YamlScalarNode)?.Value : null;

    /// <summary>The short-form tag of a value (<c>!Ref</c>, <c>!Sub</c>, <c>!GetAtt</c>), or null for a literal.</summary>
    public static string? Tag(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) && !child.Tag.IsEmpty ? child.Tag.Value : null;

    /// <summary>Name/Value (or Name/ValueFrom) pairs of a container's Environment or Secrets, the value's text as written.</summary>
    public static IReadOnlyDictionary<string, string> NameValues(YamlMappingNode container, string key, string valueKey) =>
        Sequence(container, key).Cast<YamlMappingNode>()
            .ToDictionary(entry => Text(entry, "Name")!, entry => ValueText(entry, valueKey), StringComparer.Ordinal);

    private static string ValueText(YamlMappingNode entry, string valueKey) =>
        entry.Children[new YamlScalarNode(valueKey)] switch
        {
            YamlScalarNode scalar => (scalar.Tag.IsEmpty ? "" : scalar.Tag.Value + " ") + scalar.Value,
            var other => other.ToString(),
        };
}
