using System.Diagnostics;
using System.Globalization;
using Academy.Video.Infrastructure.Runners.Local;
using Academy.Video.IntegrationTests.Media;
using Academy.Video.IntegrationTests.Worker;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Academy.Video.IntegrationTests.Runners;

/// <summary>
/// The local runner with the real worker binary, real FFmpeg, the test database and local storage: the worker
/// SIGKILLed mid-encode takes its ffmpeg and its work folder with it.
/// </summary>
public sealed class LocalRunnerWorkerTests(WorkerTestBed bed, ITestOutputHelper output) : IClassFixture<WorkerTestBed>
{
    private static readonly TimeSpan EncodeLimit = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task A_worker_SIGKILLed_mid_encode_takes_its_ffmpeg_and_its_work_folder_with_it()
    {
        var (_, jobId) = await bed.QueueJobAsync(TestClips.Generate(1920, 1080, 30));
        var options = new LocalRunnerOptions
        {
            Command = "dotnet",
            LogDirectory = Path.Combine(bed.Root, "runner-logs"),
            WorkDirectory = Path.Combine(bed.Root, "runner-work"),
        };
        options.Arguments.Add(WorkerProcess.WorkerDll);
        foreach (var (name, value) in bed.WorkerEnvironment().Where(v => !LocalProcessJobRunner.PerAttemptVariables.Contains(v.Key)))
        {
            options.Environment[name] = value;
        }

        await using var runner = new LocalProcessJobRunner(Options.Create(options), TimeProvider.System, NullLogger<LocalProcessJobRunner>.Instance);
        var runnerJobId = await runner.SubmitAsync(jobId, "video-real-worker", CancellationToken.None);
        var workspace = Path.Combine(options.WorkDirectory, runnerJobId);

        // Mid-encode: ffmpeg runs with its output in the attempt's workspace and has written a segment.
        ProcessEntry? ffmpeg = null;
        await LocalRunnerTestKit.WaitUntilAsync(
            () => (ffmpeg = ProcessTable.All().FirstOrDefault(p => p.Name == "ffmpeg" && p.CommandLine.Contains(workspace, StringComparison.Ordinal))) is not null
                && Directory.Exists(workspace)
                && Directory.EnumerateFiles(workspace, "*.ts", SearchOption.AllDirectories).Any(),
            "ffmpeg to write its first segment",
            EncodeLimit);
        var worker = ProcessTable.Find(ffmpeg!.ProcessGroupId)!;
        Assert.Contains(jobId.ToString(), worker.CommandLine, StringComparison.Ordinal); // ffmpeg is in the worker's group
        Assert.Contains(WorkerProcess.WorkerDll, worker.CommandLine, StringComparison.Ordinal);

        var clock = Stopwatch.StartNew();
        using (var kill = Process.Start("kill", ["-KILL", worker.ProcessId.ToString(CultureInfo.InvariantCulture)])!)
        {
            await kill.WaitForExitAsync();
        }

        var status = await LocalRunnerTestKit.WaitForEndAsync(runner, runnerJobId);
        output.WriteLine($"worker {worker.ProcessId} SIGKILLed; group gone and workspace removed after {clock.ElapsedMilliseconds} ms (reported, not asserted)");

        Assert.Equal(("FAILED", 128 + 9), (status.Status, status.ExitCode));
        Assert.False(ProcessTable.IsAlive(ffmpeg.ProcessId), $"ffmpeg {ffmpeg.ProcessId} outlived its SIGKILLed worker");
        Assert.Empty(ProcessTable.LiveInGroup(worker.ProcessId));
        Assert.False(Directory.Exists(workspace), "the killed attempt's work folder was left on disk");
        Assert.Contains("BATCH_PROCESS_START", await File.ReadAllTextAsync(status.LogStreamName!), StringComparison.Ordinal);
    }
}
