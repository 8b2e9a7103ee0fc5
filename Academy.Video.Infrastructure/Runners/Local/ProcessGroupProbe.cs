using System.Globalization;

namespace Academy.Video.Infrastructure.Runners.Local;

/// <summary>
/// Whether a process group still has a live member. kill(-pgid, 0) alone cannot tell: a killed orphan stays in its
/// group as a zombie until whoever adopted it reaps it, and an init that never reaps (some container and VM inits)
/// keeps it there for good. A zombie holds no files and burns no CPU, so on Linux the members' states in /proc decide.
/// </summary>
internal static class ProcessGroupProbe
{
    private const string ProcRoot = "/proc";

    public static bool HasLiveMembers(int processGroupId)
    {
        if (!PosixSignals.GroupExists(processGroupId))
        {
            return false;
        }

        if (!Directory.Exists(ProcRoot))
        {
            return true; // No /proc (macOS): a member exists and we cannot see whether it is a zombie.
        }

        foreach (var directory in Directory.EnumerateDirectories(ProcRoot))
        {
            var name = Path.GetFileName(directory);
            if (name.Length == 0 || !char.IsAsciiDigit(name[0]) || !TryReadStat(directory, out var state, out var group))
            {
                continue;
            }

            if (group == processGroupId && state is not ('Z' or 'X'))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Reads the state and process group from <c>/proc/{pid}/stat</c>: "pid (comm) state ppid pgrp …".</summary>
    private static bool TryReadStat(string processDirectory, out char state, out int processGroupId)
    {
        state = default;
        processGroupId = 0;
        string stat;
        try
        {
            stat = File.ReadAllText(Path.Combine(processDirectory, "stat"));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return false; // The process ended while we looked.
        }

        // comm may hold spaces and parentheses; the fields after it start behind the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 3 || fields[0].Length != 1)
        {
            return false;
        }

        state = fields[0][0];
        return int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out processGroupId);
    }
}
