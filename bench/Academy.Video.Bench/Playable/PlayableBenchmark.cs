using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Academy.Video.Bench.Api;
using Academy.Video.Bench.Common;
using Academy.Video.Bench.Encode;
using static Academy.Video.Bench.Api.ApiBenchmark;

namespace Academy.Video.Bench.Playable;

/// <summary>
/// Time to first playable (docs/encoding.md, "Playable early"), through the real HTTP flow: the API in local mode (Release)
/// whose local runner starts the real worker, PostgreSQL, local storage, FFmpeg. Per round: create, PUT, upload-complete,
/// then poll the video like a client until its <c>playbackUrl</c> leads to a master whose first variant's first segment
/// downloads and decodes (ffmpeg decodes its first picture), then on to READY. Two 1080p30 H.264 sources of the same picture:
/// key frames every 2 s (the fast path copies the top rung) and every 10 s (over 1.5× the 6 s target: every rung encoded).
/// Rounds alternate the two (and, with <see cref="BaselineWorkerVariable"/>, two builds of the worker, each behind its own
/// API); medians. One job at a time (the next starts once the last worker has exited), so each
/// round's worker CPU is the runner's reaped children's (the API's cutime + cstime).
/// </summary>
public static class PlayableBenchmark
{
    private const int DefaultPort = 5393;

    /// <summary>
    /// Another first port (and databases named after it) for a second run of this bench on the same machine: two runs on one
    /// port would answer each other's requests and recreate each other's database.
    /// </summary>
    public const string PortVariable = "ACADEMY_BENCH_PLAYABLE_PORT";

    private static int Port => int.TryParse(Environment.GetEnvironmentVariable(PortVariable), CultureInfo.InvariantCulture, out var port) ? port : DefaultPort;

    /// <summary>Set to another build's worker dll (an older commit's) to run each round on it too, interleaved, and print ratios.</summary>
    public const string BaselineWorkerVariable = "ACADEMY_BENCH_BASELINE_WORKER_DLL";

    /// <summary>
    /// Set to 1 to end each round at its first playable segment: the video is deleted and the worker and its ffmpeg are
    /// killed there (its CPU counts up to then) and READY is not measured. Long sources cost minutes of encode after the figure this bench is about.
    /// </summary>
    public const string StopAtPlayableVariable = "ACADEMY_BENCH_PLAYABLE_STOP";

    private static bool StopAtPlayable => Environment.GetEnvironmentVariable(StopAtPlayableVariable) == "1";

