using System.Diagnostics;
using Academy.Video.Application.Jobs;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using Academy.Video.IntegrationTests.Media;
using Academy.Video.IntegrationTests.Transcoding;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Academy.Video.IntegrationTests.Worker;

/// <summary>The worker binary end to end: real Postgres, real local storage, real FFmpeg, real signals.</summary>
public sealed class WorkerProcessTests(WorkerTestBed bed) : IClassFixture<WorkerTestBed>
{
    [Fact]
    public async Task A_job_becomes_a_published_ladder_and_a_second_run_exits_0_with_IDEMPOTENT_DONE()
    {
        var source = TestClips.Generate(854, 480, 4);
        var (videoId, jobId) = await bed.QueueJobAsync(source);
        var environment = new Dictionary<string, string>(bed.WorkerEnvironment()) { ["VIDEO_JOB_ID"] = jobId.ToString() };

        using var first = await WorkerProcess.RunAsync([], environment);
        using var second = await WorkerProcess.RunAsync([jobId.ToString()], bed.WorkerEnvironment());

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Equal(["BATCH_PROCESS_START", "BATCH_JOB_COMPLETED"], first.EventNames.Where(e => e.StartsWith("BATCH_", StringComparison.Ordinal) && e != "BATCH_PHASE"));
        Assert.All(first.Events.Where(e => e.TryGetProperty("event", out _)), e => Assert.Equal(jobId.ToString(), e.GetProperty("job_id").GetString()));
        var video = await bed.Video(videoId);
        Assert.Equal(VideoStatus.Ready, video.Status);
        Assert.Equal(StorageKeys.HlsPrefix(videoId, jobId, 1) + "master.m3u8", video.HlsPath);
        var job = await bed.Job(jobId);
        Assert.Equal((JobState.Succeeded, 1, 100), (job.State, job.AttemptCount, job.ProgressPercent));
        AssertPlayableLadder(Path.Combine(bed.StorageRoot, video.HlsPath!), expectedVariants: 2, sourceSeconds: 4);

        Assert.Equal(0, second.ExitCode);
        Assert.Contains("IDEMPOTENT_DONE", second.EventNames);
        Assert.DoesNotContain("BATCH_PROCESS_START", second.EventNames);
        Assert.Single(await bed.Attempts(jobId));
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    public async Task A_malformed_job_id_is_a_clear_error_and_exit_1(string argument)
    {
        using var worker = await WorkerProcess.RunAsync([argument], bed.WorkerEnvironment());

        Assert.Equal(1, worker.ExitCode);
        Assert.Equal(["INVALID_JOB_ID"], worker.EventNames);
    }

    [Fact]
    public async Task No_job_id_at_all_is_a_clear_error_and_exit_1()
    {
        using var worker = await WorkerProcess.RunAsync([], bed.WorkerEnvironment());

        Assert.Equal(1, worker.ExitCode);
        Assert.Contains("VIDEO_JOB_ID", worker.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_database_is_a_logged_failure_and_exit_1_not_a_crash()
    {
        var environment = new Dictionary<string, string>(bed.WorkerEnvironment())
        {
            ["ConnectionStrings__Postgres"] = "Host=127.0.0.1;Port=1;Username=postgres;Database=none;Timeout=2",
        };

        using var worker = await WorkerProcess.RunAsync([Guid.NewGuid().ToString()], environment);

        Assert.Equal(1, worker.ExitCode);
        Assert.Contains("BATCH_JOB_FAILED", worker.EventNames);
    }

    [Fact]
    public async Task An_unknown_job_logs_JOB_NOT_FOUND_and_exits_1()
    {
        using var worker = await WorkerProcess.RunAsync([Guid.NewGuid().ToString()], bed.WorkerEnvironment());

        Assert.Equal(1, worker.ExitCode);
        Assert.Contains("JOB_NOT_FOUND", worker.EventNames);
    }

    [Fact]
    public async Task A_source_that_is_not_a_video_fails_permanently_and_is_never_retried()
    {
        var (videoId, jobId) = await bed.QueueJobAsync(TestClips.RandomBytes());

        using var worker = await WorkerProcess.RunAsync([jobId.ToString()], bed.WorkerEnvironment());

        Assert.Equal(1, worker.ExitCode);
        Assert.Contains("BATCH_JOB_FAILED", worker.EventNames);
        var job = await bed.Job(jobId);
        Assert.Equal((JobState.Failed, JobErrorCodes.SourceUndecodable), (job.State, job.ErrorCode));
        Assert.Equal(VideoStatus.Failed, (await bed.Video(videoId)).Status);
        Assert.Equal(RecoveryActionKind.None, RecoveryDecision.Decide(job, VideoStatus.Failed, DateTimeOffset.UtcNow.AddDays(1), JobPolicy.Default).Kind);
    }

    [Fact]
    public async Task SIGTERM_mid_encode_stops_ffmpeg_releases_the_attempt_to_RETRY_WAIT_and_exits_1()
    {
        var (_, jobId) = await bed.QueueJobAsync(TestClips.Generate(1920, 1080, 30));
        using var worker = WorkerProcess.Start([jobId.ToString()], bed.WorkerEnvironment());
        await bed.WaitUntilAsync(async () => (await bed.Job(jobId)).ProgressPercent > 0, TimeSpan.FromMinutes(3), "the encode reports progress");

        worker.SendSigterm();
        var exitCode = await worker.WaitAsync();

        Assert.Equal(1, exitCode);
        var job = await bed.Job(jobId);
        Assert.Equal((JobState.RetryWait, JobErrorCodes.Cancelled), (job.State, job.ErrorCode));
        Assert.Equal(JobState.RetryWait, Assert.Single(await bed.Attempts(jobId)).Outcome);
        Assert.Empty(FfmpegProcessesFor(jobId));
    }

    [Fact]
    public async Task A_worker_whose_attempt_was_taken_away_stops_within_a_heartbeat_and_leaves_state_alone()
    {
        var (_, jobId) = await bed.QueueJobAsync(TestClips.Generate(1920, 1080, 30));
        using var worker = WorkerProcess.Start([jobId.ToString()], bed.WorkerEnvironment(heartbeat: TimeSpan.FromSeconds(1)));
        await bed.WaitUntilAsync(async () => (await bed.Job(jobId)).ProgressPercent > 0, TimeSpan.FromMinutes(3), "the encode reports progress");

        // What the recovery scan does to an attempt it believes dead.
        var running = await bed.Job(jobId);
        var released = running.MarkStuck(DateTimeOffset.UtcNow, JobPolicy.Default);
        Assert.NotNull(await bed.Services.GetRequiredService<ITranscodeJobStore>().TryTransitionAsync(released, default));
        var exitCode = await worker.WaitAsync();

        Assert.Equal(1, exitCode);
        Assert.Contains("ATTEMPT_SUPERSEDED", worker.EventNames);
        var job = await bed.Job(jobId);
        Assert.Equal((JobState.RetryWait, JobErrorCodes.HeartbeatTimeout, 1), (job.State, job.ErrorCode, job.AttemptCount));
        Assert.Empty(FfmpegProcessesFor(jobId));
    }

    [Fact]
    public async Task A_one_pixel_wide_source_is_FAILED_at_the_first_attempt_never_retried()
    {
        var (videoId, jobId) = await bed.QueueJobAsync(TestClips.OnePixelWide(2));

        using var worker = await WorkerProcess.RunAsync([jobId.ToString()], bed.WorkerEnvironment());

        Assert.Equal(1, worker.ExitCode);
        var job = await bed.Job(jobId);
        Assert.Equal((JobState.Failed, JobErrorCodes.SourceDimensionsUnsupported, 1), (job.State, job.ErrorCode, job.AttemptCount));
        Assert.Contains("1x240", job.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(VideoStatus.Failed, (await bed.Video(videoId)).Status);
        Assert.Single(await bed.Attempts(jobId));
        Assert.Equal(RecoveryActionKind.None, RecoveryDecision.Decide(job, VideoStatus.Failed, DateTimeOffset.UtcNow.AddDays(1), JobPolicy.Default).Kind);
    }

    [Theory]
    [InlineData("Worker__UploadParallelism", "0", "UploadParallelism")]
    [InlineData("Worker__HeartbeatInterval", "00:05:00", "HeartbeatInterval")]
    [InlineData("Jobs__MaxAttempts", "0", "MaxAttempts")]
    public async Task Settings_that_cannot_work_exit_1_with_the_reason_before_the_job_is_touched(string variable, string value, string named)
    {
        var (_, jobId) = await bed.QueueJobAsync(TestClips.Generate(320, 240, 1));
        var before = await bed.Job(jobId);
        var environment = new Dictionary<string, string>(bed.WorkerEnvironment()) { [variable] = value };

        using var worker = await WorkerProcess.RunAsync([jobId.ToString()], environment);

        Assert.Equal(1, worker.ExitCode);
        var invalid = Assert.Single(worker.Events, e => e.TryGetProperty("event", out var name) && name.GetString() == "INVALID_SETTINGS");
        Assert.Contains(named, invalid.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await bed.Job(jobId));
        Assert.Empty(await bed.Attempts(jobId));
    }

    [Fact]
    public async Task A_worker_that_finds_its_waiting_job_s_video_being_deleted_ends_the_job_and_exits_0()
    {
        var (videoId, jobId) = await bed.QueueJobAsync(TestClips.Generate(320, 240, 1));
        // What the old two-write deletion could leave behind: the video DELETING, its job still QUEUED.
        await using (var connection = await bed.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE videos SET status = 'DELETING' WHERE id = @videoId", new { videoId });
        }

        using var worker = await WorkerProcess.RunAsync([jobId.ToString()], bed.WorkerEnvironment());

        Assert.True(worker.ExitCode == 0, worker.Output);
        Assert.Contains("JOB_NOT_RUNNABLE", worker.EventNames);
        Assert.DoesNotContain("BATCH_PROCESS_START", worker.EventNames);
        var job = await bed.Job(jobId);
        Assert.Equal((JobState.Failed, JobErrorCodes.VideoDeleted, 0), (job.State, job.ErrorCode, job.AttemptCount));
    }

    private static List<int> FfmpegProcessesFor(Guid jobId) =>
        Process.GetProcessesByName("ffmpeg")
            .Where(p => File.ReadAllText($"/proc/{p.Id}/cmdline").Contains(jobId.ToString("N"), StringComparison.Ordinal))
            .Select(p => p.Id)
            .ToList();

    /// <summary>
    /// Every variant parses, every segment exists, and the duration matches the source within 0.5 s; the video variants,
    /// then the audio-only one last.
    /// </summary>
    private static void AssertPlayableLadder(string masterPath, int expectedVariants, double sourceSeconds)
    {
        var master = File.ReadAllLines(masterPath);
        var variants = master.Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Equal(expectedVariants + 1, variants.Count);
        Assert.Equal("audio/index.m3u8", variants[^1]);
        Assert.Equal(expectedVariants, master.Count(l => l.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal) && l.Contains("BANDWIDTH=", StringComparison.Ordinal) && l.Contains("RESOLUTION=", StringComparison.Ordinal)));
        Assert.Single(master, l => l.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal) && l.EndsWith("CODECS=\"mp4a.40.2\"", StringComparison.Ordinal));
        foreach (var variant in variants)
        {
            var playlist = Path.Combine(Path.GetDirectoryName(masterPath)!, variant);
            var segments = File.ReadAllLines(playlist).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
            Assert.NotEmpty(segments);
            Assert.All(segments, s => Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(playlist)!, s)), s));
            Assert.InRange(Ffprobe.DurationSeconds(playlist), sourceSeconds - 0.5, sourceSeconds + 0.5);
        }
    }
}
