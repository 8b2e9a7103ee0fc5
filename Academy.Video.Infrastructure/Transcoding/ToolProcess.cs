using CliWrap;

namespace Academy.Video.Infrastructure.Transcoding;

/// <summary>How an ffmpeg or ffprobe run ended: its exit code and the last lines of its stderr.</summary>
internal sealed record ToolExit(int ExitCode, IReadOnlyList<string> StderrTail)
{
    public string Tail => string.Join('\n', StderrTail);
}

/// <summary>
/// Runs ffmpeg or ffprobe with CliWrap (MIT): the argument list is passed as a list (no quoting), stdin is closed,
/// stdout is streamed line by line to the caller, and only the last lines of stderr are kept, so memory does not grow
/// with the length of the source. The run ends when the process has exited and both pipes are drained, so the exit
/// code and the stderr tail are final. Cancelling kills the process and returns only once it is gone.
/// </summary>
internal static class ToolProcess
{
    /// <param name="onErrorLine">Also told of every stderr line, when given.</param>
    /// <param name="yieldsCpu">
    /// Run under <c>nice -n 10</c> (coreutils; it execs the tool, so the exit code, stderr and a kill are the tool's): on a
    /// core it shares, the process gets the time others leave. Set by the process itself before any of its threads start,
    /// which a priority changed from outside after the start would not reach (Linux's nice value is per thread).
    /// </param>
    public static async Task<ToolExit> RunAsync(string executable, IReadOnlyList<string> arguments, Action<string>? onOutputLine, CancellationToken cancellationToken, Action<string>? onErrorLine = null, bool yieldsCpu = false)
    {
        var stderr = new StderrTail();
        var command = Cli.Wrap(yieldsCpu ? "nice" : executable)
            .WithArguments(yieldsCpu ? ["-n", "10", executable, .. arguments] : arguments)
            .WithValidation(CommandResultValidation.None)
            .WithStandardInputPipe(PipeSource.Null)
            .WithStandardOutputPipe(onOutputLine is null ? PipeTarget.Null : PipeTarget.ToDelegate(onOutputLine))
            .WithStandardErrorPipe(PipeTarget.ToDelegate(line =>
            {
                stderr.Add(line);
                onErrorLine?.Invoke(line);
            }));
        var result = await command.ExecuteAsync(cancellationToken).ConfigureAwait(false);
        return new ToolExit(result.ExitCode, stderr.Lines());
    }

    /// <summary>The executable in <see cref="TranscodingOptions.FFmpegDirectory"/>, or the bare name for a PATH lookup.</summary>
    public static string Executable(TranscodingOptions options, string name) =>
        string.IsNullOrWhiteSpace(options.FFmpegDirectory) ? name : Path.Combine(options.FFmpegDirectory, name);
}

/// <summary>The last lines a tool wrote to stderr, without the progress lines that would crowd out the error.</summary>
internal sealed class StderrTail
{
    private const int Capacity = 30;
    private readonly Queue<string> _lines = new();
    private readonly Lock _gate = new();

    public void Add(string line)
    {
        if (string.IsNullOrWhiteSpace(line) || line.StartsWith("frame=", StringComparison.Ordinal) || line.StartsWith("size=", StringComparison.Ordinal))
        {
            return;
        }

        lock (_gate)
        {
            if (_lines.Count == Capacity)
            {
                _lines.Dequeue();
            }

            _lines.Enqueue(line);
        }
    }

    public IReadOnlyList<string> Lines()
    {
        lock (_gate)
        {
            return [.. _lines];
        }
    }
}
