using Academy.Video.Bench.Persistence;
using Academy.Video.Bench.Worker;

return args switch
{
    ["persistence", ..] => await PersistenceBenchmark.RunAsync(args[1..]),
    ["worker", ..] => await WorkerBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.WriteLine("usage: dotnet run -c Release --project bench/Academy.Video.Bench -- <benchmark>");
    Console.WriteLine("  persistence   recovery scan, backlog and queue throughput on PostgreSQL (build/postgres.sh start first)");
    Console.WriteLine("  worker [seconds]  a 1080p30 source through the worker vs the same ffmpeg command vs one run per rung");
    return 2;
}
