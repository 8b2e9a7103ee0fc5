using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;
using Academy.Video.Domain.Videos;

namespace Academy.Video.Application.Transcoding;

/// <summary>
/// One attempt's work outside the job's state: a local work directory, the source's download, the probe, the encode
/// and the publication of the HLS tree under the attempt's prefix. It never throws for a failed attempt: what happened
/// comes back as an <see cref="AttemptOutcome"/>, and the caller moves the job.
/// </summary>
public interface ITranscodeAttempt
{
    /// <param name="job">The job, RUNNING at the attempt this runs.</param>
    /// <param name="journal">Where the attempt reports its progress and records its encode plan on the job.</param>
    /// <param name="cancellationToken">Cancelled when the attempt must stop (the container stops, the attempt was taken away).</param>
    Task<AttemptOutcome> RunAsync(TranscodeJob job, LectureVideo video, IAttemptJournal journal, CancellationToken cancellationToken);
}

/// <summary>What a running attempt tells its job.</summary>
public interface IAttemptJournal : IProgress<double>
{
    /// <summary>Records what the encode will be on the job, fenced on the attempt.</summary>
    /// <returns>False when the attempt was superseded: it must stop without encoding.</returns>
    /// <param name="loudness">The loudness measurement (or why there is none); null leaves the job's as it is.</param>
    /// <param name="profile">The slides-or-camera decision with its figures; null leaves the job's as it is.</param>
    Task<bool> RecordEncodePlanAsync(MediaInfo source, SourceCopyDecision topRung, LoudnessMeasurement? loudness, LectureProfile? profile, CancellationToken cancellationToken);

    /// <summary>
    /// The attempt has published a master (<paramref name="masterKey"/>, under its prefix) that plays what is up so far:
    /// the video becomes playable while PROCESSING, fenced on the attempt (decision 0018).
    /// </summary>
    /// <returns>False when the attempt was superseded (nothing written).</returns>
    Task<bool> MarkPlayableAsync(string masterKey, CancellationToken cancellationToken);

    /// <summary>
    /// Records the attempt's chunk plan (docs/decisions/0023-chunked-encoding.md), fenced on the attempt: chunk 0 is this
    /// attempt's, the others wait for their own runs. Returns chunk 0's journal, or null when the attempt was superseded.
    /// </summary>
    Task<IChunkJournal?> RecordChunkPlanAsync(string plan, IReadOnlyList<ChunkRange> ranges, CancellationToken cancellationToken);
}

/// <summary>What a running chunk attempt tells its chunk and job (decision 0023).</summary>
public interface IChunkJournal : IProgress<double>
{
    /// <summary>The chunk, RUNNING at the attempt this runs.</summary>
    JobChunk Chunk { get; }

    /// <summary>
    /// Chunk 0's run has published a master of what is up so far (decision 0026): the video becomes playable while
    /// PROCESSING, fenced on the job's attempt as a single run's is (decision 0018). False when the job moved on.
    /// </summary>
    Task<bool> MarkPlayableAsync(string masterKey, CancellationToken cancellationToken);

    /// <summary>Records the segments this attempt has uploaded so far, for chunk 0's EVENT playlists (decision 0026). False when the attempt no longer holds the chunk.</summary>
    Task<bool> RecordUploadedAsync(ChunkOutput uploaded, CancellationToken cancellationToken);

    /// <summary>The job's chunks as they are now: the later ones' segments, uploaded so far or stored, for chunk 0's EVENT playlists.</summary>
    Task<IReadOnlyList<JobChunk>> ListChunksAsync(CancellationToken cancellationToken);

    /// <summary>Records the chunk DONE with what it stored (fenced on its attempt), then tries to become the job's assembler.</summary>
    Task<ChunkStored> StoredAsync(ChunkOutput output, CancellationToken cancellationToken);
}

/// <summary>What became of a stored chunk.</summary>
public abstract record ChunkStored
{
    /// <summary>The attempt no longer held the chunk: nothing was recorded.</summary>
    public sealed record Lost : ChunkStored;

    /// <summary>Recorded; other chunks are still to finish (or another finisher assembles).</summary>
    public sealed record HandedOff : ChunkStored;

    /// <summary>Recorded, every chunk is done and this attempt assembles: it writes the playlists and the master and completes the job.</summary>
    public sealed record Elected(IReadOnlyList<JobChunk> Chunks) : ChunkStored;
}

/// <summary>A chunk run's work (decision 0023): download, plan from the job's stored decisions, encode the chunk's range, upload, record.</summary>
public interface IChunkAttempt
{
    Task<AttemptOutcome> RunAsync(TranscodeJob job, LectureVideo video, IChunkJournal journal, CancellationToken cancellationToken);
}

/// <summary>How an attempt ended, with the phase it ended in (for the logs: <c>download</c>, <c>probe</c>, <c>encode</c>, <c>upload</c>).</summary>
public abstract record AttemptOutcome(string Phase)
{
    /// <summary>The tree is published: the master's key, and the poster's and storyboard's when the encode wrote them.</summary>
    public sealed record Published(string HlsPath, string? PosterKey, string? StoryboardKey) : AttemptOutcome("complete")
    {
        /// <summary>The chapters found at the slide changes (thumbnail keys under the prefix) and their WebVTT track's key; null: none.</summary>
        public (IReadOnlyList<VideoChapter> List, string Key)? Chapters { get; init; }
    }

    /// <summary>The attempt failed; <see cref="Error"/> says whether another attempt can help.</summary>
    public sealed record Failed(string Phase, JobError Error, Exception Cause) : AttemptOutcome(Phase);

    /// <summary>The attempt's cancellation token stopped it.</summary>
    public sealed record Stopped(string Phase) : AttemptOutcome(Phase);

    /// <summary>The attempt's chunk is stored; the job stays RUNNING for its other chunks (decision 0023).</summary>
    public sealed record HandedOff(string Phase) : AttemptOutcome(Phase);

    /// <summary>The job refused the attempt's encode plan: another attempt holds the job now.</summary>
    public sealed record Superseded(string Phase, string Reason) : AttemptOutcome(Phase);
}
