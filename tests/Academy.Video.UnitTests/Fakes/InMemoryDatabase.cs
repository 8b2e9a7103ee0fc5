using Academy.Video.Application.Jobs;
using Academy.Video.Application.Storage;
using Academy.Video.Application.Videos;
using Academy.Video.Domain.Events;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;

namespace Academy.Video.UnitTests.Fakes;

/// <summary>
/// The persistence ports in memory for the application core's tests. It writes what the domain's
/// transitions and changes decided, field by field, as the SQL does, and applies the guards the
/// domain states (<see cref="VideoEffect.AppliesTo"/>, <see cref="OrphanCleanup.IsHeld"/>); it
/// decides nothing itself. The store contract suite (tests/Shared/StoreContract) runs against this
/// and against PostgreSQL, so the two cannot drift apart unnoticed.
/// </summary>
public sealed partial class InMemoryDatabase : IVideoStore, ITranscodeJobStore, IRecoveryScanStore, IStorageCleanupQueue
{
    private readonly Lock gate = new();
    private readonly Dictionary<Guid, LectureVideo> videos = [];
    private readonly Dictionary<Guid, TranscodeJob> jobs = [];
    private readonly List<JobAttempt> attempts = [];
    private readonly Dictionary<Guid, (StorageCleanup Item, DateTimeOffset DueAt)> cleanups = [];
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

