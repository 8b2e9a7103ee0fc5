using Academy.Video.Domain.Events;
using Academy.Video.Domain.Videos;

namespace Academy.Video.Domain.Jobs;

/// <summary>
/// A state change as a compare-and-set: it applies only while the job is still in
/// (<see cref="FromState"/>, <see cref="FromAttempt"/>) — and, when <see cref="FenceBatchJobId"/> is
/// set, still carries that runner id. Stores execute it as one conditional statement and return the
/// row they wrote (or nothing when another writer won), so two racers can never both win.
/// Every value written is decided here, by the intent method that made the transition: a store
/// writes the data, it does not re-derive it. A null "keeps" value leaves that column as it is.
/// </summary>
public sealed record JobTransition(
    Guid JobId,
    Guid VideoId,
    JobState FromState,
    int FromAttempt,
    JobState ToState,
    int ToAttempt,
    DateTimeOffset At)
{
    /// <summary>Written as the job's error when set; kept when null, unless <see cref="ClearsError"/>.</summary>
    public JobError? Error { get; init; }

    /// <summary>A new attempt or a success leaves no error on the job (the attempt history keeps it).</summary>
    public bool ClearsError { get; init; }

    /// <summary>Written as is: the time the next attempt is due in RETRY_WAIT, null otherwise.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>Written when set (0 at a start, 100 at a success); kept otherwise, since heartbeats move it.</summary>
    public int? ProgressPercent { get; init; }

    /// <summary>Written when set (a start counts as the attempt's first sign of life); kept otherwise.</summary>
    public DateTimeOffset? HeartbeatAt { get; init; }

    /// <summary>The runner id and its submit time are cleared: the next attempt needs a new submission.</summary>
    public bool ClearBatchJobId { get; init; }

    /// <summary>When set, the transition applies only while the job still carries this runner id.</summary>
    public string? FenceBatchJobId { get; init; }

    /// <summary>Submissions that never started an attempt, written when set.</summary>
    public int? NeverStartedCount { get; init; }

    /// <summary>The runner's word on the last submission that never started, written when set.</summary>
    public string? NeverStartedReason { get; init; }

    /// <summary>Attempts lost to their host being terminated, written when set.</summary>
    public int? HostTerminationCount { get; init; }

    /// <summary>
    /// The attempt ends without publishing and the job waits for another: a playable pointer into its prefix is cleared in
    /// the same statement (decision 0018). Transitions with a <see cref="Video"/> effect set the pointer by the effect's status.
    /// </summary>
    public bool ClearsPlayable { get; init; }

    /// <summary>The video change that happens in the same statement, if any.</summary>
    public VideoEffect? Video { get; init; }

    /// <summary>
    /// The event about the job itself, written in the same statement whenever the transition wins
    /// (events about the video ride on <see cref="VideoEffect.Event"/>, written only where the video moved).
    /// </summary>
    public VideoEventType? JobEvent { get; init; }

    /// <summary>
    /// Storage prefixes that hold no published tree once this transition wins: queued for cleanup
    /// in the same statement, under this job (held while the job is unfinished, see <see cref="OrphanCleanup"/>).
    /// </summary>
    public IReadOnlyList<string> OrphanedPrefixes { get; init; } = [];

    public string OrphanReason { get; init; } = "";

    public DateTimeOffset? FinishedAt => ToState.IsTerminal() ? At : null;

    public bool StartsAttempt => ToState == JobState.Running;

    public bool EndsAttempt => FromState == JobState.Running && ToState != JobState.Running;
}

/// <summary>
/// The video side of a job transition, with its guard as data: a deleted video stays deleted, and
/// only the video's current job drives it. Stores apply the change only where <see cref="AppliesTo"/> holds.
/// </summary>
public sealed record VideoEffect(Guid VideoId, Guid DrivingJobId, VideoStatus Status, string? HlsPath = null)
{
    /// <summary>Written in the same statement only where the effect applies: a video that did not move tells nobody it did.</summary>
    public VideoEventType? Event { get; init; }

