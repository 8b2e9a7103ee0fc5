using Academy.Video.Application.Common;
using Academy.Video.Application.Jobs.ProcessJob;
using Academy.Video.Application.Storage;
using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;
using Academy.Video.Domain.Videos;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Academy.Video.Infrastructure.Transcoding;

/// <summary>
/// A chunk run (docs/decisions/0023-chunked-encoding.md) in its own work directory, removed when it ends: download the source,
/// plan from the job's stored decisions (loudness and profile reused, nothing measured again), refuse a plan other than the
/// one the chunks were cut for, then encode, upload and record the chunk (<see cref="ChunkWork"/>).
/// </summary>
public sealed class ChunkAttemptRunner(
    IObjectStorage storage,
    IMediaProbe probe,
    FfmpegHlsEncoder encoder,
    ChunkWork work,
    IOptions<WorkerOptions> workerOptions,
    ILogger<ChunkAttemptRunner> logger) : IChunkAttempt
{
    public async Task<AttemptOutcome> RunAsync(TranscodeJob job, LectureVideo video, IChunkJournal journal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(video);
        ArgumentNullException.ThrowIfNull(journal);
        var options = workerOptions.Value;
        var chunk = journal.Chunk;
        var workDirectory = Path.Combine(options.WorkDirectory, $"{job.Id:N}-a{job.AttemptCount}-c{chunk.Index}-{chunk.AttemptCount}");
        var phase = "download";
        try
        {
            Directory.CreateDirectory(workDirectory);
            var sourcePath = Path.Combine(workDirectory, "source" + Path.GetExtension(video.SourceKey));
            try
            {
                await storage.DownloadToFileAsync(video.SourceKey, sourcePath, cancellationToken);
            }
            catch (Exception ex) when (ex is not ObjectNotFoundException && !cancellationToken.IsCancellationRequested)
            {
                throw new StorageOperationException("download", video.SourceKey, ex);
            }

            phase = "probe";
            var source = await probe.ProbeAsync(sourcePath, cancellationToken);
            var renditions = HlsLadder.Plan(source.DisplayWidth, source.DisplayHeight, options.EffectiveRungs);
            var plan = await encoder.PlanAsync(
                new HlsEncodeRequest(sourcePath, source, renditions, Path.Combine(workDirectory, "hls"), options.SegmentDuration)
                {
                    PosterAtSeconds = video.PosterAtSeconds,
                    Loudness = job.Loudness,
                    Profile = job.Profile,
                },
                cancellationToken);
            if (plan.Fingerprint != chunk.Plan)
            {
                throw new TranscodeFailedException(JobError.Transient(JobErrorCodes.ChunkPlanMismatch,
                    $"This run plans {plan.Fingerprint[..12]}, the chunks were cut for {chunk.Plan[..Math.Min(12, chunk.Plan.Length)]} (another worker version or settings)."));
            }

            phase = "encode";
            var last = Math.Abs(chunk.Range.EndSeconds - source.Duration.TotalSeconds) < 1e-6;
            logger.LogInformation("{event} job {job_id} attempt {attempt} chunk {chunk} chunk_attempt {chunk_attempt} phase {phase}: segments {first_segment}-{end_segment}, {start_seconds}-{end_seconds} s",
                Application.Jobs.JobEvents.Phase, job.Id, job.AttemptCount, chunk.Index, chunk.AttemptCount, phase, chunk.Range.FirstSegment, chunk.Range.EndSegment, chunk.Range.StartSeconds, chunk.Range.EndSeconds);
            return await work.RunAsync(plan, journal, last, job.AttemptPrefix(chunk.JobAttempt), Path.Combine(workDirectory, "publish"), cancellationToken);
        }
        catch (Exception ex)
        {
            return ex is OperationCanceledException && cancellationToken.IsCancellationRequested
                ? new AttemptOutcome.Stopped(phase)
                : new AttemptOutcome.Failed(phase, AttemptFailures.Classify(ex), ex);
        }
        finally
        {
            try
            {
                if (Directory.Exists(workDirectory))
                {
                    Directory.Delete(workDirectory, recursive: true);
                }
            }
            catch (IOException ex)
            {
                logger.LogWarning(ex, "Could not remove the work directory {path}", workDirectory);
            }
        }
    }
}