    public Task<VideoWithCurrentJob?> FindWithCurrentJobAsync(Guid videoId, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (!videos.TryGetValue(videoId, out var video))
            {
                return Task.FromResult<VideoWithCurrentJob?>(null);
            }

            var job = video.CurrentJobId is { } jobId ? jobs.GetValueOrDefault(jobId) : null;
            IReadOnlyList<JobAttempt> timeline = job is null ? [] : attempts.Where(a => a.JobId == job.Id).OrderBy(a => a.Attempt).ToList();
            return Task.FromResult<VideoWithCurrentJob?>(new VideoWithCurrentJob(video, job, timeline));
        }
    }

    public Task<QueuedJob?> TryQueueJobAsync(QueueJob queue, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            var video = TryChangeVideo(queue.Video);
            if (video is null)
            {
                return Task.FromResult<QueuedJob?>(null);
            }

            jobs.Add(queue.Job.Id, queue.Job);
            return Task.FromResult<QueuedJob?>(new QueuedJob(video, queue.Job));
        }
    }

    public Task<LectureVideo?> TryStartDeletionAsync(VideoDeletion deletion, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (!videos.TryGetValue(deletion.Video.VideoId, out var current) || !deletion.Video.From.Contains(current.Status))
            {
                return Task.FromResult<LectureVideo?>(null);
            }

            if (deletion.EndJob is { } end && ApplyTransition(end) is null)
            {
                return Task.FromResult<LectureVideo?>(null);
            }

            var video = TryChangeVideo(deletion.Video)!;
            AddCleanup(new StorageCleanup(Guid.NewGuid(), deletion.Prefix, video.Id, null, "video deleted", 0, deletion.Video.At));
            AddEvent(deletion.Video.Event, video.Id, video.CurrentJobId, deletion.Video.At);
            return Task.FromResult<LectureVideo?>(video);
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

    public Task<TranscodeJob?> TryTransitionAsync(JobTransition transition, CancellationToken cancellationToken)
    {
        lock (gate) { return Task.FromResult(ApplyTransition(transition)); }
    }

    public Task<TranscodeJob?> TryRecordSubmissionAsync(JobSubmission submission, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (!jobs.TryGetValue(submission.JobId, out var job) || job.State != submission.ExpectedState
                || job.AttemptCount != submission.ExpectedAttempt || job.BatchJobId != submission.ExpectedBatchJobId)
            {
                return Task.FromResult<TranscodeJob?>(null);
            }

            var recorded = job with { BatchJobId = submission.BatchJobId, SubmittedAt = submission.At, UpdatedAt = submission.At };
            jobs[job.Id] = recorded;
            submissionClaims.Remove(job.Id);
            return Task.FromResult<TranscodeJob?>(recorded);
        }
    }

    private readonly Dictionary<Guid, DateTimeOffset> submissionClaims = [];

    public Task<bool> TryClaimSubmissionAsync(TranscodeJob job, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (!jobs.TryGetValue(job.Id, out var current) || current.State != job.State || current.AttemptCount != job.AttemptCount
                || current.BatchJobId is not null || (submissionClaims.TryGetValue(job.Id, out var claimed) && claimed > now))
            {
                return Task.FromResult(false);
            }

            submissionClaims[job.Id] = until;
            return Task.FromResult(true);
        }
    }

    public Task ReleaseSubmissionClaimAsync(Guid jobId, DateTimeOffset until, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (submissionClaims.TryGetValue(jobId, out var claimed) && claimed == until)
            {
                submissionClaims.Remove(jobId);
            }

            return Task.CompletedTask;
        }
    }

    public Task<HeartbeatResult> HeartbeatAsync(Guid jobId, int attempt, int progressPercent, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (jobs.TryGetValue(jobId, out var job) && job.State == JobState.Running && job.AttemptCount == attempt
                && !(videos.TryGetValue(job.VideoId, out var video) && video.Status is VideoStatus.Deleting or VideoStatus.Deleted))
            {
                jobs[jobId] = job with { LastHeartbeatAt = now, ProgressPercent = progressPercent, UpdatedAt = now };
                return Task.FromResult(HeartbeatResult.Alive);
            }

            return Task.FromResult(HeartbeatResult.Lost);
        }
    }

    public Task<bool> TryRecordEncodePlanAsync(EncodePlanRecord record, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (!jobs.TryGetValue(record.JobId, out var job) || job.VideoId != record.VideoId || job.State != JobState.Running || job.AttemptCount != record.Attempt)
            {
                return Task.FromResult(false);
            }

            jobs[job.Id] = job with { TopRungCode = record.TopRungCode, TopRungReason = record.TopRungReason, Loudness = record.Loudness ?? job.Loudness, Profile = record.Profile ?? job.Profile, UpdatedAt = record.At };
            videos[job.VideoId] = videos[job.VideoId] with { Source = record.Source, UpdatedAt = record.At };
            return Task.FromResult(true);
        }
    }

    public Task<PlayableResult> TryMarkPlayableAsync(PlayableRecord record, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (!jobs.TryGetValue(record.JobId, out var job) || job.VideoId != record.VideoId || job.State != JobState.Running || job.AttemptCount != record.Attempt)
            {
                return Task.FromResult(PlayableResult.Superseded);
            }

            jobs[job.Id] = job with { UpdatedAt = record.At };
            if (!videos.TryGetValue(job.VideoId, out var video) || video.CurrentJobId != job.Id || video.Status != VideoStatus.Processing
                || video.PlayablePath == record.PlayablePath)
            {
                return Task.FromResult(PlayableResult.Unchanged);
            }

            videos[video.Id] = video with { PlayablePath = record.PlayablePath, PlayableAt = record.At, UpdatedAt = record.At };
            AddEvent(VideoEventType.VideoPlayable, video.Id, job.Id, record.At);
            return Task.FromResult(PlayableResult.Marked);
        }
    }

    public Task<IReadOnlyList<JobAttempt>> ListAttemptsAsync(Guid jobId, CancellationToken cancellationToken)
    {
        lock (gate) { return Task.FromResult<IReadOnlyList<JobAttempt>>(attempts.Where(a => a.JobId == jobId).OrderBy(a => a.Attempt).ToList()); }
    }

    public Task<IReadOnlyList<JobHistory>> ListJobsOfVideoAsync(Guid videoId, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<JobHistory>>(jobs.Values
                .Where(j => j.VideoId == videoId)
                .OrderByDescending(j => j.CreatedAt).ThenByDescending(j => j.Id)
                .Select(j => new JobHistory(j, attempts.Where(a => a.JobId == j.Id).OrderBy(a => a.Attempt).ToList()))
                .ToList());
        }
    }

    public Task<JobBacklog> GetBacklogAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            var unfinished = jobs.Values.Where(j => !j.State.IsTerminal()).ToList();
            var counts = new Dictionary<JobState, int>
            {
                [JobState.Queued] = unfinished.Count(j => j.State == JobState.Queued),
                [JobState.Running] = unfinished.Count(j => j.State == JobState.Running),
                [JobState.RetryWait] = unfinished.Count(j => j.State == JobState.RetryWait),
            };
            TimeSpan? Oldest(JobState state, Func<TranscodeJob, DateTimeOffset> since) =>
                unfinished.Where(j => j.State == state).Select(j => (TimeSpan?)(now - since(j))).Max();
            DateTimeOffset RetryWaitSince(TranscodeJob job) =>
                attempts.SingleOrDefault(a => a.JobId == job.Id && a.Attempt == job.AttemptCount)?.EndedAt ?? job.UpdatedAt;
            return Task.FromResult(new JobBacklog(
                counts,
                Oldest(JobState.Queued, j => j.CreatedAt),
                Oldest(JobState.RetryWait, RetryWaitSince),
                Oldest(JobState.Running, j => j.LastHeartbeatAt ?? j.UpdatedAt)));
        }
    }

    public Task<IRecoveryClaim> ClaimCandidatesAsync(RecoveryCandidateQuery query, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            // FOR UPDATE SKIP LOCKED: a job another open claim holds is invisible to this one.
            // The kinds in the SQL's order, the most urgent first, sharing the limit.
            var open = jobs.Values.Where(j => !claimedJobs.Contains(j.Id)).ToList();
            var candidates = open.Where(j => j.State == JobState.Running && j.LastHeartbeatAt < query.HeartbeatBefore).OrderBy(j => j.LastHeartbeatAt)
                .Concat(open.Where(j => j.State == JobState.RetryWait && j.BatchJobId is null && j.NextAttemptAt <= query.RetryDueBy).OrderBy(j => j.NextAttemptAt))
                .Concat(open.Where(j => j.State == JobState.Queued && j.BatchJobId is null && j.CreatedAt < query.QueuedBefore).OrderBy(j => j.CreatedAt))
                .Concat(open.Where(j => j.State is JobState.Queued or JobState.RetryWait && j.BatchJobId is not null && j.SubmittedAt < query.SubmittedBefore).OrderBy(j => j.SubmittedAt))
                .Take(query.Limit)
                .Select(j => new RecoveryCandidate(j, videos.TryGetValue(j.VideoId, out var video) ? video.Status : null))
                .ToList();
            claimedJobs.UnionWith(candidates.Select(c => c.Job.Id));
            return Task.FromResult<IRecoveryClaim>(new Claim(this, candidates));
        }
    }

    public Task<IReadOnlyList<StorageCleanup>> ClaimDueAsync(DateTimeOffset now, int limit, TimeSpan lease, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            var due = cleanups.Values
                .Where(c => c.DueAt <= now)
                .Where(c => !IsHeld(c.Item))
                .OrderBy(c => c.DueAt)
                .Take(limit)
                .ToList();
            foreach (var entry in due)
            {
                cleanups[entry.Item.Id] = (entry.Item with { Attempts = entry.Item.Attempts + 1 }, now + lease);
            }

            return Task.FromResult<IReadOnlyList<StorageCleanup>>(due.Select(d => cleanups[d.Item.Id].Item).ToList());
        }
    }

    public Task CompleteAsync(StorageCleanup cleanup, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            // As in SQL: a deleted video becomes DELETED only when no other prefix of it is left.
            if (cleanups.Remove(cleanup.Id) && cleanup.VideoId is { } videoId
                && videos.TryGetValue(videoId, out var video) && video.Status == VideoStatus.Deleting
                && !cleanups.Values.Any(c => c.Item.VideoId == videoId))
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
                cleanups[cleanupId] = (entry.Item, nextAttemptAt);
            }
        }

        return Task.CompletedTask;
    }

    public Task<CleanupBacklog> GetCleanupBacklogAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            var pending = cleanups.Values.Where(c => !IsHeld(c.Item)).OrderBy(c => c.Item.CreatedAt).ToList();
            return Task.FromResult(pending.Count == 0
                ? CleanupBacklog.Empty
                : new CleanupBacklog(pending.Count, pending[0].Item.CreatedAt, pending[0].Item.Prefix, pending[0].Item.Attempts, null));
        }
    }

    private bool IsHeld(StorageCleanup cleanup) =>
        OrphanCleanup.IsHeld(cleanup.JobId is { } jobId && jobs.TryGetValue(jobId, out var job) ? job.State : null);

    /// <summary>Adds a cleanup as the SQL does: one row per prefix (ON CONFLICT DO NOTHING).</summary>
    private void AddCleanup(StorageCleanup cleanup)
    {
        if (!cleanups.Values.Any(c => c.Item.Prefix == cleanup.Prefix))
        {
            cleanups.Add(cleanup.Id, (cleanup, cleanup.CreatedAt));
        }
    }

    private LectureVideo? TryChangeVideo(VideoChange change)
    {
        if (!videos.TryGetValue(change.VideoId, out var video) || !change.From.Contains(video.Status))
        {
            return null;
        }

        var changed = video with
        {
            Status = change.To,
            UpdatedAt = change.At,
            CurrentJobId = change.CurrentJobId ?? video.CurrentJobId,
            SourceSizeBytes = change.SourceSizeBytes ?? video.SourceSizeBytes,
            HlsPath = change.ClearHlsPath ? null : video.HlsPath,
            PosterKey = change.ClearHlsPath ? null : video.PosterKey,
            StoryboardKey = change.ClearHlsPath ? null : video.StoryboardKey,
            PlayablePath = null,
            PlayableAt = null,
        };
        videos[video.Id] = changed;
        return changed;
    }

    /// <summary>The job row a transition writes, or null when its compare-and-set fails. Writes nothing.</summary>
    private TranscodeJob? Written(JobTransition transition)
    {
        if (!jobs.TryGetValue(transition.JobId, out var job) || job.State != transition.FromState || job.AttemptCount != transition.FromAttempt
            || (transition.FenceBatchJobId is { } fence && job.BatchJobId != fence))
        {
            return null;
        }

        return job with
        {
            State = transition.ToState,
            AttemptCount = transition.ToAttempt,
            UpdatedAt = transition.At,
            LastHeartbeatAt = transition.HeartbeatAt ?? job.LastHeartbeatAt,
            ProgressPercent = transition.ProgressPercent ?? job.ProgressPercent,
            ErrorCode = transition.ClearsError ? null : transition.Error?.Code ?? job.ErrorCode,
            ErrorMessage = transition.ClearsError ? null : transition.Error?.Message ?? job.ErrorMessage,
            NextAttemptAt = transition.NextAttemptAt,
            BatchJobId = transition.ClearBatchJobId ? null : job.BatchJobId,
            SubmittedAt = transition.ClearBatchJobId ? null : job.SubmittedAt,
            NeverStartedCount = transition.NeverStartedCount ?? job.NeverStartedCount,
            HostTerminationCount = transition.HostTerminationCount ?? job.HostTerminationCount,
            NeverStartedReason = transition.NeverStartedReason ?? job.NeverStartedReason,
            FinishedAt = transition.FinishedAt,
        };
    }

    private TranscodeJob? ApplyTransition(JobTransition transition)
    {
        var written = Written(transition);
        if (written is null)
        {
            return null;
        }

        jobs[written.Id] = written;
        if (transition.StartsAttempt)
        {
            attempts.Add(new JobAttempt(written.Id, transition.ToAttempt, transition.At, null, null, null, null, written.BatchJobId));
        }
        else if (transition.EndsAttempt)
        {
            var index = attempts.FindIndex(a => a.JobId == written.Id && a.Attempt == transition.FromAttempt);
            if (index >= 0)
            {
                attempts[index] = attempts[index] with
                {
                    EndedAt = transition.At,
                    Outcome = transition.ToState,
                    ErrorCode = transition.Error?.Code,
                    ErrorMessage = transition.Error?.Message,
                };
            }
        }

        foreach (var prefix in transition.OrphanedPrefixes)
        {
            AddCleanup(new StorageCleanup(Guid.NewGuid(), prefix, null, written.Id, transition.OrphanReason, 0, transition.At));
        }

        if (transition.Video is { } effect && videos.TryGetValue(effect.VideoId, out var video) && effect.AppliesTo(video))
        {
            videos[video.Id] = video with
            {
                Status = effect.Status,
                HlsPath = effect.HlsPath ?? video.HlsPath,
                PosterKey = effect.HlsPath is null ? video.PosterKey : effect.PosterKey,
                StoryboardKey = effect.HlsPath is null ? video.StoryboardKey : effect.StoryboardKey,
                PlayablePath = effect.Status == VideoStatus.Ready ? effect.HlsPath ?? video.HlsPath : null,
                PlayableAt = effect.Status == VideoStatus.Ready ? video.PlayableAt ?? transition.At : null,
                UpdatedAt = transition.At,
            };
            AddEvent(effect.Event, video.Id, written.Id, transition.At);
        }
        else if (transition.Video is null && transition.ClearsPlayable && videos.TryGetValue(written.VideoId, out var unplayable)
            && unplayable.CurrentJobId == written.Id && unplayable.PlayablePath is not null)
        {
            videos[unplayable.Id] = unplayable with { PlayablePath = null, PlayableAt = null, UpdatedAt = transition.At };
        }

        AddEvent(transition.JobEvent, written.VideoId, written.Id, transition.At);

        return written;
    }

    /// <summary>
    /// Changes go into the claim and are applied only by <see cref="CommitAsync"/>, as in the SQL
    /// transaction; disposing without a commit discards them (the dry run).
    /// </summary>
    private sealed class Claim(InMemoryDatabase database, IReadOnlyList<RecoveryCandidate> candidates) : IRecoveryClaim
    {
        private readonly List<JobTransition> pending = [];

        public IReadOnlyList<RecoveryCandidate> Candidates { get; } = candidates;

        public Task<TranscodeJob?> TryTransitionAsync(JobTransition transition, CancellationToken cancellationToken)
        {
            lock (database.gate)
            {
                if (pending.Any(p => p.JobId == transition.JobId))
                {
                    throw new InvalidOperationException("This fake claim moves a job once per transaction.");
                }

                var written = database.Written(transition);
                if (written is not null)
                {
                    pending.Add(transition);
                }

                return Task.FromResult(written);
            }
        }

        public Task CommitAsync(CancellationToken cancellationToken)
        {
            lock (database.gate)
            {
                // The claimed rows are locked in SQL; nothing else can have moved them meanwhile.
                foreach (var transition in pending)
                {
                    database.ApplyTransition(transition);
                }

                pending.Clear();
            }

            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            lock (database.gate) { database.claimedJobs.ExceptWith(Candidates.Select(c => c.Job.Id)); }
            return ValueTask.CompletedTask;
        }
    }
}
