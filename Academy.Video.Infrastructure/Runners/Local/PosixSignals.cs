using System.Runtime.InteropServices;

namespace Academy.Video.Infrastructure.Runners.Local;

/// <summary>
/// Sends SIGTERM to a child process. .NET has no API for it: <c>Process.Kill</c> sends SIGKILL, and
/// <c>PosixSignalRegistration</c> only handles signals this process receives. The worker must get SIGTERM
/// first, as Batch/ECS give it, so it can log <c>BATCH_JOB_FAILED</c>, stop FFmpeg and exit 1 (SPEC §3).
/// </summary>
internal static partial class PosixSignals
{
    private const int SigTerm = 15;

    /// <returns><c>false</c> when the signal could not be sent (the process is already gone, or not on a POSIX system).</returns>
    public static bool TrySendTerminate(int processId)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        return Kill(processId, SigTerm) == 0;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}
