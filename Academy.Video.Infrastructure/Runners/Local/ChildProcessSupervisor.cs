using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Academy.Video.Infrastructure.Runners.Local;

/// <summary>
/// One child process started as the leader of its own process group, and the group's end: SIGTERM to the leader
/// when asked to stop, SIGKILL to the whole group once the grace period is over, and SIGKILL to whatever is left
/// of the group as soon as the leader is gone, however it went (its own exit, a crash, an outside <c>kill -9</c>).
/// So nothing the child started — the worker's ffmpeg — outlives it. Like ECS's <c>docker stop</c> and systemd's
/// <c>KillMode=mixed</c>, SIGTERM goes to the leader alone: it stops its own children in order, and a grandchild
/// that died of its own SIGTERM first would make the leader see a failure where it should see a stop.
/// </summary>
/// <remarks>
/// .NET's <see cref="Process"/> cannot call setsid or setpgid in the child between fork and exec, and a parent may
/// not move its child into a new group once the child has exec'd. So the child is started through util-linux
/// <c>setsid</c>, which makes itself a session and group leader and then execs the command in place: the pid
/// <see cref="Process"/> watches is the command itself and is the group id. The alternative, posix_spawn with
/// POSIX_SPAWN_SETPGROUP through P/Invoke, would mean rewriting the pipes, the environment and the reaping that
/// <see cref="Process"/> does, beside the runtime's own SIGCHLD handler. A grandchild that leaves the group on
/// purpose (setsid, setpgid) escapes this; only a cgroup would hold it, and ffmpeg does not do that.
/// </remarks>
public sealed partial class ChildProcessSupervisor : IDisposable
{
    public const string SetsidCommand = "setsid";

    /// <summary>SIGKILL is not deferrable, but a process in uninterruptible I/O takes a moment to die.</summary>
    private static readonly TimeSpan GroupExitLimit = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan GroupPollInterval = TimeSpan.FromMilliseconds(20);

    private readonly Process process;
    private readonly TimeProvider timeProvider;
    private readonly ILogger logger;
    private bool waited;

    private ChildProcessSupervisor(Process process, TimeProvider timeProvider, ILogger logger)
    {
        this.process = process;
        this.timeProvider = timeProvider;
        this.logger = logger;
        Id = process.Id;
    }

    /// <summary>The leader's pid, which is also the process group id.</summary>
    public int Id { get; }

    public Stream StandardOutput => process.StandardOutput.BaseStream;

    public Stream StandardError => process.StandardError.BaseStream;

    /// <exception cref="ChildProcessStartException">The command does not exist or could not be started.</exception>
    public static ChildProcessSupervisor Start(ChildProcessStartInfo startInfo, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(startInfo);
        var command = ExecutableLookup.Resolve(startInfo.Command)
            ?? throw new ChildProcessStartException($"{startInfo.Command}: no such executable file");

        var processStart = new ProcessStartInfo(SetsidCommand)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = startInfo.WorkingDirectory ?? string.Empty,
        };
        processStart.ArgumentList.Add("--");
        processStart.ArgumentList.Add(command);
        foreach (var argument in startInfo.Arguments)
        {
            processStart.ArgumentList.Add(argument);
        }

        // The child's whole environment, nothing inherited (see WorkerEnvironment).
        processStart.Environment.Clear();
        foreach (var (name, value) in startInfo.Environment)
        {
            processStart.Environment[name] = value;
        }

        var process = new Process { StartInfo = processStart };
        try
        {
            process.Start();
        }
        catch (Win32Exception error)
        {
            process.Dispose();
            throw new ChildProcessStartException($"{SetsidCommand} (util-linux) could not start {command}: {error.Message}", error);
        }

        // Like a container, the child gets no input, so neither it nor its children read the host's terminal.
        process.StandardInput.Close();
        return new ChildProcessSupervisor(process, timeProvider, logger);
    }

    /// <summary>
    /// Waits for the leader to exit; if <paramref name="stop"/> fires first, sends it SIGTERM and, after
    /// <paramref name="gracePeriod"/>, SIGKILL to the group. Either way returns once no member of the group is alive.
    /// </summary>
    public async Task<ChildProcessExit> WaitAsync(TimeSpan gracePeriod, CancellationToken stop)
    {
        var stopped = false;
        var killed = false;
        try
        {
            await process.WaitForExitAsync(stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            stopped = true;
            killed = !await TerminateAsync(gracePeriod).ConfigureAwait(false);
        }

        PosixSignals.TryKillGroup(Id);
        var groupEnded = await WaitForGroupToEndAsync().ConfigureAwait(false);
        waited = true;
        return new ChildProcessExit(process.ExitCode, stopped, killed, groupEnded);
    }

    /// <summary>Kills the group unless <see cref="WaitAsync"/> saw it end, then releases the process handle.</summary>
    public void Dispose()
    {
        if (!waited)
        {
            KillGroup();
        }

        process.Dispose();
    }

    /// <returns>Whether the leader exited within the grace period.</returns>
    private async Task<bool> TerminateAsync(TimeSpan gracePeriod)
    {
        PosixSignals.TryTerminate(Id);
        using var grace = new CancellationTokenSource(gracePeriod, timeProvider);
        try
        {
            await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            LogKilling(logger, Id, gracePeriod);
            KillGroup();
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            return false;
        }
    }

    private void KillGroup()
    {
        PosixSignals.TryKillGroup(Id);
        try
        {
            // Also the leader alone: right after start, setsid may not have made the group yet.
            process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    private async Task<bool> WaitForGroupToEndAsync()
    {
        var started = timeProvider.GetTimestamp();
        while (ProcessGroupProbe.HasLiveMembers(Id))
        {
            if (timeProvider.GetElapsedTime(started) > GroupExitLimit)
            {
                LogGroupOutlived(logger, Id, GroupExitLimit);
                return false;
            }

            // Again, for a member forked while the first SIGKILL was on its way.
            PosixSignals.TryKillGroup(Id);
            await Task.Delay(GroupPollInterval, timeProvider).ConfigureAwait(false);
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Process {ProcessId} still running {GracePeriod} after SIGTERM; sending SIGKILL to its process group")]
    private static partial void LogKilling(ILogger logger, int processId, TimeSpan gracePeriod);

    [LoggerMessage(Level = LogLevel.Error, Message = "Process group {ProcessGroupId} still has live members {Limit} after SIGKILL")]
    private static partial void LogGroupOutlived(ILogger logger, int processGroupId, TimeSpan limit);
}

/// <param name="Command">A path, or a name looked up on PATH.</param>
/// <param name="Environment">The child's whole environment: nothing of this process's is inherited.</param>
public sealed record ChildProcessStartInfo(
    string Command,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string> Environment,
    string? WorkingDirectory = null);

/// <param name="ExitCode">The leader's; 128 + n when a signal n ended it.</param>
/// <param name="Stopped">The stop token fired before the leader exited on its own.</param>
/// <param name="Killed">The leader outlived the grace period and was killed.</param>
/// <param name="GroupEnded">No member of the group was left alive (false only if one survived SIGKILL for seconds).</param>
public sealed record ChildProcessExit(int ExitCode, bool Stopped, bool Killed, bool GroupEnded);

public sealed class ChildProcessStartException(string message, Exception? inner = null) : Exception(message, inner);