    public static async Task<int> RunAsync(string[] args)
    {
        var only = args.ElementAtOrDefault(2) ?? "both";
        if (args.Length > 3
            || !int.TryParse(args.ElementAtOrDefault(0) ?? "10", CultureInfo.InvariantCulture, out var minutes) || minutes < 1
            || !int.TryParse(args.ElementAtOrDefault(1) ?? "3", CultureInfo.InvariantCulture, out var rounds) || rounds < 1
            || only is not ("both" or "fast" or "encoded" or "parallel"))
        {
            Console.WriteLine($"usage: ... -- playable [minutes (10)] [rounds (3)] [both|fast|encoded|parallel]; {BaselineWorkerVariable}=PATH also runs that worker build");
            return 2;
        }

        if (only == "parallel")
        {
            return await ParallelAsync(minutes, rounds);
        }

        var root = RepositoryRoot();
        // One minute of each picture made once, repeated by stream copy: a long source costs no encode to make.
        var sources = new EncodeSources(Path.Combine(root, ".local", "bench-encode", "sources"), 60);
        var kinds = new List<(string Kind, string Source)>();
        if (only != "encoded")
        {
            kinds.Add(("fast", await sources.RepeatedAsync(await sources.QualifyingH264Async(), minutes)));
        }

        if (only != "fast")
        {
            kinds.Add(("encoded", await sources.RepeatedAsync(await sources.QualifyingH264Async(keyframeSeconds: 10), minutes)));
        }

        Result("minutes", minutes.ToString(CultureInfo.InvariantCulture));
        Info($"sources: {string.Join(", ", kinds.Select(k => $"{Path.GetFileName(k.Source)} ({new FileInfo(k.Source).Length / 1048576.0:F0} MiB)"))}; {rounds} interleaved rounds");

        var workers = new List<(string Name, string Dll)> { ("", Academy.Video.Testing.RepositoryLayout.WorkerDll) };
        if (Environment.GetEnvironmentVariable(BaselineWorkerVariable) is { Length: > 0 } baseline)
        {
            workers.Add(("baseline_", Path.GetFullPath(baseline)));
        }

        var work = Directory.CreateTempSubdirectory("academy-bench-playable-");
        var targets = new List<Target>();
        // Stopped (Ctrl+C, SIGTERM), the benchmark takes its APIs and their workers with it.
        var stopped = 0;
        void Stop()
        {
            if (Interlocked.Exchange(ref stopped, 1) == 0)
            {
                targets.ForEach(t => t.Dispose());
            }
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
        Console.CancelKeyPress += (_, _) => Stop();
        try
        {
            var apiDll = Path.Combine(root, "Academy.Video.Api", "bin", "Release", "net10.0", "Academy.Video.Api.dll");
            foreach (var (name, dll, port) in workers.Select((w, i) => (w.Name, w.Dll, Port + i)))
            {
                Info($"{(name.Length == 0 ? "this" : name.TrimEnd('_'))} worker: {dll}");
                var directory = Directory.CreateDirectory(Path.Combine(work.FullName, name.Length == 0 ? "current" : name.TrimEnd('_'))).FullName;
                var connectionString = await WorkerRig.RecreateDatabaseAsync($"academy_bench_playable{(Port == DefaultPort ? "" : "_" + Port.ToString(CultureInfo.InvariantCulture))}{(name.Length == 0 ? "" : "_" + name.TrimEnd('_'))}");
                var api = await StartApiAsync(apiDll, connectionString, port, directory, new Dictionary<string, string>
                {
                    ["Runner__Local__Command"] = "dotnet",
                    ["Runner__Local__Arguments__0"] = dll,
                    ["Runner__Local__MaxConcurrency"] = "1",
                    // The worker's log (its phases, ATTEMPT_PLAYABLE, in the runner's file) at Information: it gets the API's Logging section.
                    ["Logging__LogLevel__Default"] = "Information",
                    ["Logging__LogLevel__Microsoft"] = "Warning",
                    ["Worker__WorkDirectory"] = Path.Combine(directory, "worker-work"),
                    ["Upload__MultipartThreshold"] = "21474836480",
                });
                var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) };
                http.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
                targets.Add(new Target(name, api, http, Path.Combine(directory, "runner-logs"), directory));
            }

            var measured = new Dictionary<string, List<Round>>();
            for (var round = 1; round <= rounds; round++)
            {
                foreach (var (kind, source) in kinds)
                {
                    // One job at a time on the machine; the builds take turns going first.
                    foreach (var target in round % 2 == 1 ? targets : Enumerable.Reverse(targets))
                    {
                        var result = await RoundAsync(target, source);
                        var key = $"{target.Name}{kind}";
                        measured[key] = [.. measured.GetValueOrDefault(key) ?? [], result];
                        Info($"round {round} {target.Name}{kind}: first playable {result.FirstPlayable.TotalSeconds:F1} s ({result.Variants} variants in the first master), " +
                             $"READY {result.Ready.TotalSeconds:F1} s, worker CPU {result.WorkerCpu.TotalSeconds:F0} s, top rung {result.TopRung}; worker: {result.Timeline}; load {LoadAverage()}");
                    }
                }
            }

            foreach (var (prefix, _) in workers)
            {
                foreach (var (kind, _) in kinds)
                {
                    var results = measured[prefix + kind];
                    Result($"{prefix}first_playable_{kind}_s", Median(results.Select(r => r.FirstPlayable.TotalSeconds)));
                    Result($"{prefix}ready_{kind}_s", Median(results.Select(r => r.Ready.TotalSeconds)));
                    Result($"{prefix}worker_cpu_{kind}_s", Median(results.Select(r => r.WorkerCpu.TotalSeconds)));
                }
            }

            if (workers.Count > 1)
            {
                foreach (var (kind, _) in kinds)
                {
                    double Ratio(Func<Round, TimeSpan> of) =>
                        Median(measured[kind].Select(r => of(r).TotalSeconds)) / Median(measured["baseline_" + kind].Select(r => of(r).TotalSeconds));
                    Result($"first_playable_{kind}_ratio", Ratio(r => r.FirstPlayable));
                    Result($"ready_{kind}_ratio", Ratio(r => r.Ready));
                    Result($"worker_cpu_{kind}_ratio", Ratio(r => r.WorkerCpu));
                }
            }

            Info("parallel_speedup_2, parallel_cpu_cost: `-- playable [minutes] [rounds] parallel` (docs/performance.md)");
        }
        finally
        {
            Stop();
            targets.ForEach(t => t.Http.Dispose());
            work.Delete(recursive: true);
        }

