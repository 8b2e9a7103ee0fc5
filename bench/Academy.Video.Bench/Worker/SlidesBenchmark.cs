using System.Globalization;
using System.Text.RegularExpressions;
using Academy.Video.Application.Transcoding;
using Academy.Video.Bench.Common;
using Academy.Video.Domain.Media;
using Academy.Video.Infrastructure.Transcoding;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Academy.Video.Bench.Worker;

/// <summary>
/// The slides profile (docs/encoding.md, Slides profile): a generated 720p slide lecture and a camera lecture, each encoded
/// by the worker's encoder with the profile on and off (every rung encoded: the fast path off), and per rung the bytes of
/// its segments and its SSIM against the source scaled to its size. Also the decision's CPU cost per source minute.
/// </summary>
public static partial class SlidesBenchmark
{
    private static readonly TimeSpan Segment = TimeSpan.FromSeconds(6);

    /// <param name="args">Optional: the seconds of both sources (default 150 for slides, 60 for camera).</param>
    public static async Task<int> RunAsync(string[] args)
    {
        int? seconds = args is [var s, ..] ? int.Parse(s, CultureInfo.InvariantCulture) : null;
        var root = Path.Combine(Academy.Video.Testing.RepositoryLayout.Root, ".local", "bench-slides");
        Directory.CreateDirectory(root);
        var slides = await SlidesSourceAsync(root, seconds ?? 150);
        var camera = await CameraSourceAsync(root, seconds ?? 60);

        var (slidesProfile, slidesCpu) = await DecideAsync(slides);
        var (cameraProfile, cameraCpu) = await DecideAsync(camera);
        Console.WriteLine(FormattableString.Invariant($"slides source: {slidesProfile}; analysis {slidesCpu:0.00} s CPU per source minute"));
        Console.WriteLine(FormattableString.Invariant($"camera source: {cameraProfile}; analysis {cameraCpu:0.00} s CPU per source minute"));

        var slidesOn = await EncodeAsync(slides, Path.Combine(root, "slides-on"), profile: true);
        var slidesOff = await EncodeAsync(slides, Path.Combine(root, "slides-off"), profile: false);
        var cameraOn = await EncodeAsync(camera, Path.Combine(root, "camera-on"), profile: true);
        var cameraOff = await EncodeAsync(camera, Path.Combine(root, "camera-off"), profile: false);

        double worstBytes = 0, worstSsim = double.NegativeInfinity;
        foreach (var (on, off) in slidesOn.Zip(slidesOff))
        {
            var ratio = (double)on.Bytes / off.Bytes;
            worstBytes = Math.Max(worstBytes, ratio);
            worstSsim = Math.Max(worstSsim, off.Ssim - on.Ssim);
            Console.WriteLine(FormattableString.Invariant(
                $"slides {on.Name}: {on.Bytes / 1024.0:0} KiB ({on.Frames} frames) vs today {off.Bytes / 1024.0:0} KiB ({off.Frames} frames) = {ratio:0.000}; SSIM {on.Ssim:0.00000} vs today {off.Ssim:0.00000}"));
        }

        double cameraWorst = 1;
        foreach (var (on, off) in cameraOn.Zip(cameraOff))
        {
            var ratio = (double)on.Bytes / off.Bytes;
            cameraWorst = Math.Abs(ratio - 1) > Math.Abs(cameraWorst - 1) ? ratio : cameraWorst;
            Console.WriteLine(FormattableString.Invariant($"camera {on.Name}: {on.Bytes / 1024.0:0} KiB on vs {off.Bytes / 1024.0:0} KiB off = {ratio:0.000}"));
        }

        Console.WriteLine(FormattableString.Invariant($"RESULT slides_bytes_ratio {worstBytes:0.000}"));
        Console.WriteLine(FormattableString.Invariant($"RESULT slides_ssim_delta {worstSsim:0.00000}"));
        Console.WriteLine(FormattableString.Invariant($"RESULT camera_bytes_ratio {cameraWorst:0.000}"));
        Console.WriteLine(FormattableString.Invariant($"RESULT slides_decision_cpu_s_per_min {Math.Max(slidesCpu, cameraCpu):0.00}"));
        return slidesProfile.IsSlides && cameraProfile.Kind == LectureProfileKind.Camera ? 0 : 1;
    }

    private sealed record RungFigures(string Name, long Bytes, int Frames, double Ssim);

    /// <summary>The decision as the worker makes it, each analysis run's CPU measured from outside.</summary>
    private static async Task<(LectureProfile Profile, double CpuSecondsPerMinute)> DecideAsync(string source)
    {
        var info = await Probe().ProbeAsync(source, default);
        var differences = new List<double>();
        var cpu = TimeSpan.Zero;
        double analyzed = 0;
        foreach (var (start, length) in FfmpegLectureProfile.Plan(info.Duration.TotalSeconds))
        {
            var run = await ProcessMeasure.RunAsync("ffmpeg", FfmpegLectureProfile.AnalysisArguments(source, start, length, new TranscodingOptions()));
            cpu += run.TreeCpu;
            var window = FfmpegLectureProfile.ParseDifferences(run.Output.Split('\n'));
            differences.AddRange(window);
            analyzed += (window.Count + 1.0) / FfmpegLectureProfile.AnalysisFramesPerSecond;
        }

        return (FfmpegLectureProfile.Decide(differences, analyzed), cpu.TotalSeconds / (info.Duration.TotalSeconds / 60));
    }

