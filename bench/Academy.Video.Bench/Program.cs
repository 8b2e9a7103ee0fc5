using Academy.Video.Bench.Persistence;

return args switch
{
    ["persistence", ..] => await PersistenceBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.WriteLine("usage: dotnet run -c Release --project bench/Academy.Video.Bench -- <benchmark>");
    Console.WriteLine("  persistence   recovery scan, backlog and queue throughput on PostgreSQL (build/postgres.sh start first)");
    Console.WriteLine("Benchmarks: see bench/README.md.");
    return 2;
}
