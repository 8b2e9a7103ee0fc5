using System.Diagnostics;
using System.Globalization;
using System.Text;
using Academy.Video.Application.Storage;
using Academy.Video.Application.Transcoding;
using Academy.Video.Bench.Common;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;
using Academy.Video.Infrastructure.Transcoding;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Academy.Video.Bench.Encode;

/// <summary>
/// The encoder's figures, side by side in one run. The timed contestants run interleaved — every round runs each once,
/// the order rotated by one per round — and each ratio is of medians, so neither order nor a noisy neighbour decides
/// it. Bytes and SSIM are measured once (they do not depend on the machine). Prints <c>RESULT name value</c> lines
/// and writes bench/RESULTS-encode.md.
/// </summary>
public static class EncodeBenchmark
{
    private const string DatabaseName = "academy_bench_encode";
    private static readonly TimeSpan SegmentDuration = TimeSpan.FromSeconds(6);

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args is [var s, ..] ? int.Parse(s, CultureInfo.InvariantCulture) : 60;
        var rounds = args is [_, var r, ..] ? int.Parse(r, CultureInfo.InvariantCulture) : 3;
        var repo = Academy.Video.Testing.RepositoryLayout.Root;
        var root = Path.Combine(repo, ".local", "bench-encode");
        var sources = new EncodeSources(Path.Combine(root, "sources"), seconds);
        var motion = await sources.HighMotionAsync();
        var camera = await sources.QualifyingH264Async();
        var lecture = await sources.LectureAsync();

        var options = new TranscodingOptions();
        var encoder = new FfmpegHlsEncoder(Options.Create(options), NullLogger<FfmpegHlsEncoder>.Instance);
        var probe = new FfprobeMediaProbe(Options.Create(options));
        if (Environment.GetEnvironmentVariable("ACADEMY_BENCH_WORKER_DLL") is not { Length: > 0 })
        {
            // The worker as its image runs it: published self-contained (and MALLOC_ARENA_MAX=2, WorkerRig).
            await WorkerRig.PublishWorkerAsync(Path.Combine(root, "worker"));
        }

        await using var rig = await WorkerRig.CreateAsync(DatabaseName, root);
        // The upload tail needs storage behind HTTP: the worker on the shared s3rver, and today's publish (the whole tree after
        // the encode) timed on the same server.
        await using var s3Rig = await WorkerRig.CreateAsync(DatabaseName + "_s3", Path.Combine(root, "s3"), WorkerRig.S3rverStorage());
        var results = new Results();

        var motionJob = await Contestants.CreateAsync(rig, encoder, probe, motion, Path.Combine(root, "motion"));
        var motionS3Job = await Contestants.CreateAsync(s3Rig, encoder, probe, motion, Path.Combine(root, "motion-s3"));
        var cameraJob = await Contestants.CreateAsync(rig, encoder, probe, camera, Path.Combine(root, "camera"));
        Console.WriteLine($"high-motion source: top rung {motionJob.TopRung.Code} ({motionJob.TopRung.Reason})");
        Console.WriteLine($"camera source: top rung {cameraJob.TopRung.Code} ({cameraJob.TopRung.Reason})");
        if (!cameraJob.TopRung.Copy)
        {
            Console.Error.WriteLine("the camera source should qualify for the fast path; per_rung_over_fast_path would mean nothing");
            return 1;
        }

        // A first worker run warms the page cache and the database.
        var warmUp = await motionJob.WorkerAsync();
        Console.WriteLine($"warm-up worker run: {warmUp.Measurement.Elapsed.TotalSeconds:0.0} s, encode {warmUp.Encode.TotalSeconds:0.0} s");

        var contestants = new List<(string Name, Func<Task> Run)>
        {
            ("worker_motion", async () => results.AddWorker("worker_motion", await motionJob.WorkerAsync())),
            ("ffmpeg_motion", async () =>
            {
                results.Add("ffmpeg_motion", await motionJob.FfmpegAsync());
                results.Record("publish_today_s3", await motionJob.PublishTodayAsync(s3Rig.Storage));
            }),
            ("worker_s3_motion", async () => results.AddWorker("worker_s3_motion", await motionS3Job.WorkerAsync())),
        };
        // Today's publish, measured as it was: the worker built before progressive publish (ACADEMY_BENCH_TODAY_WORKER_DLL,
        // e.g. commit f80aeda's) on the same s3rver; without it only the tree's upload is timed (publish_today_s3).
        if (Environment.GetEnvironmentVariable("ACADEMY_BENCH_TODAY_WORKER_DLL") is { Length: > 0 } todayWorker)
        {
            contestants.Add(("worker_today_s3_motion", async () => results.AddWorker("worker_today_s3_motion", await motionS3Job.WorkerAsync(todayWorker), baseline: true)));
        }

