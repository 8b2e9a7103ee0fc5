using System.Diagnostics;
using Academy.Video.Application.Common;
using Academy.Video.Application.Jobs;
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
/// Runs an attempt in its own work directory, removed when it ends: download, probe, encode, upload, one step after
/// the other. A step that throws ends the attempt in that step's phase; what failed is judged by the exception's type
/// (<see cref="AttemptFailures"/>).
/// </summary>
public sealed class TranscodeAttemptRunner(
    IObjectStorage storage,
    IMediaProbe probe,
    IHlsEncoder encoder,
    HlsPublisher publisher,
    ResumeFinder resumeFinder,
    IOptions<WorkerOptions> workerOptions,
    ILogger<TranscodeAttemptRunner> logger,
    ChunkWork? chunkWork = null) : ITranscodeAttempt
{
    private readonly IObjectStorage storage = storage;
    private readonly IMediaProbe probe = probe;
    private readonly IHlsEncoder encoder = encoder;
    private readonly HlsPublisher publisher = publisher;
    private readonly ResumeFinder resumeFinder = resumeFinder;
    private readonly ChunkWork? chunkWork = chunkWork;
    private readonly ILogger logger = logger;

    public async Task<AttemptOutcome> RunAsync(TranscodeJob job, LectureVideo video, IAttemptJournal journal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(video);
        ArgumentNullException.ThrowIfNull(journal);
        var options = workerOptions.Value;
        var workDirectory = Path.Combine(options.WorkDirectory, $"{job.Id:N}-a{job.AttemptCount}");
        var attempt = new Attempt(this, options, job, video, journal, workDirectory, cancellationToken);
        try
        {
            foreach (var (phase, step) in attempt.Steps)
            {
                try
                {
                    if (await step() is { } ended)
                    {
                        return ended;
                    }
                }
                catch (Exception ex)
                {
                    return ex is OperationCanceledException && cancellationToken.IsCancellationRequested
                        ? new AttemptOutcome.Stopped(phase)
                        : new AttemptOutcome.Failed(phase, AttemptFailures.Classify(ex), ex);
                }
            }

            return attempt.Published!;
        }
        finally
        {
            await attempt.DisposeAsync();
            TryDeleteDirectory(workDirectory);
        }
    }

    private void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException ex)
        {
            logger.LogWarning(ex, "Could not remove the work directory {path}", path);
        }
    }

    /// <summary>One attempt's steps and what they hand each other.</summary>
    private sealed class Attempt(
        TranscodeAttemptRunner runner,
        WorkerOptions options,
        TranscodeJob job,
        LectureVideo video,
        IAttemptJournal journal,
        string workDirectory,
        CancellationToken cancellationToken) : IAsyncDisposable
    {
        private readonly Stopwatch clock = Stopwatch.StartNew();

        /// <summary>The worker process's age when the attempt began: .NET start-up, the host, the job's claim.</summary>
        private readonly long startedAfterMs = ProcessAgeMs();
        private readonly string sourcePath = Path.Combine(workDirectory, "source" + Path.GetExtension(video.SourceKey));
        private readonly string prefix = job.AttemptPrefix(job.AttemptCount);
        private HlsEncodePlan? plan;
        private AttemptResume? resume;
        private HlsPublication? publication;
        private HlsOutput? output;
        private IChunkJournal? chunk;
        private bool lastChunk;

        private int Number => job.AttemptCount;

        private ILogger Logger => runner.logger;

        /// <summary>The steps in order, each named by its phase. A step returns null to go on, or how the attempt ended.</summary>
        public IEnumerable<(string Phase, Func<Task<AttemptOutcome?>> Step)> Steps =>
        [
            ("download", DownloadAsync),
            ("probe", PlanAsync),
            ("encode", EncodeAsync),
            ("upload", PublishAsync),
        ];

        public AttemptOutcome.Published? Published { get; private set; }

        public async ValueTask DisposeAsync()
        {
            if (plan?.PendingProfile is { } pending)
            {
                // An attempt that ended before its profile was decided: the analysis reads the work directory about to be removed.
                await Task.WhenAny(pending);
            }

            if (publication is not null)
            {
                await publication.DisposeAsync();
                publication = null;
            }
        }

        private async Task<AttemptOutcome?> DownloadAsync()
        {
            Step("started", $"worker process {startedAfterMs} ms old");
            Directory.CreateDirectory(workDirectory);
            try
            {
                await runner.storage.DownloadToFileAsync(video.SourceKey, sourcePath, cancellationToken);
            }
            catch (Exception ex) when (ex is not ObjectNotFoundException && !cancellationToken.IsCancellationRequested)
            {
                throw new StorageOperationException("download", video.SourceKey, ex);
            }

            Step("downloaded", $"{new FileInfo(sourcePath).Length} bytes");
            return null;
        }

        private async Task<AttemptOutcome?> PlanAsync()
        {
            var source = await runner.probe.ProbeAsync(sourcePath, cancellationToken);
            Step("probed", $"{source.Duration:c}");
            var renditions = HlsLadder.Plan(source.DisplayWidth, source.DisplayHeight, options.EffectiveRungs);
            var outputDirectory = Path.Combine(workDirectory, "hls");
            plan = await runner.encoder.PlanAsync(
                new HlsEncodeRequest(sourcePath, source, renditions, outputDirectory, options.SegmentDuration)
                {
                    PosterAtSeconds = video.PosterAtSeconds,
                    Loudness = job.Loudness,
                    Profile = job.Profile,
                    // A first attempt has nothing to resume from, so nothing needs the whole plan's fingerprint before the copied rung starts.
                    MayDeferProfile = Number == 1,
                },
                cancellationToken);
            Step("planned", plan.PendingProfile is null ? "loudness, profile and key frames known" : "loudness and key frames known; the profile is still analysed beside the copied rung");
            Logger.LogInformation("{event} job {job_id} attempt {attempt} top_rung {top_rung} top_rung_code {top_rung_code}: {reason}",
                JobEvents.TopRungDecided, job.Id, Number, plan.TopRung.Copy ? "copy" : "encode", plan.TopRung.Code, plan.TopRung.Reason);
            Logger.LogInformation("{event} job {job_id} attempt {attempt} loudness {loudness_status} input_i {loudness_input_i} input_tp {loudness_input_tp} reused {loudness_reused}",
                JobEvents.LoudnessDecided, job.Id, Number, plan.Loudness.Status, plan.Loudness.InputIntegrated, plan.Loudness.InputTruePeak, job.Loudness is not null && job.Loudness == plan.Loudness);
            if (plan.PendingProfile is null)
            {
                LogProfile(plan);
            }

            if (!await journal.RecordEncodePlanAsync(source, plan.TopRung, plan.Loudness, plan.PendingProfile is null ? plan.Profile : null, cancellationToken))
            {
                return new AttemptOutcome.Superseded("probe", "the attempt was superseded before it could encode");
            }

            Step("plan_recorded", "on the job, fenced on the attempt");
            // A long source is encoded as chunks at once (docs/decisions/0023-chunked-encoding.md): this attempt encodes chunk 0.
            if (runner.chunkWork?.Split(plan) is { } ranges)
            {
                chunk = await journal.RecordChunkPlanAsync(plan.Fingerprint, ranges, cancellationToken);
                if (chunk is null)
                {
                    return new AttemptOutcome.Superseded("probe", "the attempt was superseded before it could record its chunks");
                }

                lastChunk = ranges.Count == 1;
                Logger.LogInformation("{event} job {job_id} attempt {attempt} chunks {chunks}: {ranges}",
                    JobEvents.ChunksPlanned, job.Id, Number, ranges.Count, string.Join(", ", ranges.Select(r => $"{r.FirstSegment}-{r.EndSegment}")));
                return null;
            }

            resume = plan.PendingProfile is null ? await runner.resumeFinder.FindAsync(job, plan, cancellationToken) : null;
            LogPhase("encode", $"{source.DisplayWidth}x{source.DisplayHeight} {source.Duration:c} -> {string.Join(',', renditions.Select(r => r.Name))}");
            return null;
        }

        private async Task<AttemptOutcome?> EncodeAsync()
        {
            if (chunk is not null)
            {
                return await runner.chunkWork!.RunAsync(plan!, chunk, lastChunk, prefix, Path.Combine(workDirectory, "publish"), cancellationToken);
            }

            publication = runner.publisher.Begin(
                new HlsPublicationTarget(prefix, Number, plan!.Fingerprint, plan.Request.OutputDirectory, Path.Combine(workDirectory, "publish")),
                cancellationToken);
            publication.GoLive(LiveTree());
            if (resume is not null)
            {
                publication.Reuse(resume.Point, resume.FromPrefix);
                Logger.LogInformation("{event} job {job_id} attempt {attempt} from_attempt {from_attempt} segments {segments}: the first segments of every video variant are copied from {from_prefix}",
                    JobEvents.AttemptResumed, job.Id, Number, resume.Point.Attempt, resume.Point.SegmentCount, resume.FromPrefix);
            }

            using var encodeStop = CancellationTokenSource.CreateLinkedTokenSource(publication.Token);
            var completing = plan.PendingProfile is null ? Task.FromResult<AttemptOutcome?>(null) : CompletePlanAsync(encodeStop);
            try
            {
                output = await runner.encoder.EncodeAsync(plan, resume?.Point, journal, publication, encodeStop.Token);
                if (await completing is { } ended)
                {
                    return ended;
                }

                output = await runner.encoder.AddDownloadsAsync(plan, output, FetchReusedAsync, publication.Token);
            }
            catch (Exception) when (publication.Failure is { } uploadFailure)
            {
                // The encoder was stopped because publishing failed: the upload's failure is the attempt's.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(uploadFailure);
                throw;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && completing.IsCompleted)
            {
                // The encoder was stopped because the plan could not be completed or the attempt was superseded: that says why.
                if (await completing is { } ended)
                {
                    return ended;
                }

                throw;
            }
            finally
            {
                if (!completing.IsCompleted)
                {
                    await encodeStop.CancelAsync();
                    await Task.WhenAny(completing);
                }
            }

            if (output.Downloads is { } downloads)
            {
                Logger.LogInformation("{event} job {job_id} attempt {attempt} rendition {rendition} mp4_bytes {mp4_bytes} m4a_bytes {m4a_bytes} duration_ms {duration_ms}: remuxed from the segments for download",
                    JobEvents.DownloadsMade, job.Id, Number, downloads.Rendition, downloads.VideoBytes, downloads.AudioBytes, (long)downloads.Elapsed.TotalMilliseconds);
            }

            return null;
        }

        /// <summary>
        /// A first attempt's plan whose profile was still being analysed when the copied rung started (decision 0024): once it is
        /// decided, it is logged and recorded on the job, fenced like the rest of the plan, and only then is the fingerprint
        /// given to the progress record, so a record that names segments always belongs to a job that holds its profile.
        /// </summary>
        private async Task<AttemptOutcome?> CompletePlanAsync(CancellationTokenSource encodeStop)
        {
            try
            {
                var whole = await runner.encoder.CompleteAsync(plan!, encodeStop.Token);
                LogProfile(whole);
                if (!await journal.RecordEncodePlanAsync(whole.Request.Source, whole.TopRung, whole.Loudness, whole.Profile, encodeStop.Token))
                {
                    await encodeStop.CancelAsync();
                    return new AttemptOutcome.Superseded("encode", "the attempt was superseded before its profile was recorded");
                }

                plan = whole;
                publication!.SetPlan(whole.Fingerprint);
                Step("profile_recorded", whole.Profile.Kind);
                return null;
            }
            catch (Exception)
            {
                await encodeStop.CancelAsync();
                throw;
            }
        }

        private void LogProfile(HlsEncodePlan decided) =>
            Logger.LogInformation("{event} job {job_id} attempt {attempt} profile {profile} still_share {still_share} motion {motion} analyzed_seconds {analyzed_seconds} reused {profile_reused}",
                JobEvents.ProfileDecided, job.Id, Number, decided.Profile.Kind, decided.Profile.StillShare, decided.Profile.Motion, decided.Profile.AnalyzedSeconds, job.Profile is not null && job.Profile == decided.Profile);

        /// <summary>The segments the resumed encode did not write, from the earlier attempt that stored them (held until the job ends, decision 0007).</summary>
        private Task FetchReusedAsync(IReadOnlyList<string> relativePaths, CancellationToken token) =>
            runner.storage.DownloadAllAsync(
                (resume ?? throw new InvalidOperationException($"{relativePaths[0]} is missing from an encode that did not resume.")).FromPrefix,
                plan!.Request.OutputDirectory,
                relativePaths,
                options.UploadParallelism,
                token);

        private async Task<AttemptOutcome?> PublishAsync()
        {
            LogPhase("upload", $"{output!.Files.Count} files written, the rest of the upload to {prefix}");
            var hlsPath = await publication!.FinishAsync(output);
            Published = new AttemptOutcome.Published(
                hlsPath,
                output.Poster is { } poster ? prefix + poster : null,
                output.Storyboard is { } storyboard ? prefix + storyboard : null)
            {
                Chapters = output.ChaptersTrack is { } track
                    ? (output.Chapters.Select(c => c with { ThumbnailKey = c.ThumbnailKey is { } thumbnail ? prefix + thumbnail : null }).ToList(), prefix + track)
                    : null,
            };
            return null;
        }

        private HlsLiveTree LiveTree() =>
            HlsLiveTree.Of(plan!, runner.probe, async (masterKey, token) =>
            {
                var marked = await journal.MarkPlayableAsync(masterKey, token);
                Logger.LogInformation("{event} job {job_id} attempt {attempt} elapsed_ms {duration_ms} marked {marked}: the video plays from {master}",
                    JobEvents.Playable, job.Id, Number, clock.ElapsedMilliseconds, marked, masterKey);
                return marked;
            }) with
            {
                OnStep = (step, detail) => Step(step, detail),
            };

        private void Step(string step, string detail) =>
            Logger.LogInformation("{event} job {job_id} attempt {attempt} step {step} elapsed_ms {duration_ms} process_ms {process_ms}: {detail}",
                JobEvents.AttemptStep, job.Id, Number, step, clock.ElapsedMilliseconds, startedAfterMs + clock.ElapsedMilliseconds, detail);

        private static long ProcessAgeMs()
        {
            using var self = Process.GetCurrentProcess();
            return (long)(TimeProvider.System.GetUtcNow() - self.StartTime.ToUniversalTime()).TotalMilliseconds;
        }

        private void LogPhase(string phase, string detail) =>
            Logger.LogInformation("{event} job {job_id} attempt {attempt} phase {phase} elapsed_ms {duration_ms}: {detail}",
                JobEvents.Phase, job.Id, Number, phase, clock.ElapsedMilliseconds, detail);
    }
}
