using Academy.Video.Application.Common;
using Academy.Video.Application.Storage;
using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Academy.Video.Infrastructure.Transcoding;

/// <summary>
/// One chunk attempt's encode and publication (docs/decisions/0023-chunked-encoding.md), for the planner's chunk 0 and for a
/// chunk run alike: encode the range, upload each segment as ffmpeg closes it under the job attempt's prefix, record the chunk
/// DONE, and when elected, write every variant playlist and the master last from the chunks' records. While it encodes, a
/// later chunk records what it has uploaded every few seconds, and chunk 0's run publishes EVENT playlists of every segment
/// that continues the run from the first, its own and the later chunks', and marks the video playable
/// (docs/decisions/0026-chunked-videos-play-early.md).
/// </summary>
public sealed class ChunkWork(
    IObjectStorage storage,
    FfmpegHlsEncoder encoder,
    HlsPublisher publisher,
    IMediaProbe probe,
    TimeProvider time,
    IOptions<TranscodingOptions> transcoding,
    IOptions<WorkerOptions> worker,
    ILogger<ChunkWork> logger)
{
    /// <summary>
    /// Chunk 0's extras as a share of encoding the whole video (ChunkPlan.Split): measured by the parallel bench, where with
    /// equal ranges chunk 0 took 121 s and chunk 1 105 s against 180 s for the whole ladder in one run (docs/performance.md).
    /// </summary>
    public const double FirstChunkExtras = 0.09;

    /// <summary>The chunk plan for <paramref name="plan"/>, or null when it is not chunked: too short, chunking off, a copied top rung, or one chunk.</summary>
    public IReadOnlyList<ChunkRange>? Split(HlsEncodePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var options = transcoding.Value;
        var request = plan.Request;
        var duration = request.Source.Duration.TotalSeconds;
        if (!ChunkPlan.Applies(duration, options.ChunkThreshold) || plan.TopRung.Copy || !plan.Resumable)
        {
            return null;
        }

        var cuts = HlsCuts.EncodedBoundaries(request);
        var ranges = ChunkPlan.Split(cuts, duration, options.ChunkLength, options.MaxChunks, FirstChunkExtras);
        return ranges.Count > 1 ? ranges : null;
    }

    /// <param name="last">Whether the chunk ends the video.</param>
    /// <param name="prefix">The job attempt's prefix, where the whole tree goes.</param>
    /// <param name="scratchDirectory">A local folder outside the encoder's output, for the live playlists before they are uploaded.</param>
    public async Task<AttemptOutcome> RunAsync(HlsEncodePlan plan, IChunkJournal journal, bool last, string prefix, string scratchDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(journal);
        var chunk = journal.Chunk;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var publication = publisher.Begin(
            new HlsPublicationTarget(prefix, chunk.JobAttempt, plan.Fingerprint, plan.Request.OutputDirectory, scratchDirectory) { RecordsProgress = false },
            cancellationToken);
        var first = chunk.Range.FirstSegment == 0;
        if (first)
        {
            publication.GoLive(LiveTree(plan, journal, clock));
        }

        HlsChunkOutput output;
        using (var encodeStop = CancellationTokenSource.CreateLinkedTokenSource(publication.Token))
        {
            var recording = first ? Task.CompletedTask : RecordUploadsAsync(publication, journal, plan.Request.SegmentDuration, encodeStop.Token);
            try
            {
                output = await encoder.EncodeChunkAsync(plan, chunk, last, journal, publication, encodeStop.Token);
                await publication.FinishChunkAsync(output.Files);
            }
            catch (Exception) when (publication.Failure is { } uploadFailure)
            {
                // The encoder was stopped because an upload failed: that failure is the attempt's.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(uploadFailure);
                throw;
            }
            finally
            {
                await encodeStop.CancelAsync();
                await recording;
            }
        }

        var recorded = new ChunkOutput(output.Variants)
        {
            PosterKey = output.Poster is { } poster ? prefix + poster : null,
            StoryboardKey = output.Storyboard is { } storyboard ? prefix + storyboard : null,
            Chapters = output.Chapters.Select(c => c with { ThumbnailKey = c.ThumbnailKey is { } thumbnail ? prefix + thumbnail : null }).ToList(),
            ChaptersKey = output.ChaptersTrack is { } track ? prefix + track : null,
        };

        switch (await journal.StoredAsync(recorded, cancellationToken))
        {
            case ChunkStored.Lost:
                return new AttemptOutcome.Superseded("upload", "the chunk attempt was superseded before it could record its segments");
            case ChunkStored.Elected elected:
                // Assembled beside this chunk's own segments, so the downloads bring down only the other chunks'.
                var tree = output.OutputDirectory;
                var files = FfmpegHlsEncoder.WriteChunkedTree(plan, elected.Chunks, tree);
                await AddDownloadsAsync(plan, journal, publication, prefix, tree, files, cancellationToken);
                logger.LogInformation("Chunk {chunk}: every chunk is done; writing {playlists} playlists, the master last", chunk.Index, files.Count);
                // One after the other: every variant playlist is up before the master names it.
                foreach (var file in files)
                {
                    await publication.UploadFilesAsync([file]);
                }

                var whole = elected.Chunks.Single(c => c.Index == 0).Output!;
                return new AttemptOutcome.Published(prefix + FfmpegHlsArguments.MasterPlaylistName, whole.PosterKey, whole.StoryboardKey)
                {
                    Chapters = whole.ChaptersKey is { } key ? (whole.Chapters, key) : null,
                };
            default:
                return new AttemptOutcome.HandedOff("upload");
        }
    }

    /// <summary>
    /// Chunk 0's live tree (decision 0026): every rung and the audio, as a single run's encoded path publishes them (0018), each
    /// variant's run continued by the later chunks' segments as soon as they follow on — uploaded so far by a running chunk,
    /// or stored by a done one, at this job attempt.
    /// </summary>
    private HlsLiveTree LiveTree(HlsEncodePlan plan, IChunkJournal journal, System.Diagnostics.Stopwatch clock)
    {
        var chunk = journal.Chunk;
        return HlsLiveTree.Of(plan, probe, async (masterKey, token) =>
        {
            var marked = await journal.MarkPlayableAsync(masterKey, token);
            logger.LogInformation("{event} job {job_id} attempt {attempt} chunk {chunk} elapsed_ms {duration_ms} marked {marked}: the video plays from {master}",
                Application.Jobs.JobEvents.Playable, chunk.JobId, chunk.JobAttempt, chunk.Index, clock.ElapsedMilliseconds, marked, masterKey);
            return marked;
        }) with
        {
            OnStep = (step, detail) => logger.LogInformation("{event} job {job_id} attempt {attempt} chunk {chunk} step {step} elapsed_ms {duration_ms}: {detail}",
                Application.Jobs.JobEvents.AttemptStep, chunk.JobId, chunk.JobAttempt, chunk.Index, step, clock.ElapsedMilliseconds, detail),
            Elsewhere = async token =>
            {
                var later = (await journal.ListChunksAsync(token))
                    .Where(c => c.Index > chunk.Index && c.JobAttempt == chunk.JobAttempt)
                    .Select(c => c.State == ChunkState.Done ? c.Output : c.State == ChunkState.Running ? c.Uploaded : null)
                    .OfType<ChunkOutput>()
                    .SelectMany(o => o.Variants)
                    .GroupBy(v => v.Key, StringComparer.Ordinal);
                return later.ToDictionary(g => g.Key, g => (IReadOnlyList<HlsSegmentRecord>)g.SelectMany(v => v.Value.Segments).ToList(), StringComparer.Ordinal);
            },
        };
    }

    /// <summary>
    /// A later chunk's uploads so far, recorded on its row every few seconds while it encodes (decision 0026), for chunk 0's
    /// EVENT playlists. A failed write is tried at the next round; an attempt that lost the chunk stops recording.
    /// </summary>
    private async Task RecordUploadsAsync(HlsPublication publication, IChunkJournal journal, TimeSpan segment, CancellationToken cancellationToken)
    {
        var interval = HlsPublication.LiveInterval(segment.TotalSeconds);
        var recorded = 0;
        try
        {
            while (true)
            {
                await Task.Delay(interval, time, cancellationToken);
                var changes = publication.Changes;
                if (changes == recorded)
                {
                    continue;
                }

                var uploaded = new ChunkOutput(publication.UploadedSegments().ToDictionary(v => v.Key, v => new ChunkVariantOutput(null, v.Value), StringComparer.Ordinal));
                try
                {
                    if (!await journal.RecordUploadedAsync(uploaded, cancellationToken))
                    {
                        return;
                    }

                    recorded = changes;
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "Chunk {chunk}: could not record its uploads so far; trying again in {interval}", journal.Chunk.Index, interval);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// The downloads of decision 0022, made as a single run makes them: the download rung's and the audio's segments are
    /// brought down from the tree where this run did not write them (the other chunks', and the audio unless this is
    /// chunk 0), remuxed, and uploaded before any playlist, so a READY video has them.
    /// </summary>
    private async Task AddDownloadsAsync(HlsEncodePlan plan, IChunkJournal journal, HlsPublication publication, string prefix, string tree, IReadOnlyList<string> playlists, CancellationToken cancellationToken)
    {
        var assembled = new HlsOutput(tree, FfmpegHlsArguments.MasterPlaylistName, playlists);
        var output = await encoder.AddDownloadsAsync(plan, assembled, (missing, token) => storage.DownloadAllAsync(prefix, tree, missing, worker.Value.UploadParallelism, token), cancellationToken);
        if (output.Downloads is not { } downloads)
        {
            return;
        }

        await publication.UploadFilesAsync(downloads.Audio is { } audio ? [downloads.Video, audio] : [downloads.Video]);
        logger.LogInformation("{event} job {job_id} attempt {attempt} chunk {chunk} rendition {rendition} mp4_bytes {mp4_bytes} m4a_bytes {m4a_bytes} duration_ms {duration_ms}: remuxed from every chunk's segments for download",
            Application.Jobs.JobEvents.DownloadsMade, journal.Chunk.JobId, journal.Chunk.JobAttempt, journal.Chunk.Index, downloads.Rendition, downloads.VideoBytes, downloads.AudioBytes, (long)downloads.Elapsed.TotalMilliseconds);
    }
}
