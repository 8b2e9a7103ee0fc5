namespace Academy.Video.Domain.Jobs;

public enum JobErrorKind
{
    /// <summary>Another attempt may succeed (network, storage, a killed container).</summary>
    Transient,
    /// <summary>No attempt can succeed (the source is not a video): the job goes FAILED, never retried.</summary>
    Permanent,
}

/// <summary>Why an attempt ended badly. Codes are stable: operators and clients match on them.</summary>
public sealed record JobError(string Code, string Message, JobErrorKind Kind)
{
    public bool IsPermanent => Kind == JobErrorKind.Permanent;

    public static JobError SourceMissing(string key) =>
        new(JobErrorCodes.SourceMissing, $"The source object '{key}' does not exist in storage.", JobErrorKind.Permanent);

    public static JobError SourceEmpty(string key) =>
        new(JobErrorCodes.SourceEmpty, $"The source object '{key}' is empty (0 bytes).", JobErrorKind.Permanent);

    public static JobError SourceUndecodable(string detail) =>
        new(JobErrorCodes.SourceUndecodable, $"The source is not a decodable media file: {detail}", JobErrorKind.Permanent);

    public static JobError NoVideoStream() =>
        new(JobErrorCodes.NoVideoStream, "The source has no video stream.", JobErrorKind.Permanent);

    public static JobError SourceDimensionsUnsupported(int width, int height, string why) =>
        new(JobErrorCodes.SourceDimensionsUnsupported, $"A {width}x{height} picture cannot be encoded to HLS: {why}", JobErrorKind.Permanent);

    public static JobError Transient(string code, string message) => new(code, message, JobErrorKind.Transient);

    public static JobError Cancelled(string reason) =>
        new(JobErrorCodes.Cancelled, $"The attempt was cancelled: {reason}", JobErrorKind.Transient);

    public static JobError StuckWithoutHeartbeat(TimeSpan silence) =>
        new(JobErrorCodes.HeartbeatTimeout, $"No heartbeat for {silence:c}; the attempt is presumed dead.", JobErrorKind.Transient);

    public static JobError VideoDeleted() =>
        new(JobErrorCodes.VideoDeleted, "The video was deleted while its job was pending.", JobErrorKind.Permanent);

    /// <summary>The runner ended the attempt because its host went away (a Spot reclaim): not the job's doing.</summary>
    public static JobError HostTerminated(string runnerReason) =>
        new(JobErrorCodes.HostTerminated, $"The attempt's host was terminated: {runnerReason}", JobErrorKind.Transient);

    /// <summary>More attempts lost to their host than <see cref="JobPolicy.MaxHostTerminations"/> allows.</summary>
    public static JobError HostTerminatedTooOften(int terminations, string runnerReason) =>
        new(JobErrorCodes.HostTerminated, $"{terminations} attempts lost their host (the last: {runnerReason}); the limit is reached.", JobErrorKind.Transient);

    public static JobError NeverStarted(int submissions, string? runnerReason) =>
        new(
            JobErrorCodes.NeverStarted,
            $"{submissions} submission(s) never started an attempt; the runner's last word: {runnerReason ?? "none"}.",
            JobErrorKind.Permanent);
}

public static class JobErrorCodes
{
    public const string SourceMissing = "SOURCE_MISSING";
    public const string SourceEmpty = "SOURCE_EMPTY";
    public const string SourceUndecodable = "SOURCE_UNDECODABLE";
    public const string NoVideoStream = "NO_VIDEO_STREAM";
    public const string SourceDimensionsUnsupported = "SOURCE_DIMENSIONS_UNSUPPORTED";
    public const string EncodeFailed = "ENCODE_FAILED";
    public const string StorageError = "STORAGE_ERROR";
    /// <summary>The worker's own disk (work directory) failed: full, unwritable, or in the way.</summary>
    public const string LocalDiskError = "LOCAL_DISK_ERROR";
    public const string Cancelled = "CANCELLED";
    public const string HeartbeatTimeout = "HEARTBEAT_TIMEOUT";
    public const string VideoDeleted = "VIDEO_DELETED";
    /// <summary>Every submission allowed was accepted by the runner and none ever started an attempt.</summary>
    public const string NeverStarted = "NEVER_STARTED";
    public const string Internal = "INTERNAL_ERROR";
    /// <summary>The runner ended the attempt because its host was terminated (a Spot reclaim); not counted toward Jobs:MaxAttempts.</summary>
    public const string HostTerminated = "HOST_TERMINATED";
    /// <summary>A chunk of a chunked job used every attempt (docs/decisions/0023-chunked-encoding.md): the job's attempt fails.</summary>
    public const string ChunkFailed = "CHUNK_FAILED";
    /// <summary>A chunk run planned otherwise than the plan its chunks were cut for (another worker version or settings).</summary>
    public const string ChunkPlanMismatch = "CHUNK_PLAN_MISMATCH";
}
