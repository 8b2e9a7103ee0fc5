using System.Reflection;
using System.Xml.Linq;
using Academy.Video.Application;
using Academy.Video.Application.Jobs;
using Academy.Video.Application.Webhooks;
using Academy.Video.Domain;
using Academy.Video.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Academy.Video.UnitTests.Architecture;

/// <summary>
/// Project references point inward only: Domain ← Application ← Infrastructure ← hosts, and the operator
/// toolkit (Academy.Video.Operations) hangs off the API alone, so the worker never loads it.
/// </summary>
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

    public static TheoryData<Assembly, string> AssembliesWithoutTheOperationsModule => new()
    {
        { typeof(WorkerHost).Assembly, "Academy.Video.Infrastructure" },
        { typeof(DependencyInjection).Assembly, "Academy.Video.Domain" },
        { typeof(Academy.Video.Infrastructure.DependencyInjection).Assembly, "Academy.Video.Application" },
    };

    [Theory]
    [MemberData(nameof(AssembliesWithoutTheOperationsModule))]
    public void The_worker_the_application_and_the_infrastructure_assemblies_do_not_reference_the_operations_module(Assembly assembly, string layerInside)
    {
        // What the compiled assembly uses, not what its project file says: a type used from Operations shows here.
        var references = assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.Contains(layerInside, references);
        Assert.DoesNotContain(OperationsAssembly, references);
    }

    [Fact]
    public void No_product_project_but_the_API_references_the_operations_module()
    {
        var referencing = Directory.EnumerateFiles(RepoRoot, "*.csproj", SearchOption.AllDirectories)
            .Where(path => !IsUnder(path, "tests") && !IsUnder(path, "node_modules"))
            .Where(path => XDocument.Load(path).Descendants().Any(e => e.Name.LocalName == "ProjectReference"
                && Path.GetFileNameWithoutExtension(e.Attribute("Include")!.Value.Replace('\\', '/')) == OperationsAssembly))
            .Select(Path.GetFileNameWithoutExtension)
            .ToList();

        Assert.Equal(["Academy.Video.Api"], referencing);
    }

    [Fact]
    public void The_worker_composes_the_core_and_nothing_else()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production });

        builder.AddVideoWorker();

        var services = builder.Services;
        Assert.Contains(services, d => d.ServiceType == typeof(ITranscodeJobStore));
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(IJobRunner));
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(IWebhookSender) || d.ServiceType == typeof(IWebhookTargetGuard));
        Assert.DoesNotContain(services, d => d.ServiceType.Assembly.GetName().Name == OperationsAssembly);
    }

    [Fact]
    public void The_worker_host_builds_in_Development_without_the_adapters_it_leaves_out()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Development });
        builder.AddVideoWorker();

        using var host = builder.Build();

        Assert.NotNull(host.Services.GetService<ITranscodeJobStore>());
        Assert.Null(host.Services.GetService<IJobRunner>());
    }

    private const string OperationsAssembly = "Academy.Video.Operations";

    private static bool IsUnder(string path, string folder) =>
        Path.GetRelativePath(RepoRoot, path).Replace('\\', '/').Split('/').Contains(folder);
}
