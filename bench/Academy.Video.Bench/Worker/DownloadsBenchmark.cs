using System.Globalization;
using Academy.Video.Application.Videos;
using Academy.Video.Bench.Common;
using Academy.Video.Bench.Encode;
using Microsoft.Extensions.DependencyInjection;

namespace Academy.Video.Bench.Worker;

/// <summary>
/// What the downloads add (docs/encoding.md, Downloads; decision 0022): the same lecture through the worker binary with
/// <c>Transcoding:Downloads</c> on and off, alternating, and the remux's own time from its <c>DOWNLOADS_MADE</c> line; the
/// bytes the MP4 and M4A add to the published tree.
/// </summary>
public static class DownloadsBenchmark
{
    private const string DatabaseName = "academy_video_bench_downloads";

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args is [var s, ..] ? int.Parse(s, CultureInfo.InvariantCulture) : 60;
        var rounds = args is [_, var r, ..] ? int.Parse(r, CultureInfo.InvariantCulture) : 2;
        var root = Path.Combine(Academy.Video.Testing.RepositoryLayout.Root, ".local", "bench-downloads");
        Directory.CreateDirectory(root);
        var source = await new EncodeSources(Path.Combine(root, "sources"), seconds).LectureAsync();
        var storage = Path.Combine(root, "storage");
        var wall = new Dictionary<bool, List<double>> { [true] = [], [false] = [] };
        var cpu = new Dictionary<bool, List<double>> { [true] = [], [false] = [] };
        var remux = new List<double>();
        long treeBytes = 0, mp4Bytes = 0, m4aBytes = 0;
        for (var round = 0; round < rounds; round++)
        {
            foreach (var downloads in new[] { false, true })
            {
                await using var rig = await WorkerRig.CreateAsync(DatabaseName, root, new Dictionary<string, string>
                {
                    ["Storage:Provider"] = "Local",
                    ["Storage:Local:RootPath"] = storage,
                    // The rig passes these to its workers as environment variables.
                    ["Transcoding:Downloads"] = downloads ? "true" : "false",
                });
                var jobId = await rig.QueueAsync(source);
                var run = await rig.RunWorkerAsync(jobId);
                if (run.ExitCode != 0)
                {
                    Console.WriteLine($"the worker exited {run.ExitCode}\n{run.Output}");
                    return 1;
                }

                wall[downloads].Add(run.Elapsed.TotalSeconds);
                cpu[downloads].Add(run.TreeCpu.TotalSeconds);
                var made = WorkerRig.LogLines(run.Output).SingleOrDefault(l => l.Event == "DOWNLOADS_MADE");
                Console.WriteLine(FormattableString.Invariant($"round {round} downloads {downloads}: wall {run.Elapsed.TotalSeconds:0.00} s, cpu {run.TreeCpu.TotalSeconds:0.00} s{(made is null ? "" : $", remux {made.Fields.GetProperty("duration_ms").GetInt64()} ms")}"));
                if (downloads)
                {
                    if (made is null)
                    {
                        Console.WriteLine("no DOWNLOADS_MADE line");
                        return 1;
                    }

                    remux.Add(made.Fields.GetProperty("duration_ms").GetInt64() / 1000.0);
                    await using var scope = rig.Services.CreateAsyncScope();
                    var job = await rig.JobAsync(jobId);
                    var video = await scope.ServiceProvider.GetRequiredService<IVideoStore>().FindAsync(job.VideoId, default);
                    var tree = new DirectoryInfo(Path.Combine(storage, Path.GetDirectoryName(video!.HlsPath!)!));
                    var files = tree.EnumerateFiles("*", SearchOption.AllDirectories).ToList();
                    mp4Bytes = files.Single(f => f.Name == "video.mp4").Length;
                    m4aBytes = files.Single(f => f.Name == "audio.m4a").Length;
                    treeBytes = files.Where(f => f.Directory!.Name != "downloads" && f.Name != "progress.json").Sum(f => f.Length);
                }

                await rig.DeleteStoredAsync(jobId);
            }
        }

        static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
        Console.WriteLine(FormattableString.Invariant($"RESULT downloads_remux_seconds {Median(remux):0.00}"));
        Console.WriteLine(FormattableString.Invariant($"RESULT downloads_worker_wall_seconds_on {Median(wall[true]):0.00}"));
        Console.WriteLine(FormattableString.Invariant($"RESULT downloads_worker_wall_seconds_off {Median(wall[false]):0.00}"));
        Console.WriteLine(FormattableString.Invariant($"RESULT downloads_worker_cpu_seconds_on {Median(cpu[true]):0.00}"));
        Console.WriteLine(FormattableString.Invariant($"RESULT downloads_worker_cpu_seconds_off {Median(cpu[false]):0.00}"));
        Console.WriteLine(FormattableString.Invariant($"RESULT downloads_mp4_bytes {mp4Bytes}"));
        Console.WriteLine(FormattableString.Invariant($"RESULT downloads_m4a_bytes {m4aBytes}"));
        Console.WriteLine(FormattableString.Invariant($"RESULT downloads_tree_bytes {treeBytes}"));
        Console.WriteLine(FormattableString.Invariant($"RESULT downloads_bytes_ratio {(double)(mp4Bytes + m4aBytes) / treeBytes:0.000}"));
        return 0;
    }
}
