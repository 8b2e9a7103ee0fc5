using System.Runtime.InteropServices;
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
            if (!XabeAcceptsElfExecutables)
            {
                UsePathLookup(directory);
            }
            else if (FFmpeg.ExecutablesPath != directory)
            {
                FFmpeg.SetExecutablesPath(directory);
            }
        }
    }

    /// <summary>
    /// Xabe.FFmpeg 6.1 checks a file in <see cref="FFmpeg.ExecutablesPath"/> by its first bytes, and on Linux
    /// only x86 and x64 expect an ELF header: on arm64 (Graviton) it rejects Debian's ffmpeg and every job fails
    /// with "Cannot find FFmpeg". Its PATH lookup matches names only, so there the directory goes on PATH.
    /// </summary>
    private static bool XabeAcceptsElfExecutables =>
        !OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture is Architecture.X64 or Architecture.X86;

    /// <summary>Puts <paramref name="directory"/> first on this process's PATH, where Xabe's own lookup finds it.</summary>
    private static void UsePathLookup(string directory)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        var entries = path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        if (entries.FirstOrDefault() != directory)
        {
            Environment.SetEnvironmentVariable("PATH", string.Join(Path.PathSeparator, entries.Where(entry => entry != directory).Prepend(directory)));
        }
    }

    private static string? FindOnPath() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(d => Executable(d, "ffmpeg") && Executable(d, "ffprobe"));

    private static bool Executable(string directory, string name) =>
        File.Exists(Path.Combine(directory, name)) || File.Exists(Path.Combine(directory, name + ".exe"));
}
