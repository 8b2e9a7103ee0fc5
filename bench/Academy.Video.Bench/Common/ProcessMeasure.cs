using System.Diagnostics;
using System.Globalization;

namespace Academy.Video.Bench.Common;

/// <param name="SelfCpu">The process's own CPU time (user + system), its children excluded.</param>
/// <param name="TreeCpu">The CPU time of the process and every descendant it waited for (ffmpeg under the worker).</param>
public sealed record Measurement(
    TimeSpan Elapsed,
    int ExitCode,
    long PeakRssBytes,
    long PeakChildRssBytes,
    TimeSpan SelfCpu,
    TimeSpan TreeCpu,
    string Output,
    bool Killed);

/// <summary>
/// Runs a process and measures it from outside: wall time, peak RSS from /proc (VmHWM) of the process and of its
/// largest child, its own CPU time (sampled from /proc/PID/stat until it exits) and the CPU time of the whole tree
/// (this process's children counters, which the kernel adds to when a child is reaped).
/// </summary>
public static class ProcessMeasure
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux.
    private static readonly SemaphoreSlim OneAtATime = new(1, 1);

    /// <param name="onOutputLine">Each stdout line as it arrives, with the time since start and the process's own CPU time so far.</param>
    /// <param name="kill">When cancelled, the process and its children get SIGKILL (a container dying).</param>
    public static async Task<Measurement> RunAsync(
        string command,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null,
        Action<string, TimeSpan, TimeSpan>? onOutputLine = null,
        CancellationToken kill = default)
    {
        // The tree CPU is a difference of this process's children counters: one measured process at a time.
        await OneAtATime.WaitAsync();
        try
        {
            return await MeasureAsync(command, arguments, environment ?? new Dictionary<string, string>(), onOutputLine, kill);
        }
        finally
        {
            OneAtATime.Release();
        }
    }

    /// <summary>Runs to completion and throws on a non-zero exit.</summary>
    public static async Task<string> RunCheckedAsync(string command, IEnumerable<string> arguments)
    {
        var measured = await RunAsync(command, arguments);
        if (measured.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} failed ({measured.ExitCode}): {measured.Output}");
        }

        return measured.Output;
    }

    private static async Task<Measurement> MeasureAsync(
        string command,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string> environment,
        Action<string, TimeSpan, TimeSpan>? onOutputLine,
        CancellationToken kill)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var childrenBefore = ChildrenCpuTicks();
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = new System.Text.StringBuilder();
        var stdoutDone = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                stdout.AppendLine(line);
                onOutputLine?.Invoke(line, clock.Elapsed, TimeSpan.FromSeconds(OwnCpuTicks(process.Id) / TicksPerSecond));
            }
        });
        var stderr = process.StandardError.ReadToEndAsync();
        var killed = false;
        using var killRegistration = kill.Register(() =>
        {
            killed = true;
            process.Kill(entireProcessTree: true);
        });

        long peak = 0, childPeak = 0, selfTicks = 0;
        while (!process.HasExited)
        {
            peak = Math.Max(peak, HighWaterMark(process.Id));
            selfTicks = Math.Max(selfTicks, OwnCpuTicks(process.Id));
            foreach (var child in Children(process.Id))
            {
                childPeak = Math.Max(childPeak, HighWaterMark(child));
            }

            await Task.Delay(100);
        }

        await process.WaitForExitAsync();
        clock.Stop();
        await stdoutDone;
        var treeTicks = ChildrenCpuTicks() - childrenBefore;
        return new Measurement(
            clock.Elapsed,
            process.ExitCode,
            peak,
            childPeak,
            TimeSpan.FromSeconds(selfTicks / TicksPerSecond),
            TimeSpan.FromSeconds(treeTicks / TicksPerSecond),
            stdout + await stderr,
            killed);
    }

    private static long HighWaterMark(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>cutime + cstime of another process: the CPU of every child it has reaped (a runner's workers, their ffmpeg).</summary>
    public static TimeSpan ReapedChildrenCpu(int pid) =>
        TimeSpan.FromSeconds((StatFields($"/proc/{pid}/stat") is { } f ? f[12] + f[13] : 0) / TicksPerSecond);

    /// <summary>utime + stime of a process (fields 14 and 15 of /proc/PID/stat).</summary>
    private static long OwnCpuTicks(int pid) => StatFields($"/proc/{pid}/stat") is { } f ? f[10] + f[11] : 0;

    /// <summary>cutime + cstime of this process: the CPU of every child it has reaped, and of theirs.</summary>
    private static long ChildrenCpuTicks() => StatFields("/proc/self/stat") is { } f ? f[12] + f[13] : 0;

    /// <summary>The numeric fields after the state, from field 4 (ppid) on: field N is at index N - 4.</summary>
    private static long[]? StatFields(string path)
    {
        try
        {
            var text = File.ReadAllText(path);
            return text[(text.LastIndexOf(')') + 2)..]
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Skip(1)
                .Select(f => long.TryParse(f, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0)
                .ToArray();
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Children of every thread: the worker starts ffmpeg from a thread-pool thread, not its main thread.</summary>
    public static IEnumerable<int> Children(int pid)
    {
        try
        {
            return Directory.GetDirectories($"/proc/{pid}/task")
                .SelectMany(task => File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Select(int.Parse)
                .ToList();
        }
        catch (IOException)
        {
            return [];
        }
    }
}
