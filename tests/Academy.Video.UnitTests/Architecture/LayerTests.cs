using System.Reflection;
using System.Xml.Linq;
using Academy.Video.Application;
using Academy.Video.Application.Jobs;
using Academy.Video.Application.Webhooks;
using Academy.Video.Domain;
using Academy.Video.Infrastructure.Transcoding;
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

    [Fact]
    public void The_application_never_touches_the_file_system()
    {
        var core = typeof(DependencyInjection).Assembly.GetTypes();

        Assert.Empty(FileSystemCalls(core));
    }

    [Fact]
    public void The_file_system_check_sees_code_that_does_touch_it()
    {
        // The attempt adapter creates and removes its work directory: the check above would name these calls.
        Assert.Contains(FileSystemCalls([typeof(TranscodeAttemptRunner), .. typeof(TranscodeAttemptRunner).GetNestedTypes(BindingFlags.NonPublic)]), call => call.EndsWith("Directory.CreateDirectory", StringComparison.Ordinal));
    }

    private static readonly Type[] FileSystemTypes = [typeof(File), typeof(Directory), typeof(FileInfo), typeof(DirectoryInfo), typeof(FileStream), typeof(FileSystemInfo)];

    private static readonly Dictionary<short, System.Reflection.Emit.OpCode> OpCodes = typeof(System.Reflection.Emit.OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (System.Reflection.Emit.OpCode)field.GetValue(null)!)
        .ToDictionary(code => code.Value);

    /// <summary>
    /// Every method, constructor or field of a file-system type that the types' code (their compiler-generated state
    /// machines and lambdas included) refers to, read from the IL: "declaring type → member".
    /// </summary>
    private static List<string> FileSystemCalls(IEnumerable<Type> types)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var calls = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in types.SelectMany(WithNested).Distinct())
        {
            foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                foreach (var member in MembersReferencedBy(method))
                {
                    if (member.DeclaringType is { } declaring && FileSystemTypes.Contains(declaring))
                    {
                        calls.Add($"{type.FullName} → {declaring.FullName}.{member.Name}");
                    }
                }
            }
        }

        return [.. calls];

        static IEnumerable<Type> WithNested(Type type) => type.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic).SelectMany(WithNested).Prepend(type);
    }

    /// <summary>The members a method's IL refers to by token (calls, field accesses, ldtoken).</summary>
    private static IEnumerable<MemberInfo> MembersReferencedBy(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray() ?? [];
        var position = 0;
        while (position < il.Length)
        {
            var value = il[position] == 0xFE ? (short)(0xFE00 | il[position + 1]) : il[position];
            position += il[position] == 0xFE ? 2 : 1;
            var code = OpCodes[value];
            var operandSize = code.OperandType switch
            {
                System.Reflection.Emit.OperandType.InlineNone => 0,
                System.Reflection.Emit.OperandType.ShortInlineBrTarget or System.Reflection.Emit.OperandType.ShortInlineI or System.Reflection.Emit.OperandType.ShortInlineVar => 1,
                System.Reflection.Emit.OperandType.InlineVar => 2,
                System.Reflection.Emit.OperandType.InlineI8 or System.Reflection.Emit.OperandType.InlineR => 8,
                System.Reflection.Emit.OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, position)),
                _ => 4,
            };
            if (code.OperandType is System.Reflection.Emit.OperandType.InlineMethod or System.Reflection.Emit.OperandType.InlineField or System.Reflection.Emit.OperandType.InlineTok)
            {
                var member = method.Module.ResolveMember(
                    BitConverter.ToInt32(il, position),
                    method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null,
                    method.IsGenericMethod ? method.GetGenericArguments() : null);
                if (member is not null)
                {
                    yield return member;
                }
            }

            position += operandSize;
        }
    }
}
