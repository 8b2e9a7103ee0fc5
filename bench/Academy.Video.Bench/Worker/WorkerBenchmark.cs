using System.Diagnostics;
using System.Globalization;
using System.Text;
using Academy.Video.Application.Transcoding;
using Academy.Video.Bench.Common;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;
using Academy.Video.Infrastructure.Transcoding;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Academy.Video.Bench.Worker;

/// <summary>
/// One 1080p30 source (60 s by default) through (a) the worker binary end to end with local
/// storage and the local database, (b) the identical FFmpeg command alone, (c) one FFmpeg run per
/// rung. Reports (a)/(b), (c)/(b) and the worker process's peak RSS. Writes bench/RESULTS-worker.md.
/// </summary>
public static class WorkerBenchmark
{
    private const string DatabaseName = "academy_bench_worker";

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args is [var s, ..] ? int.Parse(s, CultureInfo.InvariantCulture) : 60;
        var repo = Academy.Video.Testing.RepositoryLayout.Root;
        var root = Path.Combine(repo, ".local", "bench-worker");
        Directory.CreateDirectory(root);
        var source = Path.Combine(root, $"source-1080p30-{seconds}s.mp4");
        if (!File.Exists(source))
        {
            Console.WriteLine($"generating a {seconds} s 1080p30 source with audio");
            await ProcessMeasure.RunCheckedAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", $"testsrc2=size=1920x1080:rate=30:duration={seconds}",
                "-f", "lavfi", "-i", $"sine=frequency=440:sample_rate=48000:duration={seconds}", "-c:v", "libx264", "-preset", "veryfast",
                "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", source]);
        }

        await using var rig = await WorkerRig.CreateAsync(DatabaseName, root);
        var services = rig.Services;

        // (a) The worker binary, as Batch runs it.
        var jobId = await rig.QueueAsync(source);
        var worker = await rig.RunWorkerAsync(jobId);
        var job = await rig.JobAsync(jobId);
        if (worker.ExitCode != 0 || job.State != JobState.Succeeded)
        {
            Console.Error.WriteLine($"the worker failed (exit {worker.ExitCode}, job {job.State}):\n{worker.Output}");
            return 1;
        }

        // (b) and (c): the same arguments the worker's encoder builds, without the worker around them.
        var info = await services.GetRequiredService<IMediaProbe>().ProbeAsync(source, default);
        var renditions = HlsLadder.Plan(info.DisplayWidth, info.DisplayHeight, HlsLadder.DefaultRungs);
        var options = new TranscodingOptions();
        var encoder = new FfmpegHlsEncoder(Options.Create(options), NullLogger<FfmpegHlsEncoder>.Instance);
        var ladder = Path.Combine(root, "ffmpeg-ladder");
        var arguments = encoder.Arguments(await encoder.PlanAsync(new HlsEncodeRequest(source, info, renditions, ladder, TimeSpan.FromSeconds(6)), default), null);
        var single = await MeasureFfmpegAsync(arguments, ladder, renditions);
        var perRung = new List<Measurement>();
        foreach (var rendition in renditions)
        {
            var output = Path.Combine(root, $"ffmpeg-{rendition.Name}");
            perRung.Add(await MeasureFfmpegAsync(FfmpegHlsArguments.Build(new HlsEncodeRequest(source, info, [rendition], output, TimeSpan.FromSeconds(6)), options, new HlsCommand(PosterAndStoryboard: false)), output, [rendition]));
        }

        var perRungSeconds = perRung.Sum(m => m.Elapsed.TotalSeconds);
        var report = new StringBuilder()
            .AppendLine("# Worker benchmark")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"`dotnet run -c Release --project bench/Academy.Video.Bench -- worker {seconds}` on {Environment.ProcessorCount} cores, {FfmpegVersion()}, preset {options.Preset}.")
            .AppendLine(CultureInfo.InvariantCulture, $"Source: {seconds} s 1920x1080 30 fps testsrc2 + 48 kHz sine; ladder {string.Join(", ", renditions.Select(r => $"{r.Name} {r.Width}x{r.Height}"))}.")
            .AppendLine()
            .AppendLine("| run | wall time (s) | ratio to (b) | peak RSS (MiB) |")
            .AppendLine("|---|---|---|---|")
            .AppendLine(CultureInfo.InvariantCulture, $"| (a) worker end to end: download, probe, encode, upload, complete | {worker.Elapsed.TotalSeconds:0.0} | {worker.Elapsed / single.Elapsed:0.00} | worker {Mib(worker.PeakRssBytes)}, its ffmpeg {Mib(worker.PeakChildRssBytes)} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| (b) the identical ffmpeg command alone | {single.Elapsed.TotalSeconds:0.0} | 1.00 | ffmpeg {Mib(single.PeakRssBytes)} |")
            .AppendLine(CultureInfo.InvariantCulture, $"| (c) one ffmpeg run per rung, summed | {perRungSeconds:0.0} | {perRungSeconds / single.Elapsed.TotalSeconds:0.00} | largest {Mib(perRung.Max(m => m.PeakRssBytes))} |")
            .AppendLine()
            .AppendLine("Per rung: " + string.Join(", ", perRung.Select((m, i) => $"{renditions[i].Name} {m.Elapsed.TotalSeconds:0.0} s")) + ".")
            .AppendLine()
            .AppendLine(PhaseBreakdown(worker.Output))
            .ToString();
        Console.WriteLine(report);
        await File.WriteAllTextAsync(Path.Combine(repo, "bench", "RESULTS-worker.md"), report);
        return 0;
    }

    private static async Task<Measurement> MeasureFfmpegAsync(IReadOnlyList<string> arguments, string output, IReadOnlyList<Rendition> renditions)
    {
        LadderOutput.Recreate(output, renditions);
        return await ProcessMeasure.RunAsync("ffmpeg", arguments);
    }

    /// <summary>Where the worker's time went, from its own BATCH_PHASE / BATCH_JOB_COMPLETED log lines.</summary>
    private static string PhaseBreakdown(string output)
    {
        var marks = new List<(string Phase, long ElapsedMs)>();
        foreach (var line in output.Split('\n').Where(l => l.StartsWith('{')))
        {
            using var json = System.Text.Json.JsonDocument.Parse(line);
            var root = json.RootElement;
            if (root.TryGetProperty("event", out var name) && name.GetString() is "BATCH_PHASE" or "BATCH_JOB_COMPLETED" && root.TryGetProperty("duration_ms", out var elapsed))
            {
                marks.Add((name.GetString() == "BATCH_PHASE" ? root.GetProperty("phase").GetString()! : "done", elapsed.GetInt64()));
            }
        }

        var parts = new List<string>();
        var previous = ("download + probe", 0L);
        foreach (var (phase, at) in marks)
        {
            parts.Add($"{previous.Item1} {(at - previous.Item2) / 1000.0:0.0} s");
            previous = (phase == "done" ? "" : phase == "upload" ? "upload + complete" : phase, at);
        }

        return "Worker phases (from its log): " + string.Join(", ", parts) + ".";
    }

    private static string Mib(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0", CultureInfo.InvariantCulture);

    private static string FfmpegVersion()
    {
        using var process = Process.Start(new ProcessStartInfo("ffmpeg", ["-version"]) { RedirectStandardOutput = true })!;
        var first = process.StandardOutput.ReadLine() ?? "ffmpeg";
        process.WaitForExit();
        return string.Join(' ', first.Split(' ').Take(3));
    }
}
