using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Academy.Video.Application.Videos;
using Academy.Video.Bench.Common;
using Microsoft.Extensions.DependencyInjection;

namespace Academy.Video.Bench.Worker;

/// <summary>
/// Even loudness (docs/encoding.md, Loudness): a quiet (about −35 LUFS) and a loud (about −8 LUFS) lecture through the
/// worker binary, the published audio rendition measured by ffmpeg's ebur128 with true peak.
/// </summary>
public static partial class LoudnessBenchmark
{
    private const string DatabaseName = "academy_video_bench_loudness";

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args is [var s, ..] ? int.Parse(s, CultureInfo.InvariantCulture) : 60;
        var root = Path.Combine(Academy.Video.Testing.RepositoryLayout.Root, ".local", "bench-loudness");
        Directory.CreateDirectory(root);
        await using var rig = await WorkerRig.CreateAsync(DatabaseName, root, ChaptersBenchmark.Storage(root));
        var peaks = new List<double>();
        foreach (var (name, audio) in new[]
        {
            ("quiet", "anoisesrc=color=pink:sample_rate=48000:amplitude=1:seed=7,volume=-20dB"),
            ("loud", "sine=frequency=1000:sample_rate=48000,volume=13dB"),
        })
        {
            var source = Path.Combine(root, $"{name}-{seconds}s.mp4");
            if (!File.Exists(source))
            {
                await ProcessMeasure.RunCheckedAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", $"testsrc2=size=1280x720:rate=30:duration={seconds}",
                    "-f", "lavfi", "-i", $"{audio},atrim=duration={seconds}",
                    "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", "-shortest", source]);
            }

            var (sourceI, sourcePeak) = Ebur128(source);
            var jobId = await rig.QueueAsync(source);
            var worker = await rig.RunWorkerAsync(jobId);
            var job = await rig.JobAsync(jobId);
            if (worker.ExitCode != 0)
            {
                Console.WriteLine($"the worker exited {worker.ExitCode} on the {name} source");
                return 1;
            }

            await using var scope = rig.Services.CreateAsyncScope();
            var video = await scope.ServiceProvider.GetRequiredService<IVideoStore>().FindAsync(job.VideoId, default);
            var audioPlaylist = Path.Combine(root, "storage", Path.GetDirectoryName(video!.HlsPath!)!, "audio", "index.m3u8");
            var (outputI, outputPeak) = Ebur128(audioPlaylist);
            peaks.Add(outputPeak);
            Console.WriteLine($"{name}: source {sourceI:0.0} LUFS / {sourcePeak:0.0} dBTP -> published {outputI:0.0} LUFS / {outputPeak:0.0} dBTP; stored {job.Loudness?.Status} input_i {job.Loudness?.InputIntegrated}");
            Console.WriteLine(FormattableString.Invariant($"RESULT loudness_{name}_lufs {outputI:0.0}"));
        }

        Console.WriteLine(FormattableString.Invariant($"RESULT loudness_true_peak_dbtp {peaks.Max():0.0}"));
        return await ChaptersBenchmark.RunAsync(Path.Combine(root, "chapters"), rig);
    }

    private static (double Integrated, double TruePeak) Ebur128(string path)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-hide_banner", "-nostdin", "-nostats", "-i", path, "-vn", "-af", "ebur128=peak=true", "-f", "null", "-" })
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        var summary = stderr[stderr.LastIndexOf("Summary:", StringComparison.Ordinal)..];
        return (Figure(IntegratedLine().Match(summary)), Figure(PeakLine().Match(summary)));
    }

    private static double Figure(Match match) =>
        match.Groups[1].Value == "-inf" ? double.NegativeInfinity : double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"I:\s+(-?[\d.]+|-inf) LUFS")]
    private static partial Regex IntegratedLine();

    [GeneratedRegex(@"Peak:\s+(-?[\d.]+|-inf) dBFS")]
    private static partial Regex PeakLine();
}
