using System.Globalization;
using Academy.Video.Application.Videos;
using Academy.Video.Bench.Common;
using Academy.Video.Domain.Media;
using Academy.Video.Infrastructure.Transcoding;
using Academy.Video.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Academy.Video.Bench.Worker;

/// <summary>
/// Chapters from slide changes (docs/encoding.md, Chapters; decision 0020) on generated lectures: a slide lecture with 20
/// slides at known times (a pointer always moving, animated builds) and a camera lecture without slides. The worker's
/// detector (a frame difference on a 64x36 gray copy) against ffmpeg's scene score at several thresholds, and what the
/// analysis costs.
/// </summary>
public static class ChaptersBenchmark
{
    /// <summary>A detected change counts when it is within this of a true one (each true one matched once).</summary>
    private const double Tolerance = 1;

    private static readonly double[] SceneThresholds = [0.05, 0.1, 0.2, 0.3, 0.4];

    /// <summary>The <c>chapters</c> command: through the worker (PostgreSQL needed) unless <c>--no-worker</c>.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var root = Path.Combine(RepositoryLayout.Root, ".local", "bench-chapters");
        if (args.Contains("--no-worker"))
        {
            return await RunAsync(root);
        }

        await using var rig = await WorkerRig.CreateAsync("academy_video_bench_chapters", root, Storage(root));
        return await RunAsync(root, rig);
    }

    /// <summary>
    /// The local storage folder, the source put in one piece: the camera lecture's sensor noise makes a large file, over
    /// the multipart threshold the rig's one-piece upload cannot complete.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Storage(string root) => new Dictionary<string, string>
    {
        ["Storage:Provider"] = "Local",
        ["Storage:Local:RootPath"] = Path.Combine(root, "storage"),
        ["Upload:MultipartThreshold"] = "4294967296",
    };

    /// <param name="rig">When given, the RESULT lines are the chapters the worker stored for each lecture, the worker run
    /// end to end; otherwise the detector on the analysis alone.</param>
    public static async Task<int> RunAsync(string root, WorkerRig? rig = null, double slideSeconds = 600, double cameraSeconds = 600)
    {
        Directory.CreateDirectory(root);
        var slidesPath = Path.Combine(root, string.Create(CultureInfo.InvariantCulture, $"chapters-slides-{slideSeconds}s.mp4"));
        var lecture = LectureSources.Slides(20, slideSeconds, 640, 360, slidesPath);
        if (!File.Exists(slidesPath))
        {
            await ProcessMeasure.RunCheckedAsync("ffmpeg", lecture.Arguments);
        }

        var cameraPath = Path.Combine(root, string.Create(CultureInfo.InvariantCulture, $"chapters-camera-{cameraSeconds}s.mp4"));
        if (!File.Exists(cameraPath))
        {
            await ProcessMeasure.RunCheckedAsync("ffmpeg", LectureSources.Camera(cameraSeconds, 640, 360, cameraPath));
        }

        var truth = lecture.ChangeSeconds;
        var (slideChanges, slideCost) = await DetectAsync(slidesPath, root);
        var (cameraChanges, cameraCost) = await DetectAsync(cameraPath, root);
        var (recall, precision) = Score(slideChanges, truth);
        var cameraChapters = cameraChanges.Count == 0 ? 0 : cameraChanges.Count + 1;
        Console.WriteLine(FormattableString.Invariant($"chapters (frame difference {SlideChanges.Width}x{SlideChanges.Height} gray at {SlideChanges.FramesPerSecond} fps): slides {slideChanges.Count} changes found of {truth.Count}, camera {cameraChapters} chapters in {cameraSeconds / 60:0} min"));
        Console.WriteLine("  missed: " + string.Join(' ', truth.Where(t => !slideChanges.Any(c => Math.Abs(c - t) <= Tolerance)).Select(t => t.ToString("0.##", CultureInfo.InvariantCulture))));
        Console.WriteLine("  extra:  " + string.Join(' ', slideChanges.Where(c => !truth.Any(t => Math.Abs(c - t) <= Tolerance)).Select(t => t.ToString("0.##", CultureInfo.InvariantCulture))));
        Console.WriteLine(FormattableString.Invariant($"  analysis pass alone: {slideCost.AnalysisCpu / (slideSeconds / 60):0.00} CPU s per source minute (640x360 H.264), of which decoding {slideCost.DecodeCpu / (slideSeconds / 60):0.00}: riding the encode's decode adds {(slideCost.AnalysisCpu - slideCost.DecodeCpu) / (slideSeconds / 60):0.000}"));

        foreach (var (threshold, slides, camera) in await SceneScoresAsync(slidesPath, cameraPath, truth))
        {
            var (r, p) = Score(slides, truth);
            var (mr, mp) = Score(Merged(slides), truth);
            var merged = Merged(camera);
            Console.WriteLine(FormattableString.Invariant($"scene score > {threshold}: recall {r:0.00} precision {p:0.00} ({slides.Count} changes), with the {SlideChanges.MinChapterSeconds} s minimum chapter {mr:0.00}/{mp:0.00}; camera {camera.Count} changes raw, {merged.Count} merged"));
        }

        if (rig is not null)
        {
            var worker = await WorkerChangesAsync(rig, slidesPath);
            var workerCamera = await WorkerChangesAsync(rig, cameraPath);
            if (worker is null || workerCamera is null)
            {
                return 1;
            }

            (recall, precision) = Score(worker, truth);
            cameraChapters = workerCamera.Count == 0 ? 0 : workerCamera.Count + 1;
            Console.WriteLine(FormattableString.Invariant($"through the worker: slides {worker.Count} changes stored, recall {recall:0.00} precision {precision:0.00}; camera {cameraChapters} chapters"));
        }

        Console.WriteLine(FormattableString.Invariant($"RESULT chapters_recall {recall:0.00}"));
        Console.WriteLine(FormattableString.Invariant($"RESULT chapters_precision {precision:0.00}"));
        Console.WriteLine(FormattableString.Invariant($"RESULT camera_chapters_per_10min {cameraChapters / (cameraSeconds / 600):0.0}"));
        _ = cameraCost;
        return 0;
    }

    /// <summary>The lecture through the worker binary: the chapter starts it stored after the first (null when it failed).</summary>
    private static async Task<IReadOnlyList<double>?> WorkerChangesAsync(WorkerRig rig, string source)
    {
        var jobId = await rig.QueueAsync(source);
        var run = await rig.RunWorkerAsync(jobId);
        if (run.ExitCode != 0)
        {
            Console.WriteLine($"the worker exited {run.ExitCode} on {Path.GetFileName(source)}");
            return null;
        }

        var job = await rig.JobAsync(jobId);
        await using var scope = rig.Services.CreateAsyncScope();
        var video = await scope.ServiceProvider.GetRequiredService<IVideoStore>().FindAsync(job.VideoId, default);
        Console.WriteLine(FormattableString.Invariant($"  worker on {Path.GetFileName(source)}: {run.Elapsed.TotalSeconds:0} s wall, {run.TreeCpu.TotalSeconds:0} s CPU, {video!.Chapters.Count} chapters"));
        return video.Chapters.Skip(1).Select(c => c.Start).ToList();
    }

    private sealed record Cost(double AnalysisCpu, double DecodeCpu);

    /// <summary>The worker's analysis (<see cref="FfmpegSlideChanges.Filter"/>) as a pass of its own, then the detector.</summary>
    private static async Task<(IReadOnlyList<double> Changes, Cost Cost)> DetectAsync(string source, string root)
    {
        var raw = Path.Combine(root, Path.GetFileNameWithoutExtension(source) + ".gray");
        var analysis = await ProcessMeasure.RunAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-threads", "1", "-i", source, "-an", "-vf", FfmpegSlideChanges.Filter, "-f", "rawvideo", "-fps_mode", "passthrough", raw]);
        var decode = await ProcessMeasure.RunAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-threads", "1", "-i", source, "-an", "-f", "null", "-"]);
        var frames = SlideChanges.Frames(await File.ReadAllBytesAsync(raw));
        File.Delete(raw);
        return (SlideChanges.Detect(frames), new Cost(analysis.TreeCpu.TotalSeconds, decode.TreeCpu.TotalSeconds));
    }

    /// <summary>ffmpeg's scene score of every frame above the lowest threshold, in one pass per source; each threshold read from it.</summary>
    private static async Task<List<(double Threshold, List<double> Slides, List<double> Camera)>> SceneScoresAsync(string slides, string camera, IReadOnlyList<double> truth)
    {
        var slideScores = await SceneAsync(slides);
        var cameraScores = await SceneAsync(camera);
        bool AtChange(double t) => truth.Any(c => Math.Abs(c - t) <= 0.6);
        var atChanges = truth.Select(c => slideScores.Where(s => Math.Abs(s.Time - c) <= 0.6).Max(s => s.Score)).ToList();
        Console.WriteLine(FormattableString.Invariant($"scene score of every frame: {atChanges.Min():0.000}-{atChanges.Max():0.000} at the slide changes, at most {slideScores.Where(s => !AtChange(s.Time)).Max(s => s.Score):0.000} elsewhere in the slide lecture, at most {cameraScores.Max(s => s.Score):0.000} in the camera lecture"));
        return SceneThresholds
            .Select(t => (t, slideScores.Where(s => s.Score > t).Select(s => s.Time).ToList(), cameraScores.Where(s => s.Score > t).Select(s => s.Time).ToList()))
            .ToList();
    }

    private static async Task<List<(double Time, double Score)>> SceneAsync(string source)
    {
        var file = Path.ChangeExtension(source, ".scene.txt");
        await ProcessMeasure.RunCheckedAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-i", source, "-an",
            "-vf", $"select='gte(scene,0)',metadata=print:file={file}", "-f", "null", "-"]);
        var scores = new List<(double, double)>();
        double? time = null;
        foreach (var line in await File.ReadAllLinesAsync(file))
        {
            if (line.StartsWith("frame:", StringComparison.Ordinal))
            {
                var at = line.IndexOf("pts_time:", StringComparison.Ordinal);
                time = double.Parse(line[(at + "pts_time:".Length)..].Trim(), CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("lavfi.scene_score=", StringComparison.Ordinal) && time is { } t)
            {
                scores.Add((t, double.Parse(line["lavfi.scene_score=".Length..], CultureInfo.InvariantCulture)));
            }
        }

        File.Delete(file);
        return scores;
    }

    /// <summary>The detector's minimum chapter length applied to another method's changes, for a fair comparison.</summary>
    private static List<double> Merged(List<double> changes)
    {
        var kept = new List<double>();
        foreach (var c in changes)
        {
            if (c - (kept.Count > 0 ? kept[^1] : 0) >= SlideChanges.MinChapterSeconds)
            {
                kept.Add(c);
            }
        }

        return kept;
    }

    /// <summary>Recall and precision of <paramref name="found"/> against <paramref name="truth"/>, each true change matched at most once within ±1 s.</summary>
    public static (double Recall, double Precision) Score(IReadOnlyList<double> found, IReadOnlyList<double> truth)
    {
        var unmatched = truth.ToList();
        var hits = 0;
        foreach (var f in found)
        {
            var best = unmatched.Where(t => Math.Abs(t - f) <= Tolerance).OrderBy(t => Math.Abs(t - f)).Cast<double?>().FirstOrDefault();
            if (best is { } b)
            {
                unmatched.Remove(b);
                hits++;
            }
        }

        return (truth.Count == 0 ? 1 : hits / (double)truth.Count, found.Count == 0 ? 1 : hits / (double)found.Count);
    }
}
