using Xabe.FFmpeg;

namespace Academy.Video.Infrastructure.Transcoding;

/// <summary>
/// Points Xabe.FFmpeg at the ffmpeg and ffprobe executables. Xabe.FFmpeg is CC BY-NC-SA (commercial use needs a
/// licence), so it is used only to run the processes and report progress, and only in the adapter files; the
/// arguments are built here, which keeps it replaceable by FFMpegCore or a plain <see cref="System.Diagnostics.Process"/>.
/// </summary>
internal static class XabeExecutables
{
    private static readonly Lock Gate = new();

    public static void Use(TranscodingOptions options)
    {
        // Xabe keeps the executables in statics. Left to itself it scans PATH on first use, resetting the shared
        // path for every directory it looks in, so a process started meanwhile can find no executable; a fixed
        // directory is resolved in one step. Hand-written PATH lookup because Xabe's own is that scan.
        var directory = string.IsNullOrWhiteSpace(options.FFmpegDirectory) ? FindOnPath() : options.FFmpegDirectory;
        if (directory is null)
        {
            return; // Xabe will report the missing executables on first use.
        }

        lock (Gate)
        {
            if (FFmpeg.ExecutablesPath != directory)
            {
                FFmpeg.SetExecutablesPath(directory);
            }
        }
    }

    private static string? FindOnPath() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(d => Executable(d, "ffmpeg") && Executable(d, "ffprobe"));

    private static bool Executable(string directory, string name) =>
        File.Exists(Path.Combine(directory, name)) || File.Exists(Path.Combine(directory, name + ".exe"));
}
