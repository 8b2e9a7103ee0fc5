using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Academy.Video.IntegrationTests.Media;

/// <summary>
/// Source files for tests, made with the ffmpeg CLI (testsrc2 picture, 440 Hz sine) into one temp directory
/// per test process. Each distinct clip is generated once per process and shared: treat the files as read-only.
/// </summary>
public static class TestClips
{
    private static readonly ConcurrentDictionary<string, Lazy<string>> Cache = new();
    private static readonly Lazy<string> Directory = new(CreateDirectory);

    /// <summary>
    /// An H.264/AAC MP4 of <paramref name="width"/>x<paramref name="height"/> as stored. A non-zero
    /// <paramref name="rotationDegrees"/> is written as the container's rotation (display matrix), the way phones
    /// record portrait video: 1280x720 with 90 is displayed 720x1280.
    /// </summary>
    public static string Generate(int width, int height, double seconds, bool withAudio = true, int rotationDegrees = 0) =>
        Cached($"clip_{width}x{height}_{seconds.ToString("0.###", CultureInfo.InvariantCulture)}s_{(withAudio ? "av" : "v")}_rot{rotationDegrees}.mp4", path =>
        {
            var rate = "30";
            var duration = seconds.ToString(CultureInfo.InvariantCulture);
            var encoded = rotationDegrees == 0 ? path : path + ".unrotated.mp4";
            List<string> args = ["-f", "lavfi", "-i", $"testsrc2=size={width}x{height}:rate={rate}:duration={duration}"];
            if (withAudio)
            {
                args.AddRange(["-f", "lavfi", "-i", $"sine=frequency=440:sample_rate=48000:duration={duration}", "-c:a", "aac", "-b:a", "64k"]);
            }

            args.AddRange(["-c:v", "libx264", "-preset", "ultrafast", "-crf", "30", "-pix_fmt", "yuv420p", encoded]);
            Ffmpeg(args);

            if (rotationDegrees != 0)
            {
                // ffmpeg 5.x turns the stream's "rotate" tag into a display matrix when remuxing (6.0+ uses -display_rotation).
                Ffmpeg(["-i", encoded, "-c", "copy", "-metadata:s:v:0", $"rotate={rotationDegrees}", path]);
                File.Delete(encoded);
            }
        });

    /// <summary>
    /// A large real video made cheaply: uncompressed yuv420p picture and PCM sound in Matroska, so nothing is
    /// encoded (a 1280x720 frame is 1.38 MB; 6 s at 25 fps is 207 MB) and a worker decodes it without effort.
    /// </summary>
    public static string RawVideo(int width, int height, double seconds) =>
        Cached($"raw_{width}x{height}_{seconds.ToString("0.###", CultureInfo.InvariantCulture)}s.mkv", path =>
        {
            var duration = seconds.ToString(CultureInfo.InvariantCulture);
            Ffmpeg([
                "-f", "lavfi", "-i", $"testsrc2=size={width}x{height}:rate=25:duration={duration}",
                "-f", "lavfi", "-i", $"sine=frequency=440:sample_rate=48000:duration={duration}",
                "-c:v", "rawvideo", "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le", path]);
        });

    /// <summary>A decodable H.264 video one pixel wide (4:4:4, which allows odd sides): no HLS ladder can be planned for it.</summary>
    public static string OnePixelWide(double seconds) =>
        Cached($"one_pixel_wide_{seconds.ToString("0.###", CultureInfo.InvariantCulture)}s.mp4", path =>
            Ffmpeg(["-f", "lavfi", "-i", $"testsrc2=size=16x240:rate=30:duration={seconds.ToString(CultureInfo.InvariantCulture)}",
                "-vf", "scale=1:240", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p", path]));

    /// <summary>An AAC-only M4A: a real media file without a picture.</summary>
    public static string AudioOnly(double seconds) =>
        Cached($"audio_{seconds.ToString("0.###", CultureInfo.InvariantCulture)}s.m4a", path =>
            Ffmpeg(["-f", "lavfi", "-i", $"sine=frequency=440:sample_rate=48000:duration={seconds.ToString(CultureInfo.InvariantCulture)}", "-c:a", "aac", path]));

    public static string ZeroByte() => Cached("zero.mp4", path => File.WriteAllBytes(path, []));

    /// <summary>64 KiB of noise with an .mp4 name.</summary>
    public static string RandomBytes() => Cached("random.mp4", path =>
    {
        var bytes = new byte[64 * 1024];
        new Random(20240501).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
    });

    /// <summary>The first half of a real MP4 whose index (moov) is at the end, as an interrupted upload leaves it.</summary>
    public static string TruncatedMp4() => Cached("truncated.mp4", path =>
    {
        var whole = File.ReadAllBytes(Generate(320, 240, 2));
        File.WriteAllBytes(path, whole[..(whole.Length / 2)]);
    });

    private static string Cached(string name, Action<string> create) =>
        Cache.GetOrAdd(name, n => new Lazy<string>(() =>
        {
            var path = Path.Combine(Directory.Value, n);
            create(path);
            return path;
        })).Value;

    private static string CreateDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"academy-video-clips-{Environment.ProcessId}");
        System.IO.Directory.CreateDirectory(directory);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: the OS cleans temp eventually.
            }
        };
        return directory;
    }

    /// <summary>Runs ffmpeg quietly with <paramref name="arguments"/>; a failure throws with its stderr.</summary>
    public static void Ffmpeg(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in (IEnumerable<string>)["-hide_banner", "-nostdin", "-loglevel", "error", "-y", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        _ = stdout.Result;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg {string.Join(' ', start.ArgumentList)} failed ({process.ExitCode}): {stderr}");
        }
    }
}
