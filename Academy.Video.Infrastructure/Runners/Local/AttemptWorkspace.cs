using Academy.Video.Application.Common;
using Academy.Video.Infrastructure.Storage;

namespace Academy.Video.Infrastructure.Runners.Local;

/// <summary>
/// One attempt's scratch space, the local stand-in for a container's own filesystem: the worker's work folder and
/// local storage's in-progress uploads, handed to the child through its environment and removed once the attempt's
/// process group is gone. A killed worker cannot clean up after itself; this is what does.
/// </summary>
internal sealed class AttemptWorkspace(string root)
{
    /// <summary><c>Worker:WorkDirectory</c> as the child reads it from its environment.</summary>
    public static readonly string WorkDirectoryVariable = VariableFor(WorkerOptions.Section, nameof(WorkerOptions.WorkDirectory));

    /// <summary><c>Storage:Local:TemporaryDirectory</c>, where local storage keeps a file until it is complete.</summary>
    public static readonly string UploadDirectoryVariable = VariableFor(LocalStorageOptions.SectionName, nameof(LocalStorageOptions.TemporaryDirectory));

    public string Root { get; } = root;

    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [WorkDirectoryVariable] = Path.Combine(Root, "work"),
        [UploadDirectoryVariable] = Path.Combine(Root, "uploads"),
    };

    /// <returns>The error that kept the folder from being removed, or <c>null</c> when it is gone.</returns>
    public Exception? TryDelete()
    {
        try
        {
            if (Directory.Exists(Root))
            {
                Directory.Delete(Root, recursive: true);
            }

            return null;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return error;
        }
    }

    /// <summary>The environment form of a configuration key, which .NET's environment provider reads back with "__" as ':'.</summary>
    private static string VariableFor(string section, string key) => section.Replace(":", "__", StringComparison.Ordinal) + "__" + key;
}