    /// <summary>With <see cref="HlsPath"/>: the published tree's poster, written as is (null: the tree has none).</summary>
    public string? PosterKey { get; init; }

    /// <summary>With <see cref="HlsPath"/>: the published tree's storyboard index, written as is.</summary>
    public string? StoryboardKey { get; init; }

    /// <summary>With <see cref="HlsPath"/>: the published tree's chapters (empty: none), written as they are.</summary>
    public Media.VideoChapterList Chapters { get; init; } = Media.VideoChapterList.Empty;

    /// <summary>With <see cref="HlsPath"/>: the published tree's WebVTT chapters track.</summary>
    public string? ChaptersKey { get; init; }

    /// <summary>The statuses a job may move its video from: every status but DELETING and DELETED.</summary>
    public static IReadOnlyList<VideoStatus> LiveStatuses { get; } =
        Enum.GetValues<VideoStatus>().Where(s => s is not (VideoStatus.Deleting or VideoStatus.Deleted)).ToArray();

    public IReadOnlyList<VideoStatus> AllowedFrom => LiveStatuses;

    public bool AppliesTo(LectureVideo video)
    {
        ArgumentNullException.ThrowIfNull(video);
        return video.Id == VideoId && AllowedFrom.Contains(video.Status) && video.CurrentJobId == DrivingJobId;
    }
}

/// <summary>
/// Attempt prefixes are cleaned up only once their job has finished: a later attempt may still
/// resume from an earlier attempt's uploaded segments, and a zombie's last writes land before the
/// deletion. Whole-video cleanups (deletion) are never held.
/// </summary>
public static class OrphanCleanup
{
    /// <summary>The job states that hold their attempts' cleanups back: the unfinished ones.</summary>
    public static IReadOnlyList<JobState> HoldingStates { get; } = Enum.GetValues<JobState>().Where(s => !s.IsTerminal()).ToArray();

    public static bool IsHeld(JobState? jobState) => jobState is { } state && HoldingStates.Contains(state);
}

/// <summary>
/// What a running attempt learned before encoding (<see cref="TranscodeJob.RecordEncodePlan"/>): stored fenced on
/// (RUNNING, <see cref="Attempt"/>), the decision on the job row and the source's metadata on its video.
/// </summary>
public sealed record EncodePlanRecord(Guid JobId, Guid VideoId, int Attempt, SourceMetadata Source, string TopRungCode, string TopRungReason, DateTimeOffset At)
{
    /// <summary>The loudness measurement (or why there is none), stored on the job row with the decision; null leaves it as it is.</summary>
    public Media.LoudnessMeasurement? Loudness { get; init; }

    /// <summary>The slides-or-camera decision with its figures, stored on the job row with the rest; null leaves it as it is.</summary>
    public Media.LectureProfile? Profile { get; init; }
}

/// <summary>
/// A running attempt's master playlist that can be played already (<see cref="TranscodeJob.MarkPlayable"/>): stored fenced
/// on (RUNNING, <see cref="Attempt"/>) on a PROCESSING video the job drives, with its <c>video.playable</c> event.
/// </summary>
public sealed record PlayableRecord(Guid JobId, Guid VideoId, int Attempt, string PlayablePath, DateTimeOffset At);

/// <summary>
/// Records the runner's id for a submission, fenced like a transition: the job must still be in
/// (<see cref="ExpectedState"/>, <see cref="ExpectedAttempt"/>) and still carry
/// <see cref="ExpectedBatchJobId"/>, which is always none: a job has at most one live submission, and
/// a lost one is cleared by <see cref="TranscodeJob.SubmissionNeverStarted"/> before the next.
/// </summary>
public sealed record JobSubmission(
    Guid JobId,
    JobState ExpectedState,
    int ExpectedAttempt,
    string? ExpectedBatchJobId,
    string BatchJobId,
    DateTimeOffset At);

public sealed class InvalidJobTransitionException(TranscodeJob job, string action)
    : DomainException(
        "INVALID_JOB_TRANSITION",
        $"Job {job.Id} is {job.State.ToWire()} (attempt {job.AttemptCount}); it cannot {action}.")
{
    public JobState From { get; } = job.State;
}
