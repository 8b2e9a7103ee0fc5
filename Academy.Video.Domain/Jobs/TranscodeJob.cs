using Academy.Video.Domain.Events;
using Academy.Video.Domain.Videos;

namespace Academy.Video.Domain.Jobs;

/// <summary>
/// One transcode job of one video. Immutable: each intent method checks the current state and
/// returns the <see cref="JobTransition"/> that a store applies as a single compare-and-set on
/// (state, attempt), returning the row it wrote. Illegal transitions throw
/// <see cref="InvalidJobTransitionException"/>; repeating a transition that already happened
/// returns null (a no-op that changes nothing twice).
/// </summary>
public sealed record TranscodeJob
{
    public required Guid Id { get; init; }
    public required Guid VideoId { get; init; }
    public JobState State { get; init; } = JobState.Queued;

    /// <summary>Attempts started so far. The current attempt's number is also its fencing token.</summary>
    public int AttemptCount { get; init; }

    public string? BatchJobId { get; init; }
    public DateTimeOffset? SubmittedAt { get; init; }
    public DateTimeOffset? LastHeartbeatAt { get; init; }
    public int ProgressPercent { get; init; }
    public string? ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }

    /// <summary>In RETRY_WAIT: when the recovery scan may submit the next attempt.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>Submissions the runner accepted that never started an attempt (bounded by <see cref="JobPolicy.MaxAttempts"/>).</summary>
    public int NeverStartedCount { get; init; }

    /// <summary>
    /// Attempts the runner ended because their host was terminated (a Spot reclaim): included in
    /// <see cref="AttemptCount"/> (attempt numbers never repeat) but not counted toward <see cref="JobPolicy.MaxAttempts"/>.
    /// </summary>
    public int HostTerminationCount { get; init; }

    /// <summary>Attempts that count toward <see cref="JobPolicy.MaxAttempts"/>.</summary>
    public int CountedAttempts => AttemptCount - HostTerminationCount;

    /// <summary>The runner's word on the last of those submissions.</summary>
    public string? NeverStartedReason { get; init; }

    /// <summary>Whether the latest attempt copied the source as the top rung (<c>SOURCE_COPY</c>) or why not; null before any plan.</summary>
    public string? TopRungCode { get; init; }

    public string? TopRungReason { get; init; }

    /// <summary>The loudness measurement an attempt recorded with its plan; a later attempt reuses it (docs/encoding.md). Null before any plan.</summary>
    public Media.LoudnessMeasurement? Loudness { get; init; }

    /// <summary>Whether the video is encoded as slides or camera, as an attempt recorded with its plan; a later attempt reuses it (docs/encoding.md). Null before any plan.</summary>
    public Media.LectureProfile? Profile { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }

    public static TranscodeJob Queue(Guid id, Guid videoId, DateTimeOffset now) => new()
    {
        Id = id,
        VideoId = videoId,
        State = JobState.Queued,
        CreatedAt = now,
        UpdatedAt = now,
    };

    /// <summary>Batch job names: <c>video-&lt;first 8 chars of the job id&gt;</c> (docs/contract.md §1).</summary>
    public string RunnerJobName => $"video-{Id:N}"[..14];

    /// <summary>A worker begins attempt <c>AttemptCount + 1</c>.</summary>
    public JobTransition Start(DateTimeOffset now)
    {
        if (!State.IsStartable())
        {
            throw new InvalidJobTransitionException(this, "start an attempt");
        }

        return Move(JobState.Running, AttemptCount + 1, now) with
        {
            ClearsError = true,
            ProgressPercent = 0,
            HeartbeatAt = now,
            // Retries of a job keep the video PROCESSING: the client hears of it once per job.
            Video = new VideoEffect(VideoId, Id, VideoStatus.Processing)
            {
                Event = AttemptCount == 0 ? VideoEventType.VideoProcessing : null,
            },
        };
    }

    /// <summary>
    /// The running attempt published its HLS tree: video READY and job SUCCEEDED at once. Every
    /// other attempt's prefix holds no published tree from now on and is queued for cleanup.
    /// </summary>
    /// <param name="posterKey">The published poster, if the tree has one.</param>
    /// <param name="storyboardKey">The published storyboard index, if the tree has one.</param>
    /// <param name="chapters">The published tree's chapters and their WebVTT track, if it has them.</param>
    public JobTransition? Complete(string hlsPath, DateTimeOffset now, string? posterKey = null, string? storyboardKey = null, (IReadOnlyList<Media.VideoChapter> List, string Key)? chapters = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hlsPath);
        if (State == JobState.Succeeded)
        {
            return null;
        }

        if (State != JobState.Running)
        {
            throw new InvalidJobTransitionException(this, "complete (only a RUNNING attempt can)");
        }

        return Succeed(now, hlsPath) with
        {
            Video = new VideoEffect(VideoId, Id, VideoStatus.Ready, hlsPath)
            {
                Event = VideoEventType.VideoReady,
                PosterKey = posterKey,
                StoryboardKey = storyboardKey,
                Chapters = chapters is { } published ? new Media.VideoChapterList(published.List) : Media.VideoChapterList.Empty,
                ChaptersKey = chapters?.Key,
            },
        };
    }

    /// <summary>
    /// Guard 3 of docs/contract.md §3: the video is already READY at <paramref name="publishedHlsPath"/> (an
    /// earlier attempt published and died before marking the job), so the job is completed without
    /// running anything; every attempt prefix but the published one is queued for cleanup.
    /// </summary>
    public JobTransition? CompleteAlreadyPublished(string publishedHlsPath, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(publishedHlsPath);
        if (State == JobState.Succeeded)
        {
            return null;
        }

        if (State.IsTerminal())
        {
            throw new InvalidJobTransitionException(this, "be completed (it has ended)");
        }

        return Succeed(now, publishedHlsPath);
    }

    /// <summary>
    /// The running attempt failed. Permanent errors end the job FAILED; transient ones wait for a
    /// retry until <see cref="JobPolicy.MaxAttempts"/> attempts have been used (<see cref="CountedAttempts"/>), then DEAD. Either
    /// way the attempt's prefix holds no published tree and is queued for cleanup.
    /// </summary>
    public JobTransition Fail(JobError error, DateTimeOffset now, JobPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(policy);
        if (State != JobState.Running)
        {
            throw new InvalidJobTransitionException(this, "fail an attempt (none is RUNNING)");
        }

        if (error.IsPermanent)
        {
            return Finish(JobState.Failed, error, now);
        }

        if (CountedAttempts >= policy.MaxAttempts)
        {
            return Finish(JobState.Dead, error, now);
        }

        return Move(JobState.RetryWait, AttemptCount, now) with
        {
            Error = error,
            NextAttemptAt = now + policy.BackoffAfter(AttemptCount),
            ClearBatchJobId = true,
            ClearsPlayable = true,
            OrphanedPrefixes = [AttemptPrefix(AttemptCount)],
            OrphanReason = $"attempt {AttemptCount} ended RETRY_WAIT ({error.Code}) without publishing",
        };
    }

    /// <summary>The recovery scan found the running attempt silent past the threshold.</summary>
    public JobTransition MarkStuck(DateTimeOffset now, JobPolicy policy)
    {
        var silence = now - (LastHeartbeatAt ?? UpdatedAt);
        return Fail(JobError.StuckWithoutHeartbeat(silence), now, policy);
    }

    /// <summary>
    /// The runner ended the running attempt because its host was terminated (<see cref="RecoveryDecision.IsHostTermination"/>,
    /// a Spot reclaim). The attempt is not counted toward <see cref="JobPolicy.MaxAttempts"/>: the job waits in
    /// RETRY_WAIT due at once (no backoff, the job did nothing wrong), or ends DEAD (HOST_TERMINATED) once more
    /// than <see cref="JobPolicy.MaxHostTerminations"/> attempts were lost this way. Fenced on the runner id
    /// the runner reported about, so one reclaim is counted once.
    /// </summary>
    public JobTransition HostTerminated(string runnerReason, DateTimeOffset now, JobPolicy policy)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runnerReason);
        ArgumentNullException.ThrowIfNull(policy);
        if (State != JobState.Running || BatchJobId is null)
        {
            throw new InvalidJobTransitionException(this, "lose its host (no attempt is RUNNING under a runner id)");
        }

        var count = HostTerminationCount + 1;
        var reason = $"{BatchJobId}: {runnerReason}";
        if (count > policy.MaxHostTerminations)
        {
            return Finish(JobState.Dead, JobError.HostTerminatedTooOften(count, reason), now) with
            {
                FenceBatchJobId = BatchJobId,
                HostTerminationCount = count,
            };
        }

        return Move(JobState.RetryWait, AttemptCount, now) with
        {
            Error = JobError.HostTerminated(reason),
            NextAttemptAt = now,
            ClearBatchJobId = true,
            ClearsPlayable = true,
            FenceBatchJobId = BatchJobId,
            HostTerminationCount = count,
            OrphanedPrefixes = [AttemptPrefix(AttemptCount)],
            OrphanReason = $"attempt {AttemptCount} ended RETRY_WAIT ({JobErrorCodes.HostTerminated}) without publishing",
        };
    }

    /// <summary>
    /// The video is being deleted: a job that has not finished ends FAILED (VIDEO_DELETED). The
    /// video itself is changed by the deletion (<see cref="LectureVideo.Delete"/>), not by this.
    /// </summary>
    public JobTransition? CancelForDeletion(DateTimeOffset now) =>
        State.IsTerminal()
            ? null
            : Move(JobState.Failed, AttemptCount, now) with
            {
                Error = JobError.VideoDeleted(),
                OrphanedPrefixes = State == JobState.Running ? [AttemptPrefix(AttemptCount)] : [],
                OrphanReason = $"attempt {AttemptCount} cancelled: video deleted",
            };

    /// <summary>
    /// The runner accepted the submission <see cref="BatchJobId"/> but it never started an attempt:
    /// gone, ended, or blocked in the runner's queue (<paramref name="runnerReason"/> says why).
    /// It is counted; the job waits for a new submission, or is DEAD (NEVER_STARTED) once
    /// <see cref="JobPolicy.MaxAttempts"/> submissions never started. Fenced on the runner id, so a
    /// lost submission is counted once however many scans see it.
    /// </summary>
    public JobTransition SubmissionNeverStarted(string? runnerReason, DateTimeOffset now, JobPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (!State.IsStartable() || BatchJobId is null)
        {
            throw new InvalidJobTransitionException(this, "count a submission that never started (it has none waiting)");
        }

        var count = NeverStartedCount + 1;
        var reason = string.IsNullOrWhiteSpace(runnerReason) ? $"{BatchJobId}: no reason given" : $"{BatchJobId}: {runnerReason}";
        if (count >= policy.MaxAttempts)
        {
            return Finish(JobState.Dead, JobError.NeverStarted(count, reason), now) with
            {
                FenceBatchJobId = BatchJobId,
                NeverStartedCount = count,
                NeverStartedReason = reason,
            };
        }

        return Move(State, AttemptCount, now) with
        {
            NextAttemptAt = NextAttemptAt,
            ClearBatchJobId = true,
            FenceBatchJobId = BatchJobId,
            NeverStartedCount = count,
            NeverStartedReason = reason,
        };
    }

    /// <summary>
    /// A job waiting for a submission whose earlier submissions used up the bound (the bound was
    /// lowered since they were counted): DEAD (NEVER_STARTED) instead of another submission.
    /// </summary>
    public JobTransition EndNeverStarted(DateTimeOffset now)
    {
        if (!State.IsStartable())
        {
            throw new InvalidJobTransitionException(this, "end as never started (it is not waiting to start)");
        }

        return Finish(JobState.Dead, JobError.NeverStarted(NeverStartedCount, NeverStartedReason), now);
    }

    /// <summary>
    /// The running attempt has probed its source and planned its encode: the top rung decision is kept on the job and the
    /// source's metadata on its video. Not a state change: fenced on the attempt like a heartbeat, so a superseded attempt
    /// writes nothing.
    /// </summary>
    public EncodePlanRecord RecordEncodePlan(SourceMetadata source, string topRungCode, string topRungReason, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrWhiteSpace(topRungCode);
        if (State != JobState.Running)
        {
            throw new InvalidJobTransitionException(this, "record an encode plan (no attempt is RUNNING)");
        }

        return new EncodePlanRecord(Id, VideoId, AttemptCount, source, topRungCode, topRungReason ?? "", now);
    }

    /// <summary>
    /// The running attempt has published the first segments of its tree and a master naming them at
    /// <paramref name="masterKey"/> (under its own prefix): its video becomes playable while PROCESSING (decision 0018).
    /// Not a state change: fenced on the attempt like a heartbeat, so a superseded attempt writes nothing.
    /// </summary>
    public PlayableRecord MarkPlayable(string masterKey, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(masterKey);
        if (State != JobState.Running)
        {
            throw new InvalidJobTransitionException(this, "become playable (no attempt is RUNNING)");
        }

        if (!masterKey.StartsWith(AttemptPrefix(AttemptCount), StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{masterKey}' is not under attempt {AttemptCount}'s prefix.", nameof(masterKey));
        }

        return new PlayableRecord(Id, VideoId, AttemptCount, masterKey, now);
    }

    /// <summary>The runner accepted a submission of this job; its id is recorded (docs/contract.md §1 step 2).</summary>
    public JobSubmission RecordSubmission(string batchJobId, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(batchJobId);
        if (!State.IsStartable())
        {
            throw new InvalidJobTransitionException(this, "record a submission (it is not waiting to start)");
        }

        if (BatchJobId is not null)
        {
            throw new InvalidJobTransitionException(this, $"record a second submission while {BatchJobId} is waiting");
        }

        return new JobSubmission(Id, State, AttemptCount, BatchJobId, batchJobId, now);
    }

    /// <summary>The prefix attempt <paramref name="attempt"/> of this job publishes under.</summary>
    public string AttemptPrefix(int attempt) => StorageKeys.HlsPrefix(VideoId, Id, attempt);

    private JobTransition Move(JobState to, int toAttempt, DateTimeOffset now) =>
        new(Id, VideoId, State, AttemptCount, to, toAttempt, now);

    private JobTransition Succeed(DateTimeOffset now, string publishedHlsPath) =>
        Move(JobState.Succeeded, AttemptCount, now) with
        {
            ClearsError = true,
            ProgressPercent = 100,
            OrphanedPrefixes = Enumerable.Range(1, AttemptCount)
                .Select(AttemptPrefix)
                .Where(prefix => !publishedHlsPath.StartsWith(prefix, StringComparison.Ordinal))
                .ToList(),
            OrphanReason = $"superseded: the job was published at {publishedHlsPath}",
        };

    private JobTransition Finish(JobState terminal, JobError error, DateTimeOffset now) =>
        Move(terminal, AttemptCount, now) with
        {
            Error = error,
            Video = new VideoEffect(VideoId, Id, VideoStatus.Failed) { Event = VideoEventType.VideoFailed },
            JobEvent = terminal == JobState.Dead ? VideoEventType.JobDead : null,
            OrphanedPrefixes = State == JobState.Running ? [AttemptPrefix(AttemptCount)] : [],
            OrphanReason = $"attempt {AttemptCount} ended {terminal.ToWire()} ({error.Code}) without publishing",
        };
}
