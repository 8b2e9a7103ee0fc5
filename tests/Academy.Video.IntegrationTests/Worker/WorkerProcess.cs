using System.Diagnostics;
using System.Text.Json;

namespace Academy.Video.IntegrationTests.Worker;

/// <summary>Runs the real worker binary as AWS Batch would: <c>dotnet Academy.Video.Worker.dll &lt;job_id&gt;</c>.</summary>
public sealed class WorkerProcess : IDisposable
{
    private readonly Process process;
    private readonly List<string> lines = [];
    private readonly Task pump;

    private WorkerProcess(Process process)
    {
        this.process = process;
        pump = Task.WhenAll(PumpAsync(process.StandardOutput), PumpAsync(process.StandardError));
    }

    public static string WorkerDll => Academy.Video.Testing.RepositoryLayout.WorkerDll;

    public int Id => process.Id;

    public IReadOnlyList<JsonElement> Events
    {
        get
        {
            lock (lines)
            {
                return lines.Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
            }
        }
    }

    public string Output { get { lock (lines) { return string.Join('\n', lines); } } }

    public IEnumerable<string> EventNames => Events.Where(e => e.TryGetProperty("event", out _)).Select(e => e.GetProperty("event").GetString()!);

    public static WorkerProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(WorkerDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("VIDEO_JOB_ID");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return new WorkerProcess(Process.Start(start)!);
    }

    public static async Task<WorkerProcess> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var worker = Start(arguments, environment);
        await worker.WaitAsync();
        return worker;
    }

    public async Task<int> WaitAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        await pump;
        return process.ExitCode;
    }

    public int ExitCode => process.ExitCode;

    /// <summary>What Batch sends on terminate or timeout. .NET has no API to send SIGTERM to another process.</summary>
    public void SendSigterm() => Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();

    /// <summary>SIGKILL to the worker and its children, as when a container dies at once (spot reclaim, OOM kill).</summary>
    public void Kill()
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        process.Dispose();
    }

    private async Task PumpAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (lines)
            {
                lines.Add(line);
            }
        }
    }
}
