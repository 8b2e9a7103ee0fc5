using System.Runtime.InteropServices;

namespace Academy.Video.Infrastructure.Runners.Local;

/// <summary>
/// kill(2) for a process or a whole process group. .NET has no API for either: <c>Process.Kill</c> sends SIGKILL
/// to one process (or walks a tree that an orphaned grandchild has already left), and
/// <c>PosixSignalRegistration</c> only handles signals this process receives.
/// </summary>
internal static partial class PosixSignals
{
    private const int SigKill = 9;
    private const int SigTerm = 15;
    private const int NoSuchProcess = 3; // ESRCH

    /// <returns><c>false</c> when the signal could not be sent (the process is already gone, or not on a POSIX system).</returns>
    public static bool TryTerminate(int processId) => Send(processId, SigTerm);

    /// <summary>SIGKILL to every member of the group, wherever its members were reparented to.</summary>
    /// <returns><c>false</c> when the group has no member left (or not on a POSIX system).</returns>
    public static bool TryKillGroup(int processGroupId) => Send(-processGroupId, SigKill);

    /// <summary>Whether any process, zombies included, is still in the group (signal 0 checks without sending).</summary>
    public static bool GroupExists(int processGroupId)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        // EPERM also means "exists": a member that changed its user still counts.
        return Kill(-processGroupId, 0) == 0 || Marshal.GetLastPInvokeError() != NoSuchProcess;
    }

    private static bool Send(int target, int signal) => !OperatingSystem.IsWindows() && Kill(target, signal) == 0;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}
