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
/// downloads and decodes (ffprobe counts its frames), then on to READY. Two 1080p30 H.264 sources of the same picture:
/// key frames every 2 s (the fast path copies the top rung) and every 10 s (over 1.5× the 6 s target: every rung encoded).
/// Rounds alternate the two; medians. One job at a time (the next starts once the last worker has exited), so each
/// round's worker CPU is the runner's reaped children's (the API's cutime + cstime).
/// </summary>
public static class PlayableBenchmark
{
    private const int Port = 5393;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length > 2
            || !int.TryParse(args.ElementAtOrDefault(0) ?? "10", CultureInfo.InvariantCulture, out var minutes) || minutes < 1
            || !int.TryParse(args.ElementAtOrDefault(1) ?? "3", CultureInfo.InvariantCulture, out var rounds) || rounds < 1)
        {
            Console.WriteLine("usage: ... -- playable [minutes (10)] [rounds (3)]");
            return 2;
        }

        var root = RepositoryRoot();
        // One minute of each picture made once, repeated by stream copy: a long source costs no encode to make.
        var sources = new EncodeSources(Path.Combine(root, ".local", "bench-encode", "sources"), 60);
        var fast = await sources.RepeatedAsync(await sources.QualifyingH264Async(), minutes);
        var encoded = await sources.RepeatedAsync(await sources.QualifyingH264Async(keyframeSeconds: 10), minutes);
        Result("minutes", minutes.ToString(CultureInfo.InvariantCulture));
        Info($"sources: {Path.GetFileName(fast)} ({new FileInfo(fast).Length / 1048576.0:F0} MiB), {Path.GetFileName(encoded)} ({new FileInfo(encoded).Length / 1048576.0:F0} MiB); {rounds} interleaved rounds");

        var work = Directory.CreateTempSubdirectory("academy-bench-playable-");
        try
        {
            var connectionString = await WorkerRig.RecreateDatabaseAsync("academy_bench_playable");
            var apiDll = Path.Combine(root, "Academy.Video.Api", "bin", "Release", "net10.0", "Academy.Video.Api.dll");
            var logs = Path.Combine(work.FullName, "runner-logs");
            var api = await StartApiAsync(apiDll, connectionString, Port, work.FullName, new Dictionary<string, string>
            {
                ["Runner__Local__Command"] = "dotnet",
                ["Runner__Local__Arguments__0"] = Academy.Video.Testing.RepositoryLayout.WorkerDll,
                ["Runner__Local__MaxConcurrency"] = "1",
                // The worker's log (its phases, ATTEMPT_PLAYABLE, in the runner's file) at Information: it gets the API's Logging section.
                ["Logging__LogLevel__Default"] = "Information",
                ["Logging__LogLevel__Microsoft"] = "Warning",
                ["Worker__WorkDirectory"] = Path.Combine(work.FullName, "worker-work"),
                ["Upload__MultipartThreshold"] = "21474836480",
            });
            // Stopped (Ctrl+C, SIGTERM), the benchmark takes its API and the API's worker with it.
            var stopped = 0;
            void Stop()
            {
                if (Interlocked.Exchange(ref stopped, 1) == 0)
                {
                    api.Dispose();
                }
            }

            AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
            Console.CancelKeyPress += (_, _) => Stop();
            try
            {
                using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromMinutes(5) };
                http.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);

                var measured = new Dictionary<string, List<Round>> { ["fast"] = [], ["encoded"] = [] };
                for (var round = 1; round <= rounds; round++)
                {
                    foreach (var (kind, source) in new[] { ("fast", fast), ("encoded", encoded) })
                    {
                        var result = await RoundAsync(http, api.Id, source, logs, work.FullName);
                        measured[kind].Add(result);
                        Info($"round {round} {kind}: first playable {result.FirstPlayable.TotalSeconds:F1} s ({result.Variants} variants in the first master), " +
                             $"READY {result.Ready.TotalSeconds:F1} s, worker CPU {result.WorkerCpu.TotalSeconds:F0} s, top rung {result.TopRung}; worker: {result.Timeline}; load {LoadAverage()}");
                    }
                }

                foreach (var (kind, results) in measured)
                {
                    Result($"first_playable_{kind}_s", Median(results.Select(r => r.FirstPlayable.TotalSeconds)));
                    Result($"ready_{kind}_s", Median(results.Select(r => r.Ready.TotalSeconds)));
                    Result($"worker_cpu_{kind}_s", Median(results.Select(r => r.WorkerCpu.TotalSeconds)));
                }

                Info("parallel_speedup_2, parallel_cpu_cost: not measured, chunked encoding across jobs does not exist yet (docs/performance.md)");
            }
            finally
            {
                Stop();
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }

        return 0;
    }

    private sealed record Round(TimeSpan FirstPlayable, int Variants, TimeSpan Ready, TimeSpan WorkerCpu, string TopRung, string Timeline);

    private static async Task<Round> RoundAsync(HttpClient http, int apiPid, string source, string logs, string work)
    {
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
        var probe = await ProcessMeasure.RunAsync("ffprobe", ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", file]);
        File.Delete(file);
        // An MPEG-TS file lists its stream under its program too: the count comes twice, one line each.
        var count = probe.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return probe.ExitCode == 0 && int.TryParse(count, CultureInfo.InvariantCulture, out var frames) && frames > 0 ? variants.Count : null;
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
            .Where(l => l.Event is "BATCH_PHASE" or "TOP_RUNG_DECIDED" or "LOUDNESS_DECIDED" or "ATTEMPT_PLAYABLE" or "BATCH_JOB_COMPLETED")
            .Select(l => $"{(l.Event == "BATCH_PHASE" && l.Fields.TryGetProperty("phase", out var phase) ? phase.GetString() : l.Event)} {(l.Timestamp - start).TotalSeconds:F1} s"));
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
