namespace Academy.Video.Application.Jobs;

/// <summary>The <c>event</c> values operators grep worker logs for (docs/contract.md §3). Stable names.</summary>
public static class JobEvents
{
    public const string ProcessStart = "BATCH_PROCESS_START";
    public const string JobCompleted = "BATCH_JOB_COMPLETED";
    public const string JobFailed = "BATCH_JOB_FAILED";
    public const string JobNotFound = "JOB_NOT_FOUND";
    public const string IdempotentDone = "IDEMPOTENT_DONE";
    public const string IdempotentReady = "IDEMPOTENT_READY";
    public const string JobNotRunnable = "JOB_NOT_RUNNABLE";
    public const string AttemptSuperseded = "ATTEMPT_SUPERSEDED";
    public const string Phase = "BATCH_PHASE";
    /// <summary>The top rung is the source's video copied (SOURCE_COPY) or encoded, and why: fields top_rung, top_rung_code, reason.</summary>
    public const string TopRungDecided = "TOP_RUNG_DECIDED";
    /// <summary>What the audio's loudness normalisation will do (docs/encoding.md): fields loudness_status, loudness_input_i, loudness_input_tp, loudness_reused.</summary>
    public const string LoudnessDecided = "LOUDNESS_DECIDED";
    /// <summary>Whether the video is encoded as slides or camera (docs/encoding.md, Slides profile): fields profile, still_share, motion, analyzed_seconds, profile_reused.</summary>
    public const string ProfileDecided = "PROFILE_DECIDED";
    /// <summary>The attempt reuses segments an earlier attempt of the job stored: fields from_attempt, segments, resume_seconds.</summary>
    public const string AttemptResumed = "ATTEMPT_RESUMED";
    /// <summary>The attempt published its first segments and an early master: the video plays while PROCESSING (decision 0018).</summary>
    public const string Playable = "ATTEMPT_PLAYABLE";
    /// <summary>
    /// A step of an attempt on its way to the first playable segment (docs/performance.md, First playable): fields step,
    /// elapsed_ms (since the attempt began) and process_ms (since the worker process started).
    /// </summary>
    public const string AttemptStep = "ATTEMPT_STEP";
    /// <summary>The MP4 and M4A for download were remuxed from the segments (docs/encoding.md): fields rendition, mp4_bytes, m4a_bytes, duration_ms.</summary>
    public const string DownloadsMade = "DOWNLOADS_MADE";
    public const string Submitted = "JOB_SUBMITTED";
    /// <summary>The runner refused, failed or did not answer in time: nothing was submitted.</summary>
    public const string SubmitFailed = "JOB_SUBMIT_FAILED";
    /// <summary>The runner accepted a submission, but the job had moved on before its id was recorded.</summary>
    public const string SubmissionSuperseded = "JOB_SUBMISSION_SUPERSEDED";
    /// <summary>Settings that cannot work: the process exits 1 before touching any job.</summary>
    public const string InvalidSettings = "INVALID_SETTINGS";
    public const string Recovery = "RECOVERY_ACTION";
    /// <summary>A long source's plan split into chunks (docs/decisions/0023-chunked-encoding.md).</summary>
    public const string ChunksPlanned = "CHUNKS_PLANNED";
    /// <summary>A chunk attempt stored its segments; the job waits for its other chunks.</summary>
    public const string ChunkDone = "CHUNK_DONE";
    /// <summary>A chunk attempt failed or was stopped: the chunk waits for a new submission, or its job's attempt failed.</summary>
    public const string ChunkFailed = "CHUNK_FAILED";
}