        contestants.AddRange(new List<(string Name, Func<Task> Run)>
        {
            ("per_rung_motion", async () => results.Add("per_rung_motion", await motionJob.PerRungAsync())),
            ("worker_fast", async () => results.AddWorker("worker_fast", await cameraJob.WorkerAsync())),
            ("ffmpeg_fast", async () => results.Add("ffmpeg_fast", await cameraJob.FfmpegAsync())),
            ("per_rung_fast", async () => results.Add("per_rung_fast", await cameraJob.PerRungAsync())),
            ("resume_motion", async () =>
            {
                var resumed = await motionJob.KilledAndResumedAsync(0.7);
                results.Add("resume_motion", resumed.Total);
                results.Record("resume_motion_first", resumed.First.TotalSeconds);
                results.Record("resume_motion_second", resumed.Second.Measurement.Elapsed.TotalSeconds);
                results.RecordTimeline("resume_second", resumed.Second);
            }),
        });

        var loads = new List<string>();
        // Another build of the worker (an older commit's, ACADEMY_BENCH_BASELINE_WORKER_DLL) in the same rounds, on the same
        // sources and rig: a before/after of the fixed costs, interleaved.
        var baselineWorker = Environment.GetEnvironmentVariable("ACADEMY_BENCH_BASELINE_WORKER_DLL") is { Length: > 0 } b ? b : null;
        if (baselineWorker is not null)
        {
            contestants.Add(("baseline_worker_motion", async () => results.AddWorker("baseline_worker_motion", await motionJob.WorkerAsync(baselineWorker), baseline: true)));
            contestants.Add(("baseline_worker_s3_motion", async () => results.AddWorker("baseline_worker_s3_motion", await motionS3Job.WorkerAsync(baselineWorker), baseline: true)));
            contestants.Add(("baseline_resume_motion", async () =>
            {
                var resumed = await motionJob.KilledAndResumedAsync(0.7, baselineWorker);
                results.Add("baseline_resume_motion", resumed.Total);
                results.RecordTimeline("baseline_resume_second", resumed.Second);
            }));
        }

        // ACADEMY_BENCH_ENCODE_ONLY=name,name: only those contestants, and neither the quality comparison nor the 3 h scan (a
        // quicker look at the timed figures; bench/RESULTS-encode.md is then left as it is).
        var only = Environment.GetEnvironmentVariable("ACADEMY_BENCH_ENCODE_ONLY") is { Length: > 0 } o ? o.Split(',', StringSplitOptions.TrimEntries) : null;
        if (only is not null)
        {
            contestants.RemoveAll(c => !only.Contains(c.Name));
        }

        for (var round = 0; round < rounds; round++)
        {
            loads.Add(LoadAverage());
            var order = contestants.Skip(round % contestants.Count).Concat(contestants.Take(round % contestants.Count)).ToList();
            Console.WriteLine($"round {round + 1}/{rounds}: {string.Join(", ", order.Select(c => c.Name))}");
            foreach (var (name, run) in order)
            {
                await run();
                Console.WriteLine($"  {name}: {results.Last(name):0.0} s");
            }
        }

        if (only is not null)
        {
            PrintTimed(results, contestants.Select(c => c.Name).ToList(), loads);
            return 0;
        }

        var quality = new Quality(probe, options, Path.Combine(root, "quality"));
        var lectureQuality = await quality.CompareAsync(lecture, SegmentDuration);
        var motionQuality = await quality.CompareAsync(motion, SegmentDuration);
        var scan = await MeasureScanAsync(sources, lecture, seconds, options);

