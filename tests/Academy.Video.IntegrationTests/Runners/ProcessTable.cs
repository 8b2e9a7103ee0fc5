using System.Globalization;

namespace Academy.Video.IntegrationTests.Runners;

/// <summary>
/// What /proc says about processes, read here independently of the product code under test. A zombie counts as
/// gone: it has exited and holds nothing, and the init of some test machines never reaps the orphans it adopts.
/// </summary>
internal static class ProcessTable
{
    public static IReadOnlyList<ProcessEntry> All() =>
        Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => name!.Length > 0 && name.All(char.IsAsciiDigit))
            .Select(name => Find(int.Parse(name!, CultureInfo.InvariantCulture)))
            .OfType<ProcessEntry>()
            .ToList();

    public static ProcessEntry? Find(int processId)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{processId}/stat");
            var commandLine = File.ReadAllText($"/proc/{processId}/cmdline").Replace('\0', ' ').Trim();
            var open = stat.IndexOf('(', StringComparison.Ordinal);
            var close = stat.LastIndexOf(')');
            var fields = stat[(close + 2)..].Split(' ');
            return new ProcessEntry(
                processId,
                stat[(open + 1)..close],
                commandLine,
                fields[0][0],
                int.Parse(fields[2], CultureInfo.InvariantCulture));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static bool IsAlive(int processId) => Find(processId) is { IsAlive: true };

    /// <summary>Live members of a process group.</summary>
    public static IReadOnlyList<ProcessEntry> LiveInGroup(int processGroupId) =>
        All().Where(p => p.ProcessGroupId == processGroupId && p.IsAlive).ToList();
}

internal sealed record ProcessEntry(int ProcessId, string Name, string CommandLine, char State, int ProcessGroupId)
{
    public bool IsAlive => State is not ('Z' or 'X');
}
