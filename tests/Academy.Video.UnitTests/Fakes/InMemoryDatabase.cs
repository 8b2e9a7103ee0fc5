using Academy.Video.Application.Jobs;
using Academy.Video.Application.Storage;
using Academy.Video.Application.Videos;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;

namespace Academy.Video.UnitTests.Fakes;

/// <summary>
/// The persistence ports in memory, with the same compare-and-set rules as the SQL adapters:
/// every write checks the expected state (and attempt) under one lock and reports whether it won.
/// </summary>
public sealed partial class InMemoryDatabase : IVideoStore, ITranscodeJobStore, IRecoveryScanStore, IStorageCleanupQueue
{
    private readonly Lock gate = new();
    private readonly Dictionary<Guid, LectureVideo> videos = [];
    private readonly Dictionary<Guid, TranscodeJob> jobs = [];
    private readonly List<JobAttempt> attempts = [];
    private readonly Dictionary<Guid, (StorageCleanup Item, DateTimeOffset DueAt, string? LastError)> cleanups = [];
    private readonly HashSet<Guid> claimedJobs = [];

    public IReadOnlyList<TranscodeJob> Jobs { get { lock (gate) { return jobs.Values.ToList(); } } }

    public IReadOnlyList<StorageCleanup> PendingCleanups { get { lock (gate) { return cleanups.Values.Select(c => c.Item).ToList(); } } }

    public LectureVideo Video(Guid id) { lock (gate) { return videos[id]; } }

    public TranscodeJob Job(Guid id) { lock (gate) { return jobs[id]; } }

    /// <summary>Test setup: put a job in any state directly.</summary>
    public void Seed(TranscodeJob job) { lock (gate) { jobs[job.Id] = job; } }

    public void Seed(LectureVideo video) { lock (gate) { videos[video.Id] = video; } }

    public Task AddAsync(LectureVideo video, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (!videos.TryAdd(video.Id, video))
            {
                throw new InvalidOperationException($"Video {video.Id} exists.");
            }
        }

