using System.Diagnostics;

namespace Academy.Video.IntegrationTests.Transcoding;

/// <summary>The test's own look at media with the ffmpeg and ffprobe CLIs, independent of the adapters under test.</summary>
internal static class MediaTools
{
    /// <summary>Every packet's pts and dts of the playlist's first video stream, as ffprobe reads them through the HLS demuxer.</summary>
    public static List<string> VideoPackets(string playlist) =>
        Run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time,dts_time", "-of", "csv=p=0", playlist])
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd(',')).ToList();

    /// <summary>The MD5 of every decoded picture, in order (ffmpeg's framemd5).</summary>
    public static List<string> Frames(string path) =>
        Run("ffmpeg", ["-hide_banner", "-nostdin", "-v", "error", "-i", path, "-f", "framemd5", "-"]).Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

    /// <summary>Runs the tool, asserts it succeeded, returns its stdout (or its stderr).</summary>
    public static string Run(string command, IEnumerable<string> arguments, bool stderr = false)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{command} failed: {error.Result}");
        return stderr ? error.Result : output;
    }
}
