using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using Academy.Video.Infrastructure.Persistence;
using Npgsql;

namespace Academy.Video.IntegrationTests.Persistence;

/// <summary>The adapters over one database, plus steps that drive a job through the real stores.</summary>
internal sealed class PersistenceScenario(NpgsqlDataSource dataSource)
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    public PostgresVideoStore Videos { get; } = new(dataSource);
    public PostgresTranscodeJobStore Jobs { get; } = new(dataSource);
    public PostgresRecoveryScanStore Recovery { get; } = new(dataSource);
    public PostgresStorageCleanupQueue Cleanups { get; } = new(dataSource);
    public PostgresExclusiveRunLock Locks { get; } = new(dataSource);
    public NpgsqlDataSource DataSource { get; } = dataSource;

    public async Task<LectureVideo> AddVideoAsync(DateTimeOffset at)
    {
        var video = LectureVideo.Create(Guid.NewGuid(), "Linear algebra 1", "lecture.mp4", "video/mp4", at);
        await Videos.AddAsync(video, CancellationToken.None);
        return video;
    }

    /// <summary>A video whose upload completed: UPLOADED with a QUEUED job.</summary>
    public async Task<(LectureVideo Video, TranscodeJob Job)> QueueAsync(DateTimeOffset at)
    {
        var video = await AddVideoAsync(at);
        var queue = video.CompleteUpload(Guid.NewGuid(), 4_096, at)!;
        Assert.True(await Videos.TryQueueJobAsync(queue, CancellationToken.None));
        return (queue.Video.ApplyTo(video), queue.Job);
    }

    /// <summary>Applies a transition that must win, checks the stored row is exactly the domain's ApplyTo, returns it.</summary>
    public async Task<TranscodeJob> ApplyAsync(TranscodeJob job, JobTransition transition)
    {
        Assert.True(await Jobs.TryTransitionAsync(transition, CancellationToken.None));
        var stored = await Jobs.FindAsync(job.Id, CancellationToken.None);
        Assert.Equal(transition.ApplyTo(job), stored);
        return stored!;
    }

    public async Task<TranscodeJob> SubmitAsync(TranscodeJob job, string batchJobId, DateTimeOffset at)
    {
        Assert.True(await Jobs.TryRecordSubmissionAsync(job.RecordSubmission(batchJobId, at), CancellationToken.None));
        return (await Jobs.FindAsync(job.Id, CancellationToken.None))!;
    }

    /// <summary>A job RUNNING its first attempt, started (last heartbeat) at <paramref name="startedAt"/>.</summary>
    public async Task<(LectureVideo Video, TranscodeJob Job)> RunningAsync(DateTimeOffset startedAt)
    {
        var (video, job) = await QueueAsync(startedAt);
        job = await SubmitAsync(job, $"batch-{job.Id:N}", startedAt);
        job = await ApplyAsync(job, job.Start(startedAt));
        return (video, job);
    }
}