        var figures = new List<(string Name, double Value, string Meaning)>
        {
            ("worker_over_ffmpeg", results.Ratio("worker_motion", "ffmpeg_motion"), "worker end to end ÷ its ffmpeg command alone (high-motion; goal ≤ 1.03)"),
            ("worker_over_ffmpeg_fast_path", results.Ratio("worker_fast", "ffmpeg_fast"), "the same on the camera source, fast path taken (the worker adds the packet scan)"),
            ("encode_phase_over_ffmpeg", results.Median("worker_motion_ffmpeg") / results.Median("ffmpeg_motion"), "ffmpeg inside the worker ÷ the same command alone"),
            ("per_rung_over_worker", results.Ratio("per_rung_motion", "worker_motion"), "one ffmpeg run per rung ÷ the worker, high-motion (goal ≥ 1.25)"),
            ("per_rung_over_fast_path", results.Ratio("per_rung_fast", "worker_fast"), "one ffmpeg run per rung ÷ the worker on a qualifying H.264 1080p (goal ≥ 1.8)"),
            ("lecture_bytes_ratio", lectureQuality.BytesRatio, "HLS bytes, capped CRF + one audio ÷ before (lecture; goal ≤ 0.5)"),
            ("lecture_video_bytes_ratio", lectureQuality.VideoBytesRatio, "video packet bytes only: item 2 alone"),
            ("lecture_ssim_delta", lectureQuality.SsimDelta, "mean SSIM against the source, new − before (goal ≥ −0.005)"),
            ("motion_ssim_delta", motionQuality.SsimDelta, "the same on the high-motion source (goal ≥ −0.005)"),
            ("motion_bytes_ratio", motionQuality.BytesRatio, "HLS bytes new ÷ before on the high-motion source (goal: no more bytes)"),
            ("motion_video_bytes_ratio", motionQuality.VideoBytesRatio, "video packet bytes only"),
            ("upload_tail_seconds", results.Median("worker_s3_motion_tail"), "ffmpeg's exit to READY with progressive publish, the worker on s3rver (high-motion)"),
            results.All("worker_today_s3_motion_tail").Count > 0
                ? ("upload_tail_seconds_today", results.Median("worker_today_s3_motion_tail"), "the same for the worker before progressive publish (f80aeda), on the same s3rver")
                : ("upload_tail_seconds_today", results.Median("publish_today_s3"), "today's publish on the same s3rver: the whole tree uploaded after the encode, 4 at a time (its master write not counted)"),
            ("publish_today_upload_seconds", results.Median("publish_today_s3"), "the whole tree of the ffmpeg command uploaded to s3rver, 4 at a time"),
            ("upload_tail_seconds_local", results.Median("worker_motion_tail"), "ffmpeg's exit to READY with progressive publish on local storage"),
            ("resume_total_over_clean", results.Ratio("resume_motion", "worker_motion"), "SIGKILL at 70% of the encode, then attempt 2: both attempts ÷ a clean run (today ~1.7; goal ≤ 1.35)"),
            ("worker_peak_rss_mib", results.Max("worker_rss") / 1024 / 1024, "the worker process's peak RSS, its ffmpeg excluded (goal ≤ 150)"),
            ("worker_self_cpu_seconds", results.Median("worker_self_cpu"), "CPU the worker process itself used (start-up included), high-motion run"),
            ("worker_cpu_during_encode_seconds", results.Median("worker_cpu_during_encode"), "CPU the worker process used while its ffmpeg ran"),
            ("worker_ffmpeg_cpu_over_alone", results.Median("worker_child_cpu") / results.Median("ffmpeg_motion_cpu"), "CPU of ffmpeg (+ ffprobe) under the worker ÷ the command alone"),
            ("keyframe_scan_seconds_3h", scan.Seconds, $"listing a 3 h source's video packets ({scan.Packets} packets, {scan.MiB:0} MiB, page cache warm)"),
        };

        foreach (var (name, value, _) in figures)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT {name} {value:0.###}"));
        }

