using Academy.Video.Domain.Media;

namespace Academy.Video.Domain.Jobs;

public enum ChunkState
{
    /// <summary>Waiting for a submission (planned, or released after a failed or silent attempt).</summary>
    Pending,
    /// <summary>The runner accepted a submission; no attempt has started.</summary>
    Submitted,
    Running,
    /// <summary>Its segments are stored and recorded.</summary>
    Done,
}

public static class ChunkStateNames
{
    public static string ToWire(this ChunkState state) => state switch
    {
        ChunkState.Pending => "PENDING",
        ChunkState.Submitted => "SUBMITTED",
        ChunkState.Running => "RUNNING",
        ChunkState.Done => "DONE",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static ChunkState ParseChunkState(string wire) => wire switch
    {
        "PENDING" => ChunkState.Pending,
        "SUBMITTED" => ChunkState.Submitted,
        "RUNNING" => ChunkState.Running,
        "DONE" => ChunkState.Done,
        _ => throw new ArgumentOutOfRangeException(nameof(wire), wire, "Unknown chunk state."),
    };
}

/// <summary>What a chunk stored for one variant: its segments in order and the variant's codec string (read from its bytes).</summary>
public sealed record ChunkVariantOutput(string? Codec, IReadOnlyList<HlsSegmentRecord> Segments);

/// <summary>
/// What a chunk attempt stored, recorded with its completion. Chunk 0 also carries what is made whole beside its range
/// (decision 0023): the audio variant's and a copied top rung's segments, the poster, the storyboard and the chapters.
/// </summary>
public sealed record ChunkOutput(IReadOnlyDictionary<string, ChunkVariantOutput> Variants)
{
    public string? PosterKey { get; init; }

    public string? StoryboardKey { get; init; }

    public IReadOnlyList<VideoChapter> Chapters { get; init; } = [];

    public string? ChaptersKey { get; init; }
}

/// <summary>
/// One chunk of a chunked job (decision 0023): a range of segments planned by job attempt <see cref="JobAttempt"/>, encoded
/// by chunk attempts of its own. <see cref="AttemptCount"/> fences every write of a chunk attempt, as the job's attempt
/// number fences the job's (decision 0001); every write is also fenced on the job RUNNING at <see cref="JobAttempt"/>.
/// </summary>
public sealed record JobChunk
{
    public required Guid JobId { get; init; }

    public required int Index { get; init; }

    /// <summary>The job attempt that planned the chunk: its prefix holds the tree.</summary>
    public required int JobAttempt { get; init; }

    public required ChunkRange Range { get; init; }

    /// <summary>The plan's fingerprint: a chunk run encodes only under the very plan the chunks were cut for.</summary>
    public required string Plan { get; init; }

    public ChunkState State { get; init; } = ChunkState.Pending;

    public int AttemptCount { get; init; }

    public string? RunnerJobId { get; init; }

    public DateTimeOffset? SubmittedAt { get; init; }

    public DateTimeOffset? LastHeartbeatAt { get; init; }

    public string? ErrorCode { get; init; }

    public string? ErrorMessage { get; init; }

    public ChunkOutput? Output { get; init; }

