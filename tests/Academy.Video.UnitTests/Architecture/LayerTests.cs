using System.Reflection;
using System.Xml.Linq;
using Academy.Video.Application;
using Academy.Video.Domain;

namespace Academy.Video.UnitTests.Architecture;

/// <summary>Project references point inward only: Domain ← Application ← Infrastructure ← hosts.</summary>
public sealed class LayerTests
{
    private static readonly string RepoRoot = Academy.Video.Testing.RepositoryLayout.Root;

    [Fact]
    public void The_domain_assembly_references_nothing_but_the_runtime()
    {
        var references = typeof(DomainException).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.All(references, name => Assert.True(name == "netstandard" || name.StartsWith("System", StringComparison.Ordinal), $"Domain references {name}"));
    }

    [Fact]
    public void The_domain_project_declares_no_package_or_project_reference()
    {
        var project = XDocument.Load(Path.Combine(RepoRoot, "Academy.Video.Domain", "Academy.Video.Domain.csproj"));

        Assert.DoesNotContain(project.Descendants(), e => e.Name.LocalName is "PackageReference" or "ProjectReference" or "Reference");
    }

    [Fact]
    public void The_application_references_only_the_domain_mediator_validation_and_extension_abstractions()
    {
        var allowed = new[] { "Academy.Video.Domain", "Mediator", "FluentValidation", "Microsoft.Extensions.DependencyInjection.Abstractions", "Microsoft.Extensions.Logging.Abstractions", "Microsoft.Extensions.Options" };
        var references = typeof(DependencyInjection).Assembly.GetReferencedAssemblies().Select(a => a.Name!);

        Assert.All(
            references.Where(n => n != "netstandard" && !n.StartsWith("System", StringComparison.Ordinal)),
            name => Assert.Contains(name, allowed));
    }

    [Theory]
    [InlineData("Academy.Video.Application", new[] { "Academy.Video.Domain" })]
    [InlineData("Academy.Video.Infrastructure", new[] { "Academy.Video.Application" })]
    [InlineData("Academy.Video.Operations", new[] { "Academy.Video.Infrastructure" })]
    [InlineData("Academy.Video.Api", new[] { "Academy.Video.Infrastructure", "Academy.Video.Operations" })]
    [InlineData("Academy.Video.Worker", new[] { "Academy.Video.Infrastructure" })]
    public void Each_project_references_only_the_layer_inside_it(string project, string[] expected)
    {
        var document = XDocument.Load(Path.Combine(RepoRoot, project, project + ".csproj"));
        var references = document.Descendants().Where(e => e.Name.LocalName == "ProjectReference")
            .Select(e => Path.GetFileNameWithoutExtension(e.Attribute("Include")!.Value.Replace('\\', '/')))
            .ToArray();

        Assert.Equal(expected, references);
    }
}
