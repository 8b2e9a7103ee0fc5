using System.Text.Json;
using Academy.Video.Application.Storage;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using Academy.Video.IntegrationTests.Media;
using Microsoft.Extensions.DependencyInjection;

namespace Academy.Video.IntegrationTests.Deployment;

/// <summary>
/// The worker image as Batch runs it (<c>&lt;image&gt; &lt;job_id&gt;</c>), built from the repository's
/// Dockerfile on a local base: a real job with real FFmpeg against the test PostgreSQL and s3rver.
/// Skipped, with the reason, only where no Docker engine can start.
/// </summary>
public sealed class WorkerImageTests(WorkerImageBed bed) : IClassFixture<WorkerImageBed>
{
    [SkippableFact]
    public async Task A_job_runs_to_READY_in_the_container_and_a_rerun_exits_0_idempotently()
    {
        SkipWithoutDocker();
        var (videoId, jobId) = await bed.QueueJobAsync(TestClips.Generate(640, 360, 3));

        var first = await bed.RunWorkerAsync(jobId.ToString());
        var second = await bed.RunWorkerAsync(jobId.ToString());

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(["BATCH_PROCESS_START", "BATCH_JOB_COMPLETED"], Events(first).Where(name => name is "BATCH_PROCESS_START" or "BATCH_JOB_COMPLETED"));
        var video = await bed.Video(videoId);
        Assert.Equal(VideoStatus.Ready, video.Status);
        Assert.Equal(StorageKeys.HlsPrefix(videoId, jobId, 1) + "master.m3u8", video.HlsPath);
        Assert.Equal(JobState.Succeeded, (await bed.Job(jobId)).State);
        var storage = bed.Services.GetRequiredService<IObjectStorage>();
        var published = new List<StoredObject>();
        await foreach (var stored in storage.ListAsync(StorageKeys.HlsPrefix(videoId, jobId, 1), default))
        {
            published.Add(stored);
        }

        Assert.Contains(published, stored => stored.Key == video.HlsPath && stored.SizeBytes > 0);
        Assert.Contains(published, stored => stored.Key.EndsWith(".ts", StringComparison.Ordinal) && stored.SizeBytes > 0);

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("IDEMPOTENT_DONE", Events(second));
        Assert.DoesNotContain("BATCH_PROCESS_START", Events(second));
    }

    [SkippableFact]
    public async Task A_bad_job_id_exits_1_with_INVALID_JOB_ID_and_an_unknown_one_with_JOB_NOT_FOUND()
    {
        SkipWithoutDocker();

        var malformed = await bed.RunWorkerAsync("not-a-job-id");
        var unknown = await bed.RunWorkerAsync(Guid.NewGuid().ToString());

        Assert.True(malformed.ExitCode == 1, malformed.ToString());
        Assert.Equal(["INVALID_JOB_ID"], Events(malformed));
        Assert.True(unknown.ExitCode == 1, unknown.ToString());
        Assert.Contains("JOB_NOT_FOUND", Events(unknown));
    }

    [SkippableFact]
    public async Task The_image_runs_the_worker_as_a_non_root_user_with_ffmpeg_and_takes_the_job_id_as_its_command()
    {
        SkipWithoutDocker();

        var inspect = await DockerCli.DockerAsync(["image", "inspect", WorkerImageBed.Image, "--format", "{{json .Config}}"], TimeSpan.FromMinutes(1));
        var inside = await DockerCli.DockerAsync(
            ["run", "--rm", "--entrypoint", "sh", WorkerImageBed.Image, "-c", "id -u; command -v ffmpeg; command -v ffprobe"], TimeSpan.FromMinutes(1));

        using var config = JsonDocument.Parse(inspect.StandardOutput);
        Assert.Equal(["/app/Academy.Video.Worker"], config.RootElement.GetProperty("Entrypoint").EnumerateArray().Select(part => part.GetString()));
        Assert.True(!config.RootElement.TryGetProperty("Cmd", out var command) || command.ValueKind == JsonValueKind.Null, "the image must have no CMD: Batch's command is the job id");
        Assert.Equal("app", config.RootElement.GetProperty("User").GetString());
        Assert.True(inside.ExitCode == 0, inside.ToString());
        Assert.Equal(["1654", "/usr/bin/ffmpeg", "/usr/bin/ffprobe"], inside.OutputLines);
    }

    /// <summary>Every line the container writes to stdout is one JSON object; the names of those with an event.</summary>
    private static List<string> Events(DockerCli.Result run)
    {
        var events = new List<string>();
        foreach (var line in run.OutputLines)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line);
            }
            catch (JsonException)
            {
                throw new Xunit.Sdk.XunitException($"The container wrote a line to stdout that is not JSON: {line}\n{run}");
            }

            using var parsed = document;
            Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
            if (document.RootElement.TryGetProperty("event", out var name))
            {
                events.Add(name.GetString()!);
            }
        }

        return events;
    }

    private void SkipWithoutDocker() => Skip.If(bed.DockerUnavailable is not null, bed.DockerUnavailable);
}