        return 0;
    }

    /// <summary>
    /// <c>parallel_speedup_2</c> and <c>parallel_cpu_cost</c> (docs/decisions/0023-chunked-encoding.md): the every-rung-encoded
    /// source through two APIs in local mode, one encoding it in one worker run, the other as two chunks on two worker runs at
    /// once, each worker pinned to one core (<c>taskset</c>; the planner and chunk 0 on core 0, chunk 1 on core 1). Speedup:
    /// the single run's time to READY over the chunked one's; cost: the chunked runs' CPU over the single run's. Medians.
    /// </summary>
    private static async Task<int> ParallelAsync(int minutes, int rounds)
    {
        var root = RepositoryRoot();
        var sources = new EncodeSources(Path.Combine(root, ".local", "bench-encode", "sources"), 60);
        var source = await sources.RepeatedAsync(await sources.QualifyingH264Async(keyframeSeconds: 10), minutes);
        Result("minutes", minutes.ToString(CultureInfo.InvariantCulture));
        var work = Directory.CreateTempSubdirectory("academy-bench-parallel-");
        var pinned = Path.Combine(work.FullName, "pinned-worker.sh");
        // The runner passes `--chunk k <job-id>` to a chunk and `<job-id>` to the planner: chunk k runs on core k mod 2.
        await File.WriteAllTextAsync(pinned, $"""
            #!/bin/sh
            core=0
            if [ "$1" = "--chunk" ]; then core=$(($2 % 2)); fi
            exec taskset -c "$core" dotnet "{Academy.Video.Testing.RepositoryLayout.WorkerDll}" "$@"

            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(pinned, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var targets = new List<Target>();
        // Stopped (Ctrl+C, SIGTERM), the benchmark takes its APIs and their workers with it.
        var stopped = 0;
        void Stop()
        {
            if (Interlocked.Exchange(ref stopped, 1) == 0)
            {
                targets.ForEach(t => t.Dispose());
            }
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
        Console.CancelKeyPress += (_, _) => Stop();
        try
        {
            var apiDll = Path.Combine(root, "Academy.Video.Api", "bin", "Release", "net10.0", "Academy.Video.Api.dll");
            var half = TimeSpan.FromSeconds((minutes * 30) + 1);
            foreach (var (name, chunked, port) in new[] { ("single", false, Port), ("chunked", true, Port + 1) })
            {
                var directory = Directory.CreateDirectory(Path.Combine(work.FullName, name)).FullName;
                var connectionString = await WorkerRig.RecreateDatabaseAsync($"academy_bench_parallel_{name}");
                var api = await StartApiAsync(apiDll, connectionString, port, directory, new Dictionary<string, string>
                {
                    ["Runner__Local__Command"] = pinned,
                    ["Runner__Local__MaxConcurrency"] = "2",
                    ["Logging__LogLevel__Default"] = "Information",
                    ["Logging__LogLevel__Microsoft"] = "Warning",
                    ["Worker__WorkDirectory"] = Path.Combine(directory, "worker-work"),
                    ["Upload__MultipartThreshold"] = "21474836480",
                    ["Recovery__ChunkDispatchInterval"] = "00:00:01",
                    ["Transcoding__SourceCopy"] = "false",
                    ["Transcoding__ChunkThreshold"] = chunked ? "00:00:30" : "00:00:00",
                    ["Transcoding__ChunkLength"] = half.ToString("c", CultureInfo.InvariantCulture),
                    ["Transcoding__MaxChunks"] = "2",
                });
                var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) };
                http.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
                targets.Add(new Target(name, api, http, Path.Combine(directory, "runner-logs"), directory));
            }

            var measured = targets.ToDictionary(t => t.Name, _ => new List<Round>());
            for (var round = 1; round <= rounds; round++)
            {
                foreach (var target in round % 2 == 1 ? targets : Enumerable.Reverse(targets))
                {
                    var result = await RoundAsync(target, source);
                    measured[target.Name].Add(result);
                    Info($"round {round} {target.Name}: first playable {result.FirstPlayable.TotalSeconds:F1} s, READY {result.Ready.TotalSeconds:F1} s, worker CPU {result.WorkerCpu.TotalSeconds:F0} s; worker: {result.Timeline}; load {LoadAverage()}");
                }
            }

            double MedianOf(string name, Func<Round, TimeSpan> of) => Median(measured[name].Select(r => of(r).TotalSeconds));
            Result("first_playable_single_s", MedianOf("single", r => r.FirstPlayable));
            Result("first_playable_chunked_s", MedianOf("chunked", r => r.FirstPlayable));
            Result("ready_single_s", MedianOf("single", r => r.Ready));
            Result("ready_chunked_s", MedianOf("chunked", r => r.Ready));
            Result("parallel_speedup_2", MedianOf("single", r => r.Ready) / MedianOf("chunked", r => r.Ready));
            Result("parallel_cpu_cost", MedianOf("chunked", r => r.WorkerCpu) / MedianOf("single", r => r.WorkerCpu));
        }
        finally
        {
            Stop();
            targets.ForEach(t => t.Http.Dispose());
            work.Delete(recursive: true);
        }

        return 0;
    }

    /// <summary>An API in local mode whose runner starts one build of the worker.</summary>
    private sealed record Target(string Name, ApiProcess Api, HttpClient Http, string Logs, string Work) : IDisposable
    {
        public void Dispose() => Api.Dispose();
    }

    private sealed record Round(TimeSpan FirstPlayable, int Variants, TimeSpan Ready, TimeSpan WorkerCpu, string TopRung, string Timeline);

    private static async Task<Round> RoundAsync(Target target, string source)
    {
        var (http, apiPid, logs, work) = (target.Http, target.Api.Id, target.Logs, target.Work);
        var created = await http.PostAsJsonAsync("/api/v1/videos", new
        {
            title = "Bench playable lecture",
            fileName = Path.GetFileName(source),
            contentType = "video/mp4",
            sizeBytes = new FileInfo(source).Length,
        });
        var body = await Json(created, HttpStatusCode.Created);
        var videoId = body.GetProperty("videoId").GetGuid();
        var upload = body.GetProperty("upload");
        using (var put = new HttpRequestMessage(HttpMethod.Put, upload.GetProperty("url").GetString()))
        {
            put.Content = new StreamContent(File.OpenRead(source));
            put.Content.Headers.ContentType = new(upload.GetProperty("headers").GetProperty("Content-Type").GetString()!);
            using var uploaded = await http.SendAsync(put);
            if (!uploaded.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"upload: {(int)uploaded.StatusCode} {await uploaded.Content.ReadAsStringAsync()}");
            }
        }

        var cpuBefore = ProcessMeasure.ReapedChildrenCpu(apiPid);
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var completed = await Json(await http.PostAsync($"/api/v1/videos/{videoId}/upload-complete", null), HttpStatusCode.Accepted);
        var jobId = completed.GetProperty("jobId").GetGuid();
        TimeSpan? firstPlayable = null;
        var variants = 0;
        var segment = Path.Combine(work, $"{videoId:N}.ts");
        JsonElement video;
        while (true)
        {
            video = await Json(await http.GetAsync($"/api/v1/videos/{videoId}"), HttpStatusCode.OK);
            var status = video.GetProperty("status").GetString();
            if (firstPlayable is null && video.GetProperty("playbackUrl").GetString() is { } playbackUrl
                && await FirstSegmentDecodesAsync(http, new Uri(playbackUrl), segment) is { } count)
            {
                firstPlayable = clock.Elapsed;
                variants = count;
            }

            if (status == "READY")
            {
                break;
            }

            if (firstPlayable is not null && StopAtPlayable)
            {
                // Deleted first: the job ends FAILED, so the API dispatches none of a chunked job's later chunks, which
                // would otherwise encode on beside the next rounds.
                using (var deleted = await http.DeleteAsync($"/api/v1/videos/{videoId}"))
                {
                    if (deleted.StatusCode != HttpStatusCode.Accepted)
                    {
                        throw new InvalidOperationException($"delete {videoId}: {(int)deleted.StatusCode} {await deleted.Content.ReadAsStringAsync()}");
                    }
                }

                foreach (var child in ProcessMeasure.Children(apiPid))
                {
                    try
                    {
                        using var worker = Process.GetProcessById(child);
                        worker.Kill(entireProcessTree: true);
                    }
                    catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                    {
                        // Gone already.
                    }
                }

                break;
            }

            if (status is "FAILED" or "DELETED" || clock.Elapsed > TimeSpan.FromHours(2))
            {
                throw new InvalidOperationException($"video {videoId} did not reach READY: {video}");
            }

            await Task.Delay(200);
        }

        var ready = clock.Elapsed;
        // A video READY before any poll saw a decodable segment was first playable at READY at the latest.
        firstPlayable ??= ready;
        // The worker exits a moment after READY; its CPU (and its ffmpeg's) counts once the runner has reaped it.
        for (var i = 0; i < 600 && ProcessMeasure.Children(apiPid).Any(); i++)
        {
            await Task.Delay(100);
        }

        var cpu = ProcessMeasure.ReapedChildrenCpu(apiPid) - cpuBefore;
        var timeline = Timeline(
            Directory.EnumerateFiles(logs, "*.log", SearchOption.AllDirectories).Where(f => f.Contains(jobId.ToString(), StringComparison.Ordinal) || f.Contains(jobId.ToString("N"), StringComparison.Ordinal)),
            startedAt);
        return new Round(firstPlayable.Value, variants, ready, cpu, video.GetProperty("job").GetProperty("topRungCode").GetString() ?? "?", timeline);
    }

    /// <summary>The number of variants in the master when its first variant's first segment decodes; null while something is not up yet.</summary>
    private static async Task<int?> FirstSegmentDecodesAsync(HttpClient http, Uri master, string file)
    {
        using var masterResponse = await http.GetAsync(master);
        if (masterResponse.StatusCode != HttpStatusCode.OK)
        {
            return null;
        }

        var lines = (await masterResponse.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.TrimEntries);
        var variants = lines.Select((line, i) => (line, i)).Where(l => l.line.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal)).Select(l => lines[l.i + 1]).ToList();
        if (variants.Count == 0)
        {
            return null;
        }

        var variant = new Uri(master, variants[0]);
        using var variantResponse = await http.GetAsync(variant);
        if (variantResponse.StatusCode != HttpStatusCode.OK)
        {
            return null;
        }

        var first = (await variantResponse.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.TrimEntries).FirstOrDefault(l => l.Length > 0 && !l.StartsWith('#'));
        if (first is null)
        {
            return null;
        }

        using var segment = await http.GetAsync(new Uri(variant, first));
        if (segment.StatusCode != HttpStatusCode.OK)
        {
            return null;
        }

        await File.WriteAllBytesAsync(file, await segment.Content.ReadAsByteArrayAsync());
        // What a player needs to start: the segment's first picture decoded. Decoding all of a 1080p segment would take
        // seconds on a loaded machine and add them to the figure.
        var decoded = await ProcessMeasure.RunAsync("ffmpeg", ["-v", "error", "-nostdin", "-i", file, "-map", "0:v:0", "-frames:v", "1", "-f", "framemd5", "-"]);
        File.Delete(file);
        return decoded.ExitCode == 0 && decoded.Output.Split('\n').Any(l => l.Length > 0 && !l.StartsWith('#')) ? variants.Count : null;
    }

    /// <summary>The worker's steps from its log (the local runner's file per attempt), in seconds since upload-complete.</summary>
    private static string Timeline(IEnumerable<string> files, DateTimeOffset start)
    {
        var lines = files.SelectMany(f => WorkerRig.LogLines(File.ReadAllText(f))).OrderBy(l => l.Timestamp).ToList();
        if (lines.Count == 0)
        {
            return "no log";
        }

        return $"started {(lines[0].Timestamp - start).TotalSeconds:F1} s, " + string.Join(", ", lines
            .Where(l => l.Event is "BATCH_PHASE" or "ATTEMPT_STEP" or "TOP_RUNG_DECIDED" or "LOUDNESS_DECIDED" or "ATTEMPT_PLAYABLE" or "BATCH_JOB_COMPLETED" || StepMessage(l) is not null)
            .Select(l => $"{Label(l)} {(l.Timestamp - start).TotalSeconds:F1} s"));

        static string? StepMessage(WorkerLogLine line) =>
            line.Fields.TryGetProperty("message", out var m) && m.GetString() is { } message
            && new[] { "Loudness ", "Profile ", "Key frames:", "Encoding ", "ffmpeg exited" }.FirstOrDefault(p => message.StartsWith(p, StringComparison.Ordinal)) is { } prefix
                ? prefix.TrimEnd(' ', ':').Replace(' ', '_').ToLowerInvariant() + (line.Fields.TryGetProperty("loudness_duration_ms", out var a) ? $"({a}ms)"
                    : line.Fields.TryGetProperty("profile_duration_ms", out var b) ? $"({b}ms)"
                    : line.Fields.TryGetProperty("keyframes_duration_ms", out var c) ? $"({c}ms)" : "")
                : null;

        static string Label(WorkerLogLine line) => line.Event switch
        {
            "BATCH_PHASE" when line.Fields.TryGetProperty("phase", out var phase) => phase.GetString()!,
            "ATTEMPT_STEP" when line.Fields.TryGetProperty("step", out var step) => step.GetString()!,
            "" => StepMessage(line) ?? "?",
            _ => line.Event,
        };
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != expected)
            {
                throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}");
            }

            return JsonDocument.Parse(text).RootElement.Clone();
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
