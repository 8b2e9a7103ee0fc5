using System.Globalization;
using Academy.Video.Application.Transcoding;
using Academy.Video.Bench.Common;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;
using Academy.Video.Infrastructure.Transcoding;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Academy.Video.Bench.Encode;

/// <summary>
/// Where the worker's time goes around its ffmpeg: the worker binary and its exact ffmpeg command alone, interleaved,
/// on the high-motion source, with the CPU time the worker process itself spends while its ffmpeg runs (sampled at
/// its encode and upload phase lines) and the CPU time of ffmpeg under the worker against ffmpeg alone. With
/// <c>ACADEMY_BENCH_BASELINE_WORKER_DLL</c> (a build of an older commit), that worker and its own command
/// (<see cref="BaselineHlsArguments"/>) run in the same rounds.
/// </summary>
public static class OverheadBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args is [var s, ..] ? int.Parse(s, CultureInfo.InvariantCulture) : 30;
        var rounds = args is [_, var r, ..] ? int.Parse(r, CultureInfo.InvariantCulture) : 3;
        var root = Path.Combine(Academy.Video.Testing.RepositoryLayout.Root, ".local", "bench-encode");
        var source = await new EncodeSources(Path.Combine(root, "sources"), seconds).HighMotionAsync();
        var options = new TranscodingOptions();
        var info = await new FfprobeMediaProbe(Options.Create(options)).ProbeAsync(source, default);
        var renditions = HlsLadder.Plan(info.DisplayWidth, info.DisplayHeight, HlsLadder.DefaultRungs);
        var output = Path.Combine(root, "overhead");
        var encoder = new FfmpegHlsEncoder(Options.Create(options), NullLogger<FfmpegHlsEncoder>.Instance);
        var command = encoder.Arguments(await encoder.PlanAsync(new HlsEncodeRequest(source, info, renditions, output, TimeSpan.FromSeconds(6)), default), null);
        await using var rig = await WorkerRig.CreateAsync("academy_bench_overhead", root);

        var baselineWorker = Environment.GetEnvironmentVariable("ACADEMY_BENCH_BASELINE_WORKER_DLL");
        var contestants = new List<(string Name, Func<Task<Run>> Measure)>
        {
            ("worker", () => WorkerAsync(rig, source, null)),
            ("ffmpeg", () => FfmpegAsync(command, output, renditions)),
        };
        if (baselineWorker is { Length: > 0 })
        {
            // The older command exactly as that worker ran it (through Xabe: info log level, stats on stderr).
            var before = BaselineHlsArguments.Build(source, info, renditions, output, TimeSpan.FromSeconds(6), options.Preset)
                .Select(a => a == "error" ? "info" : a).ToList();
            contestants.Add(("baseline_worker", () => WorkerAsync(rig, source, baselineWorker)));
            contestants.Add(("baseline_ffmpeg", () => FfmpegAsync(before, output, renditions)));
        }

        var runs = contestants.ToDictionary(c => c.Name, _ => new List<Run>());
        await WorkerAsync(rig, source, null); // warm-up: page cache, database, JIT of the rig
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (name, measure) in contestants.Skip(round % contestants.Count).Concat(contestants.Take(round % contestants.Count)))
            {
                var run = await measure();
                runs[name].Add(run);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {name}: wall {run.Wall:0.0} s, tree CPU {run.TreeCpu:0.0} s, worker CPU {run.SelfCpu:0.00} s (while ffmpeg ran {run.SelfCpuDuringEncode:0.00} s)"));
            }
        }

        Print("worker_over_ffmpeg", Median(runs["worker"], r => r.Wall) / Median(runs["ffmpeg"], r => r.Wall));
        Print("worker_cpu_seconds", Median(runs["worker"], r => r.SelfCpu));
        Print("worker_cpu_during_encode_seconds", Median(runs["worker"], r => r.SelfCpuDuringEncode));
        Print("worker_ffmpeg_cpu_over_alone", Median(runs["worker"], r => r.TreeCpu - r.SelfCpu) / Median(runs["ffmpeg"], r => r.TreeCpu));
        if (runs.ContainsKey("baseline_worker"))
        {
            Print("baseline_worker_over_ffmpeg", Median(runs["baseline_worker"], r => r.Wall) / Median(runs["baseline_ffmpeg"], r => r.Wall));
            Print("baseline_worker_cpu_seconds", Median(runs["baseline_worker"], r => r.SelfCpu));
            Print("baseline_worker_cpu_during_encode_seconds", Median(runs["baseline_worker"], r => r.SelfCpuDuringEncode));
            Print("baseline_worker_ffmpeg_cpu_over_alone", Median(runs["baseline_worker"], r => r.TreeCpu - r.SelfCpu) / Median(runs["baseline_ffmpeg"], r => r.TreeCpu));
        }

        return 0;
    }

    private sealed record Run(double Wall, double TreeCpu, double SelfCpu, double SelfCpuDuringEncode);

    private static async Task<Run> WorkerAsync(WorkerRig rig, string source, string? workerDll)
    {
        var jobId = await rig.QueueAsync(source);
        TimeSpan encodeStart = TimeSpan.Zero, encodeEnd = TimeSpan.Zero;
        var previous = Environment.GetEnvironmentVariable("ACADEMY_BENCH_WORKER_DLL");
        Environment.SetEnvironmentVariable("ACADEMY_BENCH_WORKER_DLL", workerDll);
        Measurement measured;
        try
        {
            measured = await rig.RunWorkerAsync(jobId, (line, _, cpu) =>
            {
                if (line.Contains("\"phase\":\"encode\"", StringComparison.Ordinal))
                {
                    encodeStart = cpu;
                }
                else if (line.Contains("\"phase\":\"upload\"", StringComparison.Ordinal))
                {
                    encodeEnd = cpu;
                }
            });
        }
        finally
        {
            Environment.SetEnvironmentVariable("ACADEMY_BENCH_WORKER_DLL", previous);
        }

        if (measured.ExitCode != 0 || (await rig.JobAsync(jobId)).State != JobState.Succeeded)
        {
            throw new InvalidOperationException($"the worker failed (exit {measured.ExitCode}):\n{measured.Output}");
        }

        return new Run(measured.Elapsed.TotalSeconds, measured.TreeCpu.TotalSeconds, measured.SelfCpu.TotalSeconds, (encodeEnd - encodeStart).TotalSeconds);
    }

    private static async Task<Run> FfmpegAsync(IReadOnlyList<string> arguments, string output, IReadOnlyList<Rendition> renditions)
    {
        LadderOutput.Recreate(output, renditions);
        var measured = await ProcessMeasure.RunAsync("ffmpeg", arguments);
        if (measured.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg failed: {measured.Output}");
        }

        return new Run(measured.Elapsed.TotalSeconds, measured.TreeCpu.TotalSeconds, 0, 0);
    }

    private static double Median(List<Run> runs, Func<Run, double> value)
    {
        var sorted = runs.Select(value).Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static void Print(string name, double value) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT {name} {value:0.###}"));
}