    /// <summary>
    /// While RUNNING: the segments its attempt has uploaded so far (decision 0026), which chunk 0's run names in its EVENT
    /// playlists before this chunk is done; null before the first record and after any change.
    /// </summary>
    public ChunkOutput? Uploaded { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The names a chunk attempt gives its segments: a single run's for the first attempt, marked by the attempt after.</summary>
    public static string SegmentPattern(int attempt) => attempt <= 1 ? "seg_%05d.ts" : $"seg_%05d-r{attempt}.ts";

    /// <summary>A worker begins chunk attempt <c>AttemptCount + 1</c>.</summary>
    public ChunkChange Start(DateTimeOffset now)
    {
        if (State is not (ChunkState.Pending or ChunkState.Submitted))
        {
            throw new InvalidOperationException($"Chunk {Index} of job {JobId} is {State.ToWire()}; an attempt cannot start.");
        }

        return Change(ChunkState.Running, AttemptCount + 1, now) with { ClearsError = true };
    }

    /// <summary>The running attempt stored its segments.</summary>
    public ChunkChange Complete(ChunkOutput output, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(output);
        RequireRunning("complete");
        return Change(ChunkState.Done, AttemptCount, now) with { Output = output };
    }

    /// <summary>What the running attempt has uploaded so far (decision 0026): not a state change, fenced on the attempt like a heartbeat.</summary>
    public ChunkUploadRecord RecordUploaded(ChunkOutput uploaded)
    {
        ArgumentNullException.ThrowIfNull(uploaded);
        RequireRunning("record its uploads");
        return new ChunkUploadRecord(JobId, Index, JobAttempt, AttemptCount, uploaded);
    }

    /// <summary>The running attempt failed or fell silent: the chunk waits for a new submission, the error kept.</summary>
    public ChunkChange Release(JobError error, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(error);
        RequireRunning("be released");
        return Change(ChunkState.Pending, AttemptCount, now) with { Error = error, ClearsRunner = true };
    }

    /// <summary>
    /// The runner lost the chunk's submission before any attempt started (it does not know it, ended it, or holds it blocked):
    /// the chunk waits for a new submission, and the lost one counts as an attempt, so a chunk whose submissions never start
    /// fails its job's attempt after <c>Jobs:MaxAttempts</c> like one whose runs fail (docs/decisions/0023-chunked-encoding.md).
    /// </summary>
    public ChunkChange ReleaseNeverStarted(JobError error, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (State != ChunkState.Submitted)
        {
            throw new InvalidOperationException($"Chunk {Index} of job {JobId} is {State.ToWire()}; only a submission that never started is released this way.");
        }

        return Change(ChunkState.Pending, AttemptCount + 1, now) with { Error = error, ClearsRunner = true };
    }

    /// <summary>Whether the chunk has used every attempt <paramref name="policy"/> allows: its job's attempt fails instead of another.</summary>
    public bool Exhausted(JobPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return AttemptCount >= policy.MaxAttempts;
    }

    /// <summary>The runner accepted a submission of the chunk.</summary>
    public ChunkChange RecordSubmission(string runnerJobId, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runnerJobId);
        if (State != ChunkState.Pending || RunnerJobId is not null)
        {
            throw new InvalidOperationException($"Chunk {Index} of job {JobId} is {State.ToWire()}; a submission cannot be recorded.");
        }

        return Change(ChunkState.Submitted, AttemptCount, now) with { RunnerJobId = runnerJobId };
    }

    private void RequireRunning(string action)
    {
        if (State != ChunkState.Running)
        {
            throw new InvalidOperationException($"Chunk {Index} of job {JobId} is {State.ToWire()}; it cannot {action}.");
        }
    }

    private ChunkChange Change(ChunkState to, int toAttempt, DateTimeOffset now) =>
        new(JobId, Index, JobAttempt, State, AttemptCount, to, toAttempt, now);
}

/// <summary>
/// A chunk's state change as a compare-and-set on (<see cref="FromState"/>, <see cref="FromAttempt"/>) of the chunk, and its job
/// RUNNING at <see cref="JobAttempt"/>: one conditional statement that returns the row it wrote, or nothing when another
/// writer won.
/// </summary>
public sealed record ChunkChange(Guid JobId, int Index, int JobAttempt, ChunkState FromState, int FromAttempt, ChunkState ToState, int ToAttempt, DateTimeOffset At)
{
    public JobError? Error { get; init; }

    public bool ClearsError { get; init; }

    /// <summary>The runner id recorded (a submission).</summary>
    public string? RunnerJobId { get; init; }

    /// <summary>The runner id cleared: the next attempt needs a new submission.</summary>
    public bool ClearsRunner { get; init; }

    public ChunkOutput? Output { get; init; }
}

/// <summary>A running chunk attempt's uploads so far (decision 0026), written fenced on (RUNNING, <see cref="Attempt"/>) and its job RUNNING at <see cref="JobAttempt"/>.</summary>
public sealed record ChunkUploadRecord(Guid JobId, int Index, int JobAttempt, int Attempt, ChunkOutput Uploaded);

/// <summary>A job attempt's chunk plan, recorded in one statement fenced on the job RUNNING at <see cref="JobAttempt"/>; chunk 0 is the planner's, RUNNING at its attempt 1.</summary>
public sealed record ChunkPlanRecord(Guid JobId, int JobAttempt, string Plan, IReadOnlyList<ChunkRange> Ranges, DateTimeOffset At);
