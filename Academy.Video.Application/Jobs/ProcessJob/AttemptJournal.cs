using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;
using Academy.Video.Domain.Videos;

namespace Academy.Video.Application.Jobs.ProcessJob;

/// <summary>The running attempt's line to its job: progress goes out with the heartbeat, the encode plan is stored fenced on the attempt.</summary>
internal sealed class AttemptJournal(TranscodeJob job, ITranscodeJobStore jobs, TimeProvider time, IProgress<double> heartbeat, IJobChunkStore? chunks = null) : IAttemptJournal
{
    public void Report(double value) => heartbeat.Report(value);

    public Task<bool> RecordEncodePlanAsync(MediaInfo source, SourceCopyDecision topRung, LoudnessMeasurement? loudness, LectureProfile? profile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(topRung);
        return jobs.TryRecordEncodePlanAsync(job.RecordEncodePlan(SourceMetadata.From(source), topRung.Code, topRung.Reason, time.GetUtcNow()) with { Loudness = loudness, Profile = profile }, cancellationToken);
    }

    public async Task<bool> MarkPlayableAsync(string masterKey, CancellationToken cancellationToken) =>
        await jobs.TryMarkPlayableAsync(job.MarkPlayable(masterKey, time.GetUtcNow()), cancellationToken) != PlayableResult.Superseded;

    public async Task<IChunkJournal?> RecordChunkPlanAsync(string plan, IReadOnlyList<ChunkRange> ranges, CancellationToken cancellationToken)
    {
        var store = chunks ?? throw new InvalidOperationException("No chunk store is registered: a job cannot be chunked here.");
        if (!await store.TryRecordPlanAsync(new ChunkPlanRecord(job.Id, job.AttemptCount, plan, ranges, time.GetUtcNow()), cancellationToken))
        {
            return null;
        }

        var first = await store.FindAsync(job.Id, 0, cancellationToken);
        return first is null ? null : new ChunkJournal(job, first, store, jobs, time, heartbeat);
    }
}

/// <summary>A chunk attempt's line to its chunk (decision 0023): DONE fenced on the attempt, then the election of the assembler; its uploads so far and chunk 0's early master (decision 0026).</summary>
internal sealed class ChunkJournal(TranscodeJob job, JobChunk chunk, IJobChunkStore chunks, ITranscodeJobStore jobs, TimeProvider time, IProgress<double> heartbeat) : IChunkJournal
{
    public JobChunk Chunk => chunk;

    public void Report(double value) => heartbeat.Report(value);

    public async Task<bool> MarkPlayableAsync(string masterKey, CancellationToken cancellationToken) =>
        await jobs.TryMarkPlayableAsync(job.MarkPlayable(masterKey, time.GetUtcNow()), cancellationToken) != PlayableResult.Superseded;

    public Task<bool> RecordUploadedAsync(ChunkOutput uploaded, CancellationToken cancellationToken) =>
        chunks.TryRecordUploadedAsync(chunk.RecordUploaded(uploaded), cancellationToken);

    public Task<IReadOnlyList<JobChunk>> ListChunksAsync(CancellationToken cancellationToken) => chunks.ListAsync(job.Id, cancellationToken);

    public async Task<ChunkStored> StoredAsync(ChunkOutput output, CancellationToken cancellationToken)
    {
        if (await chunks.TryChangeAsync(chunk.Complete(output, time.GetUtcNow()), cancellationToken) is null)
        {
            return new ChunkStored.Lost();
        }

        if (!await chunks.TryElectAssemblerAsync(job.Id, chunk.JobAttempt, $"chunk {chunk.Index} attempt {chunk.AttemptCount}", time.GetUtcNow(), cancellationToken))
        {
            return new ChunkStored.HandedOff();
        }

        return new ChunkStored.Elected(await chunks.ListAsync(job.Id, cancellationToken));
    }
}
