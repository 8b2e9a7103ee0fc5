using System.Diagnostics;
using System.Text;

namespace Academy.Video.IntegrationTests.Deployment;

/// <summary>Runs the docker CLI and the repository's build scripts as a person would, capturing their output.</summary>
public static class DockerCli
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        public IReadOnlyList<string> OutputLines =>
            StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{StandardOutput}\n--- stderr\n{StandardError}";
    }

    public static Task<Result> DockerAsync(IEnumerable<string> arguments, TimeSpan timeout) => RunAsync("docker", arguments, timeout);

    /// <summary>A script under build/, run from the repository root.</summary>
    public static Task<Result> ScriptAsync(string script, IEnumerable<string> arguments, TimeSpan timeout) =>
        RunAsync(Path.Combine(Testing.RepositoryLayout.Root, "build", script), arguments, timeout);

    private static async Task<Result> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Testing.RepositoryLayout.Root,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, line) => { if (line.Data is not null) { lock (stdout) { stdout.AppendLine(line.Data); } } };
        process.ErrorDataReceived += (_, line) => { if (line.Data is not null) { lock (stderr) { stderr.AppendLine(line.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', start.ArgumentList)} did not finish within {timeout}:\n{stdout}\n{stderr}");
        }

        // WaitForExitAsync returns once the streams are drained as well.
        return new Result(process.ExitCode, stdout.ToString(), stderr.ToString());
    }
}