    private static async Task<IReadOnlyList<RungFigures>> EncodeAsync(string source, string output, bool profile)
    {
        if (Directory.Exists(output))
        {
            Directory.Delete(output, recursive: true);
        }

        var info = await Probe().ProbeAsync(source, default);
        var renditions = HlsLadder.Plan(info.DisplayWidth, info.DisplayHeight, HlsLadder.DefaultRungs);
        var encoder = new FfmpegHlsEncoder(Options.Create(new TranscodingOptions { SourceCopy = false, SlidesProfile = profile }), NullLogger<FfmpegHlsEncoder>.Instance);
        var plan = await encoder.PlanAsync(new HlsEncodeRequest(source, info, renditions, output, Segment), default);
        await encoder.EncodeAsync(plan, null, new Progress<double>(), new LadderOutput.NoSegments(), default);
        var figures = new List<RungFigures>();
        foreach (var r in renditions)
        {
            var playlist = Path.Combine(output, r.Name, "index.m3u8");
            var bytes = Directory.EnumerateFiles(Path.Combine(output, r.Name), "*.ts").Sum(f => new FileInfo(f).Length);
            var frames = (await ProcessMeasure.RunCheckedAsync("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time", "-of", "csv=p=0", playlist]))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
            figures.Add(new RungFigures(r.Name, bytes, frames, await SsimAsync(playlist, source, r)));
        }

        return figures;
    }

    /// <summary>
    /// Both streams restarted at 0 so frames pair by time, the source scaled to the rendition. The source is the first
    /// input, so every source frame is compared with the encoded frame a player shows at its time: a thinned stream's
    /// frame stands until the next (with the encoded stream first, ssim would only compare the frames it kept).
    /// </summary>
    private static async Task<double> SsimAsync(string playlist, string source, Rendition rendition)
    {
        var graph = $"[0:v]scale={rendition.Width}:{rendition.Height},setsar=1,setpts=PTS-STARTPTS[reference];[1:v]setpts=PTS-STARTPTS[encoded];[reference][encoded]ssim";
        var output = await ProcessMeasure.RunCheckedAsync("ffmpeg", ["-hide_banner", "-nostdin", "-i", source, "-i", playlist, "-lavfi", graph, "-f", "null", "-"]);
        var match = SsimLine().Match(output);
        return match.Success
            ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"no SSIM in ffmpeg's output: {output}");
    }

    /// <summary>A 720p slide lecture: a slide every 30 s (title, bullets), two builds per slide, a figure on every other, a pointer always moving.</summary>
    private static async Task<string> SlidesSourceAsync(string root, int seconds)
    {
        var path = Path.Combine(root, $"slides-{seconds}s.mp4");
        if (!File.Exists(path))
        {
            const string n = "%{eif\\:floor(t/30)+1\\:d}";
            var graph =
                "[0:v]drawbox=x=80:y=60:w=1120:h=90:color=0x1F3A5F:t=fill,"
                + $"drawtext=text='Slide {n} - Lecture topic':x=110:y=85:fontsize=44:fontcolor=white,"
                + $"drawtext=text='- First point about the subject of slide {n}':x=110:y=200:fontsize=32:fontcolor=black,"
                + "drawtext=text='- A build appears here':x=110:y=260:fontsize=32:fontcolor=black:enable='gte(mod(t,30),10)',"
                + "drawtext=text='- And a third one later, with a figure':x=110:y=320:fontsize=32:fontcolor=black:enable='gte(mod(t,30),20)',"
                + "drawbox=x=700:y=400:w=400:h=220:color=0x3C8D2F@0.8:t=fill:enable='gte(mod(t,60),15)'[bg];"
                + "[bg][1:v]overlay=x='300+250*sin(t/3)':y='420+120*cos(t/4)'[v]";
            await ProcessMeasure.RunCheckedAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", $"color=c=0xF4F1EA:s=1280x720:r=30:d={seconds}",
                "-f", "lavfi", "-i", $"color=c=red:s=14x14:r=30:d={seconds}",
                "-f", "lavfi", "-i", $"sine=frequency=220:sample_rate=48000:duration={seconds}",
                "-filter_complex", graph, "-map", "[v]", "-map", "2:a",
                "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", path]);
        }

        return path;
    }

    /// <summary>A 720p camera-like lecture: testsrc2's motion with a little temporal noise, as a sensor gives.</summary>
    private static async Task<string> CameraSourceAsync(string root, int seconds)
    {
        var path = Path.Combine(root, $"camera-{seconds}s.mp4");
        if (!File.Exists(path))
        {
            await ProcessMeasure.RunCheckedAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", $"testsrc2=size=1280x720:rate=30:duration={seconds}",
                "-f", "lavfi", "-i", $"sine=frequency=330:sample_rate=48000:duration={seconds}",
                "-vf", "noise=alls=3:allf=t",
                "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", path]);
        }

        return path;
    }

    private static FfprobeMediaProbe Probe() => new(Options.Create(new TranscodingOptions()));

    [GeneratedRegex(@"SSIM .* All:([0-9.]+)")]
    private static partial Regex SsimLine();
}
