using Academy.Video.Bench.Api;
using Academy.Video.Bench.Encode;
using Academy.Video.Bench.Persistence;
using Academy.Video.Bench.Playable;
using Academy.Video.Bench.Search;
using Academy.Video.Bench.Worker;

return args switch
{
    ["api", ..] => await ApiBenchmark.RunAsync(args[1..]),
    ["search", ..] => await SearchBenchmark.RunAsync(args[1..]),
    ["persistence", ..] => await PersistenceBenchmark.RunAsync(args[1..]),
    ["worker", ..] => await WorkerBenchmark.RunAsync(args[1..]),
    ["encode", ..] => await EncodeBenchmark.RunAsync(args[1..]),
    ["overhead", ..] => await OverheadBenchmark.RunAsync(args[1..]),
    ["memory", ..] => await EncodeBenchmark.MemoryAsync(args[1..]),
    ["lecture", ..] => await LoudnessBenchmark.RunAsync(args[1..]) is var loudness and not 0 ? loudness : await SlidesBenchmark.RunAsync(args[1..]),
    ["downloads", ..] => await DownloadsBenchmark.RunAsync(args[1..]),
    ["chapters", ..] => await ChaptersBenchmark.RunAsync(args[1..]),
    ["playable", ..] => await PlayableBenchmark.RunAsync(args[1..]),
    ["slides", ..] => await SlidesBenchmark.RunAsync(args[1..]),
    ["source-download", ..] => await SourceDownloadBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.WriteLine("usage: dotnet run -c Release --project bench/Academy.Video.Bench -- <benchmark>");
    Console.WriteLine("  api [--videos N] [--seconds S] [--api-dll PATH]  the API on N seeded videos (default 1,000,000) driven by wrk: get, list, search, create, flow");
    Console.WriteLine("  search [--lectures N] [--compare]  transcript search over N seeded one-hour lectures (default 10,000: 9M cues) driven by wrk; --compare times trigram vs full text");
    Console.WriteLine("  persistence   recovery scan, backlog and queue throughput on PostgreSQL (build/postgres.sh start first)");
    Console.WriteLine("  worker [seconds]  a 1080p30 source through the worker vs the same ffmpeg command vs one run per rung");
    Console.WriteLine("  encode [seconds] [rounds]  the encoder's figures: worker vs ffmpeg vs per-rung, fast path, CRF bytes and SSIM, resume");
    Console.WriteLine("  overhead [seconds] [rounds]  the worker's own CPU and wall time around its ffmpeg (ACADEMY_BENCH_BASELINE_WORKER_DLL: compare an older build)");
    Console.WriteLine("  lecture [seconds]  even loudness: a quiet and a loud lecture through the worker, the published audio's LUFS and true peak; then chapters; then the slides profile: a slide and a camera lecture encoded with it on and off, bytes and SSIM per rung");
    Console.WriteLine("  chapters [--no-worker]  the chapters part of lecture alone: slide changes found on a generated 20-slide and a camera lecture through the worker, vs ffmpeg's scene score");
    Console.WriteLine("  downloads [seconds] [rounds]  a lecture through the worker with Transcoding:Downloads on and off: the remux's time and the bytes it adds");
    Console.WriteLine("  playable [minutes] [rounds]  first playable through the API and the real worker: upload-complete to a first segment that decodes, fast path and encoded");
    Console.WriteLine("  slides [seconds]  the slides profile alone (part of lecture)");
    Console.WriteLine("  source-download [MiB] [rounds]  a source from s3rver through the storage adapter's ranged GETs vs one GET, alternating");
    Console.WriteLine("  memory [seconds] [times]  the worker's peak RSS on a lecture and on it repeated [times] over, local and s3rver");
    return 2;
}
