using Academy.Video.Domain.Videos;

namespace Academy.Video.Domain.Jobs;

/// <summary>
/// One transcode job of one video. Immutable: each intent method checks the current state and
/// returns the <see cref="JobTransition"/> that a store applies as a single compare-and-set on
/// (state, attempt). Illegal transitions throw <see cref="InvalidJobTransitionException"/>;
/// repeating a transition that already happened returns null (a no-op that changes nothing twice).
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

    /// <summary>Batch job names: <c>video-&lt;first 8 chars of the job id&gt;</c> (SPEC §1).</summary>
    public string RunnerJobName => $"video-{Id:N}"[..14];

    /// <summary>A worker begins attempt <c>AttemptCount + 1</c>.</summary>
    public JobTransition Start(DateTimeOffset now)
    {
        if (!State.IsStartable())
        {
            throw new InvalidJobTransitionException(this, JobState.Running);
        }

        return new JobTransition(Id, State, AttemptCount, JobState.Running, AttemptCount + 1, now)
        {
            Video = new VideoEffect(VideoId, VideoStatus.Processing),
        };
    }

    /// <summary>The running attempt published its HLS tree: video READY and job SUCCEEDED at once.</summary>
    public JobTransition? Complete(string hlsPath, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hlsPath);
        if (State == JobState.Succeeded)
        {
            return null;
        }

        if (State != JobState.Running)
        {
            throw new InvalidJobTransitionException(this, JobState.Succeeded);
        }

        return new JobTransition(Id, State, AttemptCount, JobState.Succeeded, AttemptCount, now)
        {
            Video = new VideoEffect(VideoId, VideoStatus.Ready, hlsPath),
        };
    }

    /// <summary>
    /// Guard 3 of SPEC §2: the video is already READY (an earlier attempt published and died before
    /// marking the job), so the job is completed without running anything.
    /// </summary>
    public JobTransition? CompleteAlreadyPublished(DateTimeOffset now)
    {
        if (State == JobState.Succeeded)
        {
            return null;
        }

        if (State.IsTerminal())
        {
            throw new InvalidJobTransitionException(this, JobState.Succeeded);
        }

        return new JobTransition(Id, State, AttemptCount, JobState.Succeeded, AttemptCount, now);
    }

    /// <summary>
    /// The running attempt failed. Permanent errors end the job FAILED; transient ones wait for a
    /// retry until <see cref="JobPolicy.MaxAttempts"/> attempts have been used, then DEAD.
    /// </summary>
    public JobTransition Fail(JobError error, DateTimeOffset now, JobPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(policy);
        if (State != JobState.Running)
        {
            throw new InvalidJobTransitionException(this, JobState.RetryWait);
        }

        if (error.IsPermanent)
        {
            return Finish(JobState.Failed, error, now);
        }

        if (AttemptCount >= policy.MaxAttempts)
        {
            return Finish(JobState.Dead, error, now);
        }

        return new JobTransition(Id, State, AttemptCount, JobState.RetryWait, AttemptCount, now)
        {
            Error = error,
            NextAttemptAt = now + policy.BackoffAfter(AttemptCount),
            ClearBatchJobId = true,
        };
    }

    /// <summary>The recovery scan found the running attempt silent past the threshold.</summary>
    public JobTransition MarkStuck(DateTimeOffset now, JobPolicy policy)
    {
        var silence = now - (LastHeartbeatAt ?? UpdatedAt);
        return Fail(JobError.StuckWithoutHeartbeat(silence), now, policy);
    }

    /// <summary>The video is being deleted: a job that has not finished ends FAILED (VIDEO_DELETED).</summary>
    public JobTransition? CancelForDeletion(DateTimeOffset now) =>
        State.IsTerminal() ? null : new JobTransition(Id, State, AttemptCount, JobState.Failed, AttemptCount, now)
        {
            Error = JobError.VideoDeleted(),
        };

    /// <summary>The runner accepted a submission of this job; its id is recorded (SPEC §1 step 2).</summary>
    public JobSubmission RecordSubmission(string batchJobId, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(batchJobId);
        if (!State.IsStartable())
        {
            throw new InvalidJobTransitionException(this, State, "record a submission");
        }

        return new JobSubmission(Id, State, AttemptCount, batchJobId, now);
    }

    private JobTransition Finish(JobState terminal, JobError error, DateTimeOffset now) =>
        new(Id, State, AttemptCount, terminal, AttemptCount, now)
        {
            Error = error,
            Video = new VideoEffect(VideoId, VideoStatus.Failed),
        };
}