        return Task.CompletedTask;
    }

    public Task<LectureVideo?> FindAsync(Guid videoId, CancellationToken cancellationToken)
    {
        lock (gate) { return Task.FromResult(videos.GetValueOrDefault(videoId)); }
    }

    public Task<bool> TryChangeAsync(VideoChange change, CancellationToken cancellationToken)
    {
        lock (gate) { return Task.FromResult(TryChangeVideo(change)); }
    }

    public Task<bool> TryQueueJobAsync(QueueJob queue, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (!TryChangeVideo(queue.Video))
            {
                return Task.FromResult(false);
            }

            jobs.Add(queue.Job.Id, queue.Job);
            return Task.FromResult(true);
        }
    }

    public Task<bool> TryStartDeletionAsync(VideoChange change, StorageCleanup cleanup, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (!TryChangeVideo(change))
            {
                return Task.FromResult(false);
            }

            cleanups.Add(cleanup.Id, (cleanup, cleanup.CreatedAt, null));
            return Task.FromResult(true);
        }
    }

    public Task<VideoPage> ListAsync(VideoListQuery query, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            var ordered = videos.Values
                .Where(v => query.Status is null ? v.Status != VideoStatus.Deleted : v.Status == query.Status)
                .Where(v => query.TitleContains is null || v.Title.Contains(query.TitleContains, StringComparison.OrdinalIgnoreCase))
                .OrderByDescending(v => v.CreatedAt).ThenByDescending(v => v.Id)
                .Where(v => query.After is null || v.CreatedAt < query.After.CreatedAt
                    || (v.CreatedAt == query.After.CreatedAt && v.Id.CompareTo(query.After.Id) < 0))
                .Take(query.Limit + 1)
                .ToList();
            var items = ordered.Take(query.Limit).ToList();
            var next = ordered.Count > query.Limit ? new VideoCursor(items[^1].CreatedAt, items[^1].Id) : null;
            return Task.FromResult(new VideoPage(items, next));
        }
    }

    Task<TranscodeJob?> ITranscodeJobStore.FindAsync(Guid jobId, CancellationToken cancellationToken)
    {
        lock (gate) { return Task.FromResult(jobs.GetValueOrDefault(jobId)); }
    }

    public Task<bool> TryTransitionAsync(JobTransition transition, CancellationToken cancellationToken)
    {
        lock (gate) { return Task.FromResult(ApplyTransition(transition)); }
    }

    public Task<bool> TryRecordSubmissionAsync(JobSubmission submission, CancellationToken cancellationToken)
    {
        lock (gate) { return Task.FromResult(ApplySubmission(submission)); }
    }

    public Task<HeartbeatResult> HeartbeatAsync(Guid jobId, int attempt, int progressPercent, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (jobs.TryGetValue(jobId, out var job) && job.State == JobState.Running && job.AttemptCount == attempt)
            {
                jobs[jobId] = job with { LastHeartbeatAt = now, ProgressPercent = progressPercent, UpdatedAt = now };
                return Task.FromResult(HeartbeatResult.Alive);
            }

            return Task.FromResult(HeartbeatResult.Lost);
        }
    }

    public Task<IReadOnlyList<JobAttempt>> ListAttemptsAsync(Guid jobId, CancellationToken cancellationToken)
    {
        lock (gate) { return Task.FromResult<IReadOnlyList<JobAttempt>>(attempts.Where(a => a.JobId == jobId).OrderBy(a => a.Attempt).ToList()); }
    }

    public Task<JobBacklog> GetBacklogAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            var counts = jobs.Values.GroupBy(j => j.State).ToDictionary(g => g.Key, g => g.Count());
            TimeSpan? Oldest(JobState state, Func<TranscodeJob, DateTimeOffset> since) =>
                jobs.Values.Where(j => j.State == state).Select(j => now - since(j)).DefaultIfEmpty().Max() is var max && counts.ContainsKey(state) ? max : null;
            return Task.FromResult(new JobBacklog(
                counts,
                Oldest(JobState.Queued, j => j.CreatedAt),
                Oldest(JobState.RetryWait, j => j.UpdatedAt),
                Oldest(JobState.Running, j => j.LastHeartbeatAt ?? j.UpdatedAt)));
        }
    }

    public Task<IRecoveryClaim> ClaimCandidatesAsync(RecoveryCandidateQuery query, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            // FOR UPDATE SKIP LOCKED: a job another open claim holds is invisible to this one.
            var candidates = jobs.Values
                .Where(j => !claimedJobs.Contains(j.Id))
                .Where(j =>
                    (j.State == JobState.Running && (j.LastHeartbeatAt ?? j.UpdatedAt) < query.HeartbeatBefore)
                    || (j.State == JobState.RetryWait && j.BatchJobId is null && (j.NextAttemptAt ?? j.UpdatedAt) <= query.RetryDueBy)
                    || (j.State == JobState.Queued && j.BatchJobId is null && j.CreatedAt < query.QueuedBefore)
                    || (j.State is JobState.Queued or JobState.RetryWait && j.BatchJobId is not null && (j.SubmittedAt ?? j.UpdatedAt) < query.SubmittedBefore))
                .Take(query.Limit)
                .ToList();
            claimedJobs.UnionWith(candidates.Select(j => j.Id));
            return Task.FromResult<IRecoveryClaim>(new Claim(this, candidates));
        }
    }

    public Task EnqueueAsync(StorageCleanup cleanup, CancellationToken cancellationToken)
    {
        lock (gate) { cleanups.Add(cleanup.Id, (cleanup, cleanup.CreatedAt, null)); }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<StorageCleanup>> ClaimDueAsync(DateTimeOffset now, int limit, TimeSpan lease, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            var due = cleanups.Values.Where(c => c.DueAt <= now).OrderBy(c => c.DueAt).Take(limit).ToList();
            foreach (var entry in due)
            {
                var claimed = entry.Item with { Attempts = entry.Item.Attempts + 1 };
                cleanups[entry.Item.Id] = (claimed, now + lease, entry.LastError);
            }

            return Task.FromResult<IReadOnlyList<StorageCleanup>>(due.Select(d => cleanups[d.Item.Id].Item).ToList());
        }
    }

    public Task CompleteAsync(StorageCleanup cleanup, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (cleanups.Remove(cleanup.Id) && cleanup.VideoId is { } videoId
                && videos.TryGetValue(videoId, out var video) && video.Status == VideoStatus.Deleting)
            {
                videos[videoId] = video with { Status = VideoStatus.Deleted, UpdatedAt = now };
            }
        }

        return Task.CompletedTask;
    }

    public Task RescheduleAsync(Guid cleanupId, string error, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (cleanups.TryGetValue(cleanupId, out var entry))
            {
                cleanups[cleanupId] = (entry.Item, nextAttemptAt, error);
            }
        }

        return Task.CompletedTask;
    }

    public Task<CleanupBacklog> GetCleanupBacklogAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            var oldest = cleanups.Values.OrderBy(c => c.Item.CreatedAt).FirstOrDefault();
            return Task.FromResult(cleanups.Count == 0
                ? CleanupBacklog.Empty
                : new CleanupBacklog(cleanups.Count, oldest.Item.CreatedAt, oldest.Item.Prefix, oldest.Item.Attempts, oldest.LastError));
        }
    }

    private bool TryChangeVideo(VideoChange change)
    {
        if (!videos.TryGetValue(change.VideoId, out var video) || video.Status != change.FromStatus)
        {
            return false;
        }

        videos[video.Id] = change.ApplyTo(video);
        return true;
    }

    private bool ApplyTransition(JobTransition transition)
    {
        if (!jobs.TryGetValue(transition.JobId, out var job) || job.State != transition.FromState || job.AttemptCount != transition.FromAttempt)
        {
            return false;
        }

        jobs[job.Id] = transition.ApplyTo(job);
        if (transition.StartsAttempt)
        {
            attempts.Add(new JobAttempt(job.Id, transition.ToAttempt, transition.At, null, null, null, null, job.BatchJobId));
        }
        else if (transition.EndsAttempt)
        {
            var index = attempts.FindIndex(a => a.JobId == job.Id && a.Attempt == transition.FromAttempt);
            attempts[index] = attempts[index] with
            {
                EndedAt = transition.At,
                Outcome = transition.ToState,
                ErrorCode = transition.Error?.Code,
                ErrorMessage = transition.Error?.Message,
            };
        }

        // As in SQL: a deleted video stays deleted, and only the video's current job drives it.
        if (transition.Video is { } effect && videos.TryGetValue(effect.VideoId, out var video)
            && video.Status is not (VideoStatus.Deleting or VideoStatus.Deleted)
            && (video.CurrentJobId is null || video.CurrentJobId == job.Id))
        {
            videos[video.Id] = video with { Status = effect.Status, HlsPath = effect.HlsPath ?? video.HlsPath, UpdatedAt = transition.At };
        }

        return true;
    }

    private bool ApplySubmission(JobSubmission submission)
    {
        if (!jobs.TryGetValue(submission.JobId, out var job) || job.State != submission.ExpectedState || job.AttemptCount != submission.ExpectedAttempt)
        {
            return false;
        }

        jobs[job.Id] = job with { BatchJobId = submission.BatchJobId, SubmittedAt = submission.At, UpdatedAt = submission.At };
        return true;
    }

    private sealed class Claim(InMemoryDatabase database, IReadOnlyList<TranscodeJob> jobs) : IRecoveryClaim
    {
        public IReadOnlyList<TranscodeJob> Jobs { get; } = jobs;

        public Task<bool> TryTransitionAsync(JobTransition transition, CancellationToken cancellationToken) =>
            database.TryTransitionAsync(transition, cancellationToken);

        public Task<bool> TryRecordSubmissionAsync(JobSubmission submission, CancellationToken cancellationToken) =>
            database.TryRecordSubmissionAsync(submission, cancellationToken);

        public Task CommitAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public ValueTask DisposeAsync()
        {
            lock (database.gate) { database.claimedJobs.ExceptWith(Jobs.Select(j => j.Id)); }
            return ValueTask.CompletedTask;
        }
    }
}
