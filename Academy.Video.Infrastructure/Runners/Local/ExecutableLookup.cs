namespace Academy.Video.Infrastructure.Runners.Local;

/// <summary>
/// Finds a command the way execvp would. Hand-written because the supervisor starts <c>setsid</c>, which then execs
/// the command: without resolving it first, a missing command would look like any child exiting with 127, not like a
/// process that could not start.
/// </summary>
internal static class ExecutableLookup
{
    private const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <returns>The full path of the executable, or <c>null</c> when there is none by that name.</returns>
    public static string? Resolve(string command)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        if (command.Contains('/', StringComparison.Ordinal))
        {
            var path = Path.GetFullPath(command);
            return IsExecutable(path) ? path : null;
        }

        var searchPath = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in searchPath.Split(Path.PathSeparator))
        {
            // An empty PATH entry means the current directory, as for execvp.
            var candidate = Path.GetFullPath(Path.Combine(directory.Length == 0 ? "." : directory, command));
            if (IsExecutable(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static bool IsExecutable(string path) =>
        File.Exists(path) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & AnyExecute) != 0);
}
