using System.Diagnostics;
using System.Globalization;
using System.Text;
using Academy.Video.Application.Jobs;
using Academy.Video.Application.Transcoding;
using Academy.Video.Application.Videos;
using Academy.Video.Application.Videos.CompleteUpload;
using Academy.Video.Application.Videos.CreateVideo;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;
using Academy.Video.Infrastructure;
using Academy.Video.Infrastructure.Persistence;
using Academy.Video.Infrastructure.Storage;
using Academy.Video.Infrastructure.Transcoding;
using Mediator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

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
            await RunAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", $"testsrc2=size=1920x1080:rate=30:duration={seconds}",
                "-f", "lavfi", "-i", $"sine=frequency=440:sample_rate=48000:duration={seconds}", "-c:v", "libx264", "-preset", "veryfast",
                "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", source]);
        }

        var connectionString = await RecreateDatabaseAsync();
        var storageRoot = Path.Combine(root, "storage");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = connectionString,
            ["Storage:Provider"] = "Local",
            ["Storage:Local:RootPath"] = storageRoot,
            ["Runner:Local:Command"] = "/bin/true",
        }).Build();
        await using var services = new ServiceCollection().AddLogging().AddInfrastructure(configuration).BuildServiceProvider();
        await services.GetRequiredService<DatabaseMigrator>().MigrateAsync();

        // (a) The worker binary, as Batch runs it.
        var jobId = await QueueAsync(services, source);
        var worker = await MeasureAsync("dotnet", [Academy.Video.Testing.RepositoryLayout.WorkerDll, jobId.ToString()], new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = connectionString,
            ["Storage__Provider"] = "Local",
            ["Storage__Local__RootPath"] = storageRoot,
            ["Worker__WorkDirectory"] = Path.Combine(root, "work"),
        });
        var job = await services.GetRequiredService<ITranscodeJobStore>().FindAsync(jobId, default);
        if (worker.ExitCode != 0 || job?.State != JobState.Succeeded)
        {
            Console.Error.WriteLine($"the worker failed (exit {worker.ExitCode}, job {job?.State}):\n{worker.Output}");
            return 1;
        }

        // (b) and (c): the same arguments the worker's encoder builds, without the worker around them.
        var info = await services.GetRequiredService<IMediaProbe>().ProbeAsync(source, default);
        var renditions = HlsLadder.Plan(info.DisplayWidth, info.DisplayHeight, HlsLadder.DefaultRungs);
        var options = new TranscodingOptions();
        var single = await MeasureFfmpegAsync(info, renditions, source, Path.Combine(root, "ffmpeg-ladder"), options);
        var perRung = new List<Measurement>();
        foreach (var rendition in renditions)
        {
            perRung.Add(await MeasureFfmpegAsync(info, [rendition], source, Path.Combine(root, $"ffmpeg-{rendition.Name}"), options));
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

    private static async Task<Measurement> MeasureFfmpegAsync(MediaInfo info, IReadOnlyList<Rendition> renditions, string source, string output, TranscodingOptions options)
    {
        if (Directory.Exists(output))
        {
            Directory.Delete(output, recursive: true);
        }

        var arguments = FfmpegHlsArguments.Build(new HlsEncodeRequest(source, info, renditions, output, TimeSpan.FromSeconds(6)), options);
        Directory.CreateDirectory(output);
        return await MeasureAsync("ffmpeg", ["-loglevel", "error", .. arguments], new Dictionary<string, string>());
    }

    private static async Task<Guid> QueueAsync(IServiceProvider services, string source)
    {
        await using var scope = services.CreateAsyncScope();
        var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
        var created = await mediator.Send(new CreateVideoCommand("Benchmark lecture", "source.mp4", "video/mp4", new FileInfo(source).Length));
        var video = await scope.ServiceProvider.GetRequiredService<IVideoStore>().FindAsync(created.VideoId, default);
        await using (var body = File.OpenRead(source))
        {
            await scope.ServiceProvider.GetRequiredService<LocalFileObjectStorage>().WriteAsync(video!.SourceKey, body, default);
        }

        return (await mediator.Send(new CompleteUploadCommand(created.VideoId))).JobId;
    }

    private sealed record Measurement(TimeSpan Elapsed, int ExitCode, long PeakRssBytes, long PeakChildRssBytes, string Output);

    /// <summary>Wall time, and peak RSS read from /proc (VmHWM) of the process and, separately, of its largest child.</summary>
    private static async Task<Measurement> MeasureAsync(string command, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        long peak = 0, childPeak = 0;
        while (!process.HasExited)
        {
            peak = Math.Max(peak, HighWaterMark(process.Id));
            foreach (var child in Children(process.Id))
            {
                childPeak = Math.Max(childPeak, HighWaterMark(child));
            }

            await Task.Delay(100);
        }

        await process.WaitForExitAsync();
        clock.Stop();
        var text = await output;
        return new Measurement(clock.Elapsed, process.ExitCode, peak, childPeak, text[0] + text[1]);
    }

    private static long HighWaterMark(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>Children of every thread: the worker starts ffmpeg from a thread-pool thread, not its main thread.</summary>
    private static IEnumerable<int> Children(int pid)
    {
        try
        {
            return Directory.GetDirectories($"/proc/{pid}/task")
                .SelectMany(task => File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Select(int.Parse)
                .ToList();
        }
        catch (IOException)
        {
            return [];
        }
    }

    /// <summary>Where the worker's time went, from its own BATCH_PHASE / BATCH_JOB_COMPLETED log lines.</summary>
    private static string PhaseBreakdown(string output)
    {
        var marks = new List<(string Phase, long ElapsedMs)>();
        foreach (var line in output.Split('\n').Where(l => l.StartsWith('{')))
        {
            using var json = System.Text.Json.JsonDocument.Parse(line);
            var root = json.RootElement;
            if (root.TryGetProperty("event", out var name) && root.TryGetProperty("duration_ms", out var elapsed))
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

    private static async Task RunAsync(string command, IEnumerable<string> arguments)
    {
        var measured = await MeasureAsync(command, arguments, new Dictionary<string, string>());
        if (measured.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} failed: {measured.Output}");
        }
    }

    private static async Task<string> RecreateDatabaseAsync()
    {
        var server = Environment.GetEnvironmentVariable("ACADEMY_BENCH_PG") is { Length: > 0 } fromEnv ? fromEnv : PersistenceServiceCollectionExtensions.DefaultConnectionString;
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {DatabaseName} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {DatabaseName}", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(server) { Database = DatabaseName }.ConnectionString;
    }
}
