using System.Diagnostics;
using System.Globalization;
using Academy.Video.Infrastructure.Storage;
using Amazon.Runtime;
using Amazon.S3;
using Microsoft.Extensions.Options;

namespace Academy.Video.Bench.Worker;

/// <summary>
/// A source brought down from the shared s3rver (docs/operations.md, "Source download"): the storage adapter's ranged
/// GETs (<c>Storage:S3:PartSizeBytes</c>, <c>Storage:S3:UploadParallelism</c> at once, the defaults) against one GET
/// streamed to a file, as the adapter did before. Rounds alternate the two; medians. Loopback to a Node server on the
/// same cores says what the ranges cost here, not what they gain from R2 over a network.
/// </summary>
public static class SourceDownloadBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length > 2
            || !int.TryParse(args.ElementAtOrDefault(0) ?? "1024", CultureInfo.InvariantCulture, out var mebibytes) || mebibytes < 1
            || !int.TryParse(args.ElementAtOrDefault(1) ?? "3", CultureInfo.InvariantCulture, out var rounds) || rounds < 1)
        {
            Console.WriteLine("usage: ... -- source-download [MiB (1024)] [rounds (3)]");
            return 2;
        }

        var options = new S3StorageOptions
        {
            ServiceUrl = $"http://127.0.0.1:{Environment.GetEnvironmentVariable("ACADEMY_S3_PORT") ?? "54569"}",
            Bucket = Environment.GetEnvironmentVariable("ACADEMY_S3_BUCKET") ?? "academy-video",
            AccessKey = "S3RVER",
            SecretKey = "S3RVER",
        };
        using var storage = new S3ObjectStorage(Options.Create(options), TimeProvider.System);
        using var client = new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), new AmazonS3Config
        {
            ServiceURL = options.ServiceUrl,
            ForcePathStyle = true,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });

        var work = Directory.CreateTempSubdirectory("academy-bench-source-download-");
        var key = $"bench/source-download/{Guid.NewGuid():N}/original.mp4";
        try
        {
            var source = Path.Combine(work.FullName, "source.bin");
            await using (var file = File.Create(source))
            {
                var block = new byte[1024 * 1024];
                var random = new Random(42);
                for (var i = 0; i < mebibytes; i++)
                {
                    random.NextBytes(block);
                    await file.WriteAsync(block);
                }
            }

            await storage.UploadFileAsync(source, key, "video/mp4", CancellationToken.None);
            Console.WriteLine($"RESULT mebibytes {mebibytes}");
            Console.WriteLine($"INFO part {options.PartSizeBytes / 1048576} MiB, {options.UploadParallelism} at once; {rounds} interleaved rounds");

            var times = new Dictionary<string, List<double>> { ["single"] = [], ["ranged"] = [] };
            var target = Path.Combine(work.FullName, "downloaded.bin");
            for (var round = 1; round <= rounds; round++)
            {
                foreach (var way in round % 2 == 1 ? new[] { "single", "ranged" } : ["ranged", "single"])
                {
                    File.Delete(target);
                    var clock = Stopwatch.StartNew();
                    if (way == "ranged")
                    {
                        await storage.DownloadToFileAsync(key, target, CancellationToken.None);
                    }
                    else
                    {
                        using var response = await client.GetObjectAsync(options.Bucket, key);
                        await using var file = File.Create(target);
                        await response.ResponseStream.CopyToAsync(file, 1024 * 1024);
                    }

                    var seconds = clock.Elapsed.TotalSeconds;
                    if (new FileInfo(target).Length != mebibytes * 1048576L)
                    {
                        throw new InvalidOperationException($"{way}: {new FileInfo(target).Length} bytes came down, not {mebibytes * 1048576L}");
                    }

                    times[way].Add(seconds);
                    Console.WriteLine($"INFO round {round} {way}: {seconds:F2} s ({mebibytes / seconds:F0} MiB/s); load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
                }
            }

            double Median(string way) => times[way].Order().ElementAt(times[way].Count / 2);
            Console.WriteLine($"RESULT download_single_s {Median("single"):F2}");
            Console.WriteLine($"RESULT download_ranged_s {Median("ranged"):F2}");
            Console.WriteLine($"RESULT download_ranged_over_single {Median("ranged") / Median("single"):F3}");
        }
        finally
        {
            await storage.DeletePrefixAsync(key[..(key.LastIndexOf('/') + 1)], CancellationToken.None);
            work.Delete(recursive: true);
        }

        return 0;
    }
}
