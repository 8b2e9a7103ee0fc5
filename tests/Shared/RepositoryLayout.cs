namespace Academy.Video.Testing;

/// <summary>Where things are in this repository, for tests and benchmarks (linked into each of them).</summary>
internal static class RepositoryLayout
{
    public static string Root { get; } = FindRoot(AppContext.BaseDirectory);

    /// <summary>
    /// The worker's own build output (its runtimeconfig and deps beside it), built in the same
    /// configuration and framework as the calling assembly (…/bin/&lt;configuration&gt;/&lt;tfm&gt;/).
    /// </summary>
    public static string WorkerDll => BuiltDll("Academy.Video.Worker");

    /// <summary>The API's own build output, for running its operator commands as a real process.</summary>
    public static string ApiDll => BuiltDll("Academy.Video.Api");

    private static string BuiltDll(string project)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory);
        var dll = Path.Combine(Root, project, "bin", output.Parent!.Name, output.Name, project + ".dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build {project} first: {dll} is missing.");
    }

    private static string FindRoot(string start)
    {
        var directory = new DirectoryInfo(start);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Academy.Video.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Academy.Video.sln not found above " + start);
    }
}
