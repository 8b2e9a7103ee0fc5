using Academy.Video.Testing;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using Academy.Video.Infrastructure.Persistence;
using Npgsql;

namespace Academy.Video.IntegrationTests.Persistence;

/// <summary>The adapters over one database, plus steps that drive a job through the real stores.</summary>
internal sealed class PersistenceScenario(NpgsqlDataSource dataSource)
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    public PostgresVideoStore Videos { get; } = new(dataSource, NamedPipelines.Postgres);
    public PostgresTranscodeJobStore Jobs { get; } = new(dataSource, NamedPipelines.Postgres);
    public PostgresRecoveryScanStore Recovery { get; } = new(dataSource, NamedPipelines.Postgres);
    public PostgresStorageCleanupQueue Cleanups { get; } = new(dataSource, NamedPipelines.Postgres);
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
        var queued = await Videos.TryQueueJobAsync(((UploadCompletion.Queue)video.CompleteUpload(Guid.NewGuid(), new StoredSource(4_096), TimeSpan.FromDays(3650), at)).Job, CancellationToken.None);
        Assert.NotNull(queued);
        return (queued.Video, queued.Job);
    }

    /// <summary>Applies a transition that must win, checks the row it returned is the row stored, returns it.</summary>
    public async Task<TranscodeJob> ApplyAsync(TranscodeJob job, JobTransition transition)
    {
        var written = await Jobs.TryTransitionAsync(transition, CancellationToken.None);
        Assert.NotNull(written);
        Assert.Equal(written, await Jobs.FindAsync(job.Id, CancellationToken.None));
        return written;
    }

    public async Task<TranscodeJob> SubmitAsync(TranscodeJob job, string batchJobId, DateTimeOffset at)
    {
        var recorded = await Jobs.TryRecordSubmissionAsync(job.RecordSubmission(batchJobId, at), CancellationToken.None);
        Assert.NotNull(recorded);
        return recorded;
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