        var report = new StringBuilder()
            .AppendLine("# Encode benchmark")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"`dotnet run -c Release --project bench/Academy.Video.Bench -- encode {seconds} {rounds}` on {Environment.ProcessorCount} cores, {await FfmpegVersionAsync()}, preset {options.Preset}, CRF {options.Crf}, {SegmentDuration.TotalSeconds} s segments.")
            .AppendLine(CultureInfo.InvariantCulture, $"Sources: {seconds} s each. {rounds} interleaved rounds; medians. Load average (1, 5, 15 min) at each round's start: {string.Join("; ", loads)}; at the end: {LoadAverage()}.")
            .AppendLine()
            .AppendLine("| figure | value | meaning |")
            .AppendLine("|---|---|---|");
        foreach (var (name, value, meaning) in figures)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"| `{name}` | {value:0.###} | {meaning} |");
        }

        report.AppendLine()
            .AppendLine("| contestant | median wall (s) | runs (s) |")
            .AppendLine("|---|---|---|");
        foreach (var (name, _) in contestants)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {results.Median(name):0.0} | {string.Join(", ", results.All(name).Select(v => v.ToString("0.0", CultureInfo.InvariantCulture)))} |");
        }

        // Where each worker run's seconds went (medians), cut at its own log lines: the fixed costs around ffmpeg.
        string[] timed = ["worker_motion", "worker_s3_motion", "worker_fast", "resume_second"];
        report.AppendLine()
            .AppendLine("Worker runs cut at their own log lines (median seconds; `resume_second` is the resumed attempt alone):")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"| part | {string.Join(" | ", timed)} |")
            .AppendLine(CultureInfo.InvariantCulture, $"|---|{string.Concat(timed.Select(_ => "---|"))}");
        foreach (var part in results.TimelineParts)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"| {part} | {string.Join(" | ", timed.Select(t => results.Median($"{t}.{part}").ToString("0.00", CultureInfo.InvariantCulture)))} |");
        }

        report.AppendLine(CultureInfo.InvariantCulture, $"| (attempt 1 of the resume, killed) | | | | {results.Median("resume_motion_first"):0.00} |");
        report.AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Top rung: high-motion {motionJob.TopRung.Code} ({motionJob.TopRung.Reason}); camera {cameraJob.TopRung.Code} ({cameraJob.TopRung.Reason}).")
            .AppendLine(CultureInfo.InvariantCulture, $"Lecture: {lectureQuality.Describe()}.")
            .AppendLine(CultureInfo.InvariantCulture, $"High-motion: {motionQuality.Describe()}.");
        Console.WriteLine();
        Console.WriteLine(report);
        await File.WriteAllTextAsync(Path.Combine(repo, "bench", "RESULTS-encode.md"), report.ToString());
        return 0;
    }

    /// <summary>The fast path's packet listing on a 3 h source: the lecture repeated by stream copy (no encoding).</summary>
    private static async Task<(double Seconds, int Packets, double MiB)> MeasureScanAsync(EncodeSources sources, string lecture, int seconds, TranscodingOptions options)
    {
        var repeated = await sources.RepeatedAsync(lecture, (int)Math.Ceiling(3 * 3600.0 / seconds));
        try
        {
            var scanner = new FfprobeKeyframeScanner(options);
            await scanner.ScanAsync(repeated, default); // warms the page cache, as the download just before does
            var clock = Stopwatch.StartNew();
            var scan = await scanner.ScanAsync(repeated, default);
            var elapsed = clock.Elapsed.TotalSeconds;
            var packets = (int)Math.Round(scan.Index.DurationSeconds * 30);
            return (elapsed, packets, new FileInfo(repeated).Length / 1024.0 / 1024.0);
        }
        finally
        {
            File.Delete(repeated);
        }
    }

    /// <summary>The timed figures of a run restricted by ACADEMY_BENCH_ENCODE_ONLY, with the baseline worker's beside them.</summary>
    private static void PrintTimed(Results results, IReadOnlyList<string> names, IReadOnlyList<string> loads)
    {
        void Print(string name, double value) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT {name} {value:0.###}"));
        Print("worker_over_ffmpeg", results.Ratio("worker_motion", "ffmpeg_motion"));
        Print("baseline_worker_over_ffmpeg", results.Ratio("baseline_worker_motion", "ffmpeg_motion"));
        Print("resume_total_over_clean", results.Ratio("resume_motion", "worker_motion"));
        Print("baseline_resume_total_over_clean", results.Ratio("baseline_resume_motion", "baseline_worker_motion"));
        Print("worker_peak_rss_mib", results.Max("worker_rss") / 1024 / 1024);
        Print("baseline_worker_peak_rss_mib", results.Max("baseline_worker_rss") / 1024 / 1024);
        Print("worker_self_cpu_seconds", results.Median("worker_self_cpu"));
        Print("baseline_worker_self_cpu_seconds", results.Median("baseline_worker_self_cpu"));
        foreach (var name in names)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"INFO {name}: median {results.Median(name):0.0} s, runs {string.Join(", ", results.All(name).Select(v => v.ToString("0.0", CultureInfo.InvariantCulture)))}"));
        }

        foreach (var name in new[] { "worker_motion", "baseline_worker_motion", "worker_s3_motion", "baseline_worker_s3_motion", "resume_second", "baseline_resume_second", "worker_fast" })
        {
            if (results.All($"{name}.ffmpeg").Count > 0)
            {
                Console.WriteLine($"INFO timeline {name}: {string.Join(", ", results.TimelineParts.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p} {results.Median($"{name}.{p}"):0.00}")))}");
            }
        }

        Console.WriteLine($"INFO load average at each round's start: {string.Join("; ", loads)}; at the end: {LoadAverage()}");
    }

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static async Task<string> FfmpegVersionAsync()
    {
        var first = (await ProcessMeasure.RunCheckedAsync("ffmpeg", ["-version"])).Split('\n')[0];
        return string.Join(' ', first.Split(' ').Take(3));
    }

    /// <summary>One source's timed contestants: the worker binary, its ffmpeg command alone, one ffmpeg per rung.</summary>
    /// <summary>
    /// The worker's peak RSS on a lecture of <c>seconds</c> and on the same lecture repeated <c>times</c> over, on local
    /// storage and on s3rver: the goal is a bound that does not grow with the source's length.
    /// </summary>
    public static async Task<int> MemoryAsync(string[] args)
    {
        var seconds = args is [var s, ..] ? int.Parse(s, CultureInfo.InvariantCulture) : 60;
        var times = args is [_, var t, ..] ? int.Parse(t, CultureInfo.InvariantCulture) : 5;
        var root = Path.Combine(Academy.Video.Testing.RepositoryLayout.Root, ".local", "bench-memory");
        var sources = new EncodeSources(Path.Combine(Academy.Video.Testing.RepositoryLayout.Root, ".local", "bench-encode", "sources"), seconds);
        var shortSource = await sources.LectureAsync();
        var longSource = await sources.RepeatedAsync(shortSource, times);
        var options = new TranscodingOptions();
        var encoder = new FfmpegHlsEncoder(Options.Create(options), NullLogger<FfmpegHlsEncoder>.Instance);
        var probe = new FfprobeMediaProbe(Options.Create(options));
        await using var localRig = await WorkerRig.CreateAsync(DatabaseName + "_memory", Path.Combine(root, "local"));
        await using var s3Rig = await WorkerRig.CreateAsync(DatabaseName + "_memory_s3", Path.Combine(root, "s3"), WorkerRig.S3rverStorage());
        var peaks = new Dictionary<string, double>();
        foreach (var (storage, rig) in new[] { ("local", localRig), ("s3", s3Rig) })
        {
            foreach (var (length, source) in new[] { ("short", shortSource), ("long", longSource) })
            {
                var contestant = await Contestants.CreateAsync(rig, encoder, probe, source, Path.Combine(root, $"{storage}-{length}"));
                var run = await contestant.WorkerAsync();
                var name = $"worker_peak_rss_mib_{length}_{storage}";
                peaks[name] = run.Measurement.PeakRssBytes / 1024.0 / 1024.0;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT {name} {peaks[name]:0.0}   ({run.Measurement.Elapsed.TotalSeconds:0} s)"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT worker_rss_long_over_short_{storage} {peaks[$"worker_peak_rss_mib_long_{storage}"] / peaks[$"worker_peak_rss_mib_short_{storage}"]:0.00}"));
        }

        return 0;
    }

    private sealed class Contestants
    {
        private readonly WorkerRig _rig;
        private readonly string _source;
        private readonly string _output;
        private readonly IReadOnlyList<string> _arguments;
        private readonly IReadOnlyList<Rendition> _renditions;
        private readonly IReadOnlyList<(IReadOnlyList<string> Arguments, string Output, Rendition Rendition)> _perRung;

        private Contestants(WorkerRig rig, string source, string output, SourceCopyDecision topRung, IReadOnlyList<string> arguments, IReadOnlyList<Rendition> renditions, IReadOnlyList<(IReadOnlyList<string>, string, Rendition)> perRung)
        {
            _rig = rig;
            _source = source;
            _output = output;
            TopRung = topRung;
            _arguments = arguments;
            _renditions = renditions;
            _perRung = perRung;
        }

        public SourceCopyDecision TopRung { get; }

        public static async Task<Contestants> CreateAsync(WorkerRig rig, FfmpegHlsEncoder encoder, FfprobeMediaProbe probe, string source, string output)
        {
            var info = await probe.ProbeAsync(source, default);
            var renditions = HlsLadder.Plan(info.DisplayWidth, info.DisplayHeight, HlsLadder.DefaultRungs);
            var plan = await encoder.PlanAsync(new HlsEncodeRequest(source, info, renditions, Path.Combine(output, "ladder"), SegmentDuration), default);
            // One run per rung as PeerTube and the earlier system's worker do: each decodes the source and encodes one rung with its audio
            // (no poster or storyboard: the ladder alone).
            var options = new TranscodingOptions();
            var perRung = renditions
                .Select(r => (FfmpegHlsArguments.Build(new HlsEncodeRequest(source, info, [r], Path.Combine(output, r.Name), SegmentDuration), options, new HlsCommand(PosterAndStoryboard: false)), Path.Combine(output, r.Name), r))
                .ToList();
            return new Contestants(rig, source, output, plan.TopRung, encoder.Arguments(plan, null), renditions, perRung);
        }

        public async Task<WorkerRun> WorkerAsync(string? workerDll = null)
        {
            var jobId = await _rig.QueueAsync(_source);
            TimeSpan? encodeStart = null, encodeEnd = null;
            var arrivals = new List<(string, TimeSpan)>();
            var measurement = await _rig.RunWorkerAsync(jobId, workerDll: workerDll, onOutputLine: (line, at, cpu) =>
            {
                arrivals.Add((line, at));
                if (line.Contains("\"BATCH_PHASE\"", StringComparison.Ordinal))
                {
                    if (line.Contains("\"phase\":\"encode\"", StringComparison.Ordinal))
                    {
                        encodeStart = cpu;
                    }
                    else if (line.Contains("\"phase\":\"upload\"", StringComparison.Ordinal))
                    {
                        encodeEnd = cpu;
                    }
                }
            });
            var job = await _rig.JobAsync(jobId);
            if (measurement.ExitCode != 0 || job.State != JobState.Succeeded)
            {
                throw new InvalidOperationException($"the worker failed (exit {measurement.ExitCode}, job {job.State}):\n{measurement.Output}");
            }

            await _rig.DeleteStoredAsync(jobId);

            return WorkerRun.From(measurement, (encodeEnd ?? TimeSpan.Zero) - (encodeStart ?? TimeSpan.Zero), arrivals);
        }

        public Task<Measurement> FfmpegAsync() => RunFfmpegAsync(_arguments, Path.Combine(_output, "ladder"), _renditions);

        /// <summary>
        /// What the worker did before progressive publish, after its ffmpeg exited: the whole tree the command just wrote
        /// uploaded, <c>Worker:UploadParallelism</c> (4) at a time, the playlists among them. Seconds.
        /// </summary>
        public async Task<double> PublishTodayAsync(IObjectStorage storage)
        {
            var tree = Path.Combine(_output, "ladder");
            var prefix = $"bench/publish-today/{Guid.NewGuid():N}/";
            var files = Directory.EnumerateFiles(tree, "*", SearchOption.AllDirectories).ToList();
            var clock = Stopwatch.StartNew();
            await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (file, token) =>
                await storage.UploadFileAsync(file, prefix + Path.GetRelativePath(tree, file).Replace('\\', '/'), HlsPublisher.ContentTypeOf(file), token));
            var seconds = clock.Elapsed.TotalSeconds;
            await storage.DeletePrefixAsync(prefix, default);
            return seconds;
        }

        public async Task<Measurement> PerRungAsync()
        {
            var runs = new List<Measurement>();
            foreach (var (arguments, output, rendition) in _perRung)
            {
                runs.Add(await RunFfmpegAsync(arguments, output, [rendition]));
            }

            return runs[0] with
            {
                Elapsed = TimeSpan.FromTicks(runs.Sum(m => m.Elapsed.Ticks)),
                TreeCpu = TimeSpan.FromTicks(runs.Sum(m => m.TreeCpu.Ticks)),
                PeakRssBytes = runs.Max(m => m.PeakRssBytes),
            };
        }

        /// <summary>
        /// Attempt 1 gets SIGKILL (with its ffmpeg) once its ffmpeg has read <paramref name="fraction"/> of the source;
        /// the scan's verdict (RETRY_WAIT) is applied directly; attempt 2 runs to READY. The time between the two
        /// attempts is not counted.
        /// </summary>
        public async Task<ResumedRun> KilledAndResumedAsync(double fraction, string? workerDll = null)
        {
            var jobId = await _rig.QueueAsync(_source);
            using var kill = new CancellationTokenSource();
            var watch = Task.CompletedTask;
            var first = await _rig.RunWorkerAsync(
                jobId,
                (line, _, _) =>
                {
                    if (line.Contains("\"phase\":\"encode\"", StringComparison.Ordinal))
                    {
                        watch = KillAtAsync(jobId, fraction, kill);
                    }
                },
                kill.Token,
                workerDll);
            await watch;
            if (!first.Killed)
            {
                throw new InvalidOperationException($"attempt 1 finished before it could be killed:\n{first.Output}");
            }

            await _rig.MarkStuckAsync(jobId);
            var arrivals = new List<(string, TimeSpan)>();
            var second = await _rig.RunWorkerAsync(jobId, (line, at, _) => arrivals.Add((line, at)), workerDll: workerDll);
            var job = await _rig.JobAsync(jobId);
            if (second.ExitCode != 0 || job.State != JobState.Succeeded || job.AttemptCount != 2)
            {
                throw new InvalidOperationException($"attempt 2 failed (exit {second.ExitCode}, job {job.State}, attempt {job.AttemptCount}):\n{second.Output}");
            }

            return new ResumedRun(second with { Elapsed = first.Elapsed + second.Elapsed }, first.Elapsed, WorkerRun.From(second, TimeSpan.Zero, arrivals));
        }

        /// <summary>
        /// Progress seen from outside, independent of the machine's speed: how far the job's ffmpeg has read its
        /// source (the read offset of its open file in /proc), about a second of frames ahead of its output.
        /// </summary>
        private static async Task KillAtAsync(Guid jobId, double fraction, CancellationTokenSource kill)
        {
            var marker = jobId.ToString("N");
            while (!kill.IsCancellationRequested)
            {
                await Task.Delay(100);
                foreach (var pid in Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit)))
                {
                    try
                    {
                        var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
                        if (Path.GetFileName(commandLine[0]) != "ffmpeg" || !commandLine.Any(a => a.Contains(marker, StringComparison.Ordinal)))
                        {
                            continue;
                        }

                        foreach (var fd in Directory.EnumerateFiles($"/proc/{pid}/fd"))
                        {
                            var target = new FileInfo(fd).LinkTarget;
                            if (target is not null && target.Contains(marker, StringComparison.Ordinal) && Path.GetFileName(target).StartsWith("source", StringComparison.Ordinal))
                            {
                                var position = long.Parse(File.ReadLines($"/proc/{pid}/fdinfo/{Path.GetFileName(fd)}").First().Split('\t', ' ')[^1], CultureInfo.InvariantCulture);
                                if (position >= fraction * new FileInfo(target).Length)
                                {
                                    await kill.CancelAsync();
                                    return;
                                }
                            }
                        }
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        // The process or its descriptor went away while being read.
                    }
                }
            }
        }

        private static async Task<Measurement> RunFfmpegAsync(IReadOnlyList<string> arguments, string output, IReadOnlyList<Rendition> renditions)
        {
            LadderOutput.Recreate(output, renditions);
            var measured = await ProcessMeasure.RunAsync("ffmpeg", arguments);
            if (measured.ExitCode != 0)
            {
                throw new InvalidOperationException($"ffmpeg failed ({measured.ExitCode}): {measured.Output}");
            }

            return measured;
        }
    }

    /// <summary>
    /// A worker run and what its own log says: how long ffmpeg ran, how long from ffmpeg's exit to READY, and the CPU
    /// the worker process itself used while its ffmpeg ran (between its encode and upload phase lines).
    /// </summary>
    private sealed record WorkerRun(Measurement Measurement, TimeSpan Encode, TimeSpan Ffmpeg, TimeSpan UploadTail, TimeSpan CpuDuringEncode, IReadOnlyList<(string Part, double Seconds)> Timeline)
    {
        /// <param name="arrivals">Each stdout line with the time it reached the bench since the process was started.</param>
        public static WorkerRun From(Measurement measurement, TimeSpan cpuDuringEncode, IReadOnlyList<(string Line, TimeSpan At)> arrivals)
        {
            var lines = WorkerRig.LogLines(measurement.Output);
            var encodeStart = lines.First(l => l.Event == "BATCH_PHASE" && l.Fields.GetProperty("phase").GetString() == "encode").Timestamp;
            var exited = lines.First(l => l.Fields.TryGetProperty("ffmpeg_duration_ms", out _));
            var completed = lines.First(l => l.Event == "BATCH_JOB_COMPLETED").Timestamp;
            var ffmpeg = TimeSpan.FromMilliseconds(exited.Fields.GetProperty("ffmpeg_duration_ms").GetInt64());
            return new WorkerRun(
                measurement,
                exited.Timestamp - encodeStart,
                ffmpeg,
                completed - exited.Timestamp,
                cpuDuringEncode,
                TimelineOf(arrivals, ffmpeg, measurement.Elapsed));
        }

        /// <summary>
        /// The run cut at its own log lines, as the bench received them (seconds since the process was started): the process up
        /// to its attempt's first step (.NET start-up, the host, the claim), the download, the probe, the plan (loudness, key
        /// frames, profile), up to ffmpeg's start, ffmpeg, its exit to the completion, and the process's exit.
        /// </summary>
        private static List<(string, double)> TimelineOf(IReadOnlyList<(string Line, TimeSpan At)> arrivals, TimeSpan ffmpeg, TimeSpan end)
        {
            TimeSpan At(Func<string, bool> match) => arrivals.FirstOrDefault(a => match(a.Line)).At;
            bool IsStep(string line, string step) => line.Contains("\"ATTEMPT_STEP\"", StringComparison.Ordinal) && line.Contains($"\"step\":\"{step}\"", StringComparison.Ordinal);
            var started = At(l => IsStep(l, "started"));
            var downloaded = At(l => IsStep(l, "downloaded"));
            var probed = At(l => IsStep(l, "probed"));
            var planned = At(l => IsStep(l, "planned"));
            var exited = At(l => l.Contains("\"ffmpeg_duration_ms\"", StringComparison.Ordinal));
            var completed = At(l => l.Contains("\"BATCH_JOB_COMPLETED\"", StringComparison.Ordinal));
            return
            [
                ("start_to_attempt", started.TotalSeconds),
                ("download", (downloaded - started).TotalSeconds),
                ("probe", (probed - downloaded).TotalSeconds),
                ("plan", (planned - probed).TotalSeconds),
                ("plan_to_ffmpeg", (exited - ffmpeg - planned).TotalSeconds),
                ("ffmpeg", ffmpeg.TotalSeconds),
                ("ffmpeg_exit_to_completed", (completed - exited).TotalSeconds),
                ("completed_to_exit", (end - completed).TotalSeconds),
            ];
        }
    }

    /// <summary>A killed attempt and the resumed one: both together, the first's wall time, and the second as a worker run.</summary>
    private sealed record ResumedRun(Measurement Total, TimeSpan First, WorkerRun Second);

    private sealed class Results
    {
        private readonly Dictionary<string, List<double>> _values = [];

        public void Add(string name, Measurement measurement)
        {
            Record(name, measurement.Elapsed.TotalSeconds);
            Record(name + "_cpu", measurement.TreeCpu.TotalSeconds);
        }

        /// <param name="baseline">An older build of the worker, run for the upload tail: its memory is not this worker's.</param>
        public void AddWorker(string name, WorkerRun run, bool baseline = false)
        {
            Add(name, run.Measurement);
            Record(name + "_ffmpeg", run.Ffmpeg.TotalSeconds);
            Record(name + "_tail", run.UploadTail.TotalSeconds);
            if (!baseline || name.StartsWith("baseline_", StringComparison.Ordinal))
            {
                Record(baseline ? "baseline_worker_rss" : "worker_rss", run.Measurement.PeakRssBytes);
            }

            if (name == "baseline_worker_motion")
            {
                Record("baseline_worker_self_cpu", run.Measurement.SelfCpu.TotalSeconds);
            }

            RecordTimeline(name, run);
            if (name == "worker_motion")
            {
                Record("worker_self_cpu", run.Measurement.SelfCpu.TotalSeconds);
                Record("worker_cpu_during_encode", run.CpuDuringEncode.TotalSeconds);
                Record("worker_child_cpu", (run.Measurement.TreeCpu - run.Measurement.SelfCpu).TotalSeconds);
            }
        }

        public void RecordTimeline(string name, WorkerRun run)
        {
            foreach (var (part, seconds) in run.Timeline)
            {
                Record($"{name}.{part}", seconds);
                if (!TimelineParts.Contains(part))
                {
                    TimelineParts.Add(part);
                }
            }
        }

        public List<string> TimelineParts { get; } = [];

        public double Last(string name) => _values[name][^1];

        public IReadOnlyList<double> All(string name) => _values.GetValueOrDefault(name) ?? [];

        public double Median(string name)
        {
            var sorted = All(name).Order().ToList();
            return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        }

        public double Max(string name) => All(name).DefaultIfEmpty(double.NaN).Max();

        public double Ratio(string numerator, string denominator) => Median(numerator) / Median(denominator);

        public void Record(string name, double value)
        {
            if (!_values.TryGetValue(name, out var list))
            {
                _values[name] = list = [];
            }

            list.Add(value);
        }
    }
}
