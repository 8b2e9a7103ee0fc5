using Academy.Video.Application.Jobs;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using static Academy.Video.IntegrationTests.Persistence.PersistenceScenario;

namespace Academy.Video.IntegrationTests.Persistence;

/// <summary>PostgreSQL beyond the store contract (tests/Shared/StoreContract): the races, and the history over many attempts.</summary>
public sealed class PostgresTranscodeJobStoreTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly PersistenceScenario _db = new(database.DataSource);

    [Fact]
    public async Task The_fifth_transient_failure_is_dead_and_fails_the_video_with_five_attempts_on_record()
    {
        var (video, job) = await _db.RunningAsync(T0);
        var at = T0;
        for (var attempt = 1; attempt < JobPolicy.DefaultMaxAttempts; attempt++)
        {
            at = at.AddMinutes(5);
            job = await _db.ApplyAsync(job, job.Fail(JobError.Transient(JobErrorCodes.EncodeFailed, $"try {attempt}"), at, JobPolicy.Default));
            job = await _db.SubmitAsync(job, $"batch-{attempt + 1}", at.AddMinutes(1));
            job = await _db.ApplyAsync(job, job.Start(at.AddMinutes(2)));
        }

        var dead = await _db.ApplyAsync(job, job.Fail(JobError.Transient(JobErrorCodes.EncodeFailed, "try 5"), at.AddMinutes(3), JobPolicy.Default));

        Assert.Equal((JobState.Dead, 5), (dead.State, dead.AttemptCount));
        Assert.Equal(VideoStatus.Failed, (await _db.Videos.FindAsync(video.Id, None))!.Status);
        var attempts = await _db.Jobs.ListAttemptsAsync(job.Id, None);
        Assert.Equal([1, 2, 3, 4, 5], attempts.Select(a => a.Attempt));
        Assert.Equal(
            [JobState.RetryWait, JobState.RetryWait, JobState.RetryWait, JobState.RetryWait, JobState.Dead],
            attempts.Select(a => a.Outcome!.Value));
        Assert.Equal([$"batch-{job.Id:N}", "batch-2", "batch-3", "batch-4", "batch-5"], attempts.Select(a => a.BatchJobId));
        Assert.All(attempts, a => Assert.Equal(JobErrorCodes.EncodeFailed, a.ErrorCode));
    }

    [Fact]
    public async Task A_permanent_failure_fails_job_and_video_at_once()
    {
        var (video, job) = await _db.RunningAsync(T0);

        var failed = await _db.ApplyAsync(job, job.Fail(JobError.NoVideoStream(), T0.AddMinutes(1), JobPolicy.Default));

        Assert.Equal((JobState.Failed, JobErrorCodes.NoVideoStream), (failed.State, failed.ErrorCode));
        Assert.Equal(VideoStatus.Failed, (await _db.Videos.FindAsync(video.Id, None))!.Status);
        Assert.Equal(JobState.Failed, Assert.Single(await _db.Jobs.ListAttemptsAsync(job.Id, None)).Outcome);
    }

    [Fact]
    public async Task Completing_an_already_published_queued_job_opens_no_attempt()
    {
        var (video, job) = await _db.QueueAsync(T0);

        var done = await _db.ApplyAsync(job, job.CompleteAlreadyPublished("videos/x/hls/elsewhere/master.m3u8", T0.AddMinutes(1))!);

        Assert.Equal((JobState.Succeeded, 0, 100), (done.State, done.AttemptCount, done.ProgressPercent));
        Assert.Empty(await _db.Jobs.ListAttemptsAsync(job.Id, None));
        Assert.Equal(VideoStatus.Uploaded, (await _db.Videos.FindAsync(video.Id, None))!.Status);
    }

    [Fact]
    public async Task Of_fifty_workers_starting_the_same_job_exactly_one_wins()
    {
        var (_, job) = await _db.QueueAsync(T0);
        var start = job.Start(T0.AddSeconds(10));

        var results = await Task.WhenAll(Enumerable.Range(0, 50)
            .Select(_ => Task.Run(() => _db.Jobs.TryTransitionAsync(start, None))));

        Assert.Single(results, written => written is not null);
        Assert.Single(await _db.Jobs.ListAttemptsAsync(job.Id, None));
        var started = (await _db.Jobs.FindAsync(job.Id, None))!;
        Assert.Equal((JobState.Running, 1), (started.State, started.AttemptCount));
    }
}
