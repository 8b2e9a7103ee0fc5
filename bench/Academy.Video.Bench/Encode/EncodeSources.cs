using System.Globalization;
using Academy.Video.Bench.Common;

namespace Academy.Video.Bench.Encode;

/// <summary>
/// The encode benchmark's sources, made with ffmpeg once per length and kept under .local/bench-encode:
/// a high-motion 1080p (too costly to copy), a camera-like H.264 1080p that qualifies for the fast path, and a
/// lecture (slides that change every 20 s with a small moving inset).
/// </summary>
public sealed class EncodeSources(string directory, int seconds)
{
    private string Duration => seconds.ToString(CultureInfo.InvariantCulture);

    private string Audio => $"sine=frequency=440:sample_rate=48000:duration={Duration}";

    /// <summary>
    /// The whole picture turning (every block moves every frame) under light sensor-like noise, with a rotating hue:
    /// about 7 Mbps at CRF 20, so the 5 Mbps cap binds and the source is too costly to copy.
    /// </summary>
    public Task<string> HighMotionAsync() => MakeAsync("motion-1080p", path =>
    [
        "-f", "lavfi", "-i", $"testsrc2=size=1920x1080:rate=30:duration={Duration}",
        "-f", "lavfi", "-i", Audio,
        "-vf", "rotate=a=t*0.6:c=black,noise=alls=3:allf=t,hue=H=2*PI*t/10",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "128k", path,
    ]);

    /// <summary>What a camera writes: H.264 High, 8-bit 4:2:0, progressive, a key frame every 2 s, 4.5 Mbps (cap 5).</summary>
    /// <param name="keyframeSeconds">Another key frame interval: over 1.5× the 6 s target (e.g. 10) the fast path refuses the source (SPARSE_KEYFRAMES).</param>
    public Task<string> QualifyingH264Async(int keyframeSeconds = 2) => MakeAsync(keyframeSeconds == 2 ? "camera-h264-1080p" : $"camera-h264-1080p-gop{keyframeSeconds}s", path =>
    [
        "-f", "lavfi", "-i", $"testsrc2=size=1920x1080:rate=30:duration={Duration}",
        "-f", "lavfi", "-i", Audio,
        "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-pix_fmt", "yuv420p",
        "-b:v", "4500k", "-maxrate", "4800k", "-bufsize", "9000k",
        "-g", (keyframeSeconds * 30).ToString(CultureInfo.InvariantCulture), "-keyint_min", (keyframeSeconds * 30).ToString(CultureInfo.InvariantCulture), "-sc_threshold", "0",
        "-c:a", "aac", "-b:a", "128k", path,
    ]);

    /// <summary>
    /// A slide (a frozen test picture) that changes every 20 s, a 320x180 moving inset like a speaker's camera,
    /// a key frame every 250 frames as screen recorders write (8.3 s: within 1.5× the 6 s target, so the worker copies
    /// its top rung; the quality comparison turns copying off to measure capped CRF alone).
    /// </summary>
    public Task<string> LectureAsync() => MakeAsync("lecture-1080p", path =>
    [
        "-f", "lavfi", "-i", $"testsrc2=size=1920x1080:rate=1/20:duration={Duration}",
        "-f", "lavfi", "-i", $"testsrc=size=320x180:rate=30:duration={Duration}",
        "-f", "lavfi", "-i", Audio,
        "-filter_complex", "[0:v]fps=30[slides];[slides][1:v]overlay=x='W-w-60-200*(1+sin(t/2))':y='H-h-60'[v]",
        "-map", "[v]", "-map", "2:a",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "16", "-pix_fmt", "yuv420p", "-g", "250",
        "-c:a", "aac", "-b:a", "128k", "-t", Duration, path,
    ]);

    /// <summary>A long source made by repeating <paramref name="source"/> without re-encoding (a stream copy).</summary>
    public async Task<string> RepeatedAsync(string source, int times)
    {
        var path = Path.Combine(directory, $"repeated-{times}x-{Path.GetFileName(source)}");
        if (!File.Exists(path))
        {
            var list = path + ".txt";
            await File.WriteAllLinesAsync(list, Enumerable.Repeat($"file '{source}'", times));
            await ProcessMeasure.RunCheckedAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0", "-i", list, "-c", "copy", path]);
            File.Delete(list);
        }

        return path;
    }

    private async Task<string> MakeAsync(string name, Func<string, IEnumerable<string>> arguments)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"{name}-{seconds}s.mp4");
        if (!File.Exists(path))
        {
            Console.WriteLine($"generating {Path.GetFileName(path)}");
            var partial = path + ".partial.mp4";
            await ProcessMeasure.RunCheckedAsync("ffmpeg", ["-hide_banner", "-nostdin", "-loglevel", "error", "-y", .. arguments(partial)]);
            File.Move(partial, path);
        }

        return path;
    }
}
