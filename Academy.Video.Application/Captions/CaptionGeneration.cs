using Academy.Video.Application.Common;
using Academy.Video.Application.Jobs;
using Academy.Video.Application.Storage;
using Academy.Video.Application.Videos;
using Academy.Video.Domain.Captions;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using Mediator;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Academy.Video.Application.Captions;

/// <summary>
/// A video's caption generation, a unit of work like a transcode job: QUEUED → RUNNING (attempt n, heartbeat) →
/// READY, FAILED or SKIPPED; a lost attempt is resubmitted until <c>MaxAttempts</c> (docs/decisions/0017-caption-generation-unit-of-work.md).
/// </summary>
public sealed record CaptionGeneration(
    Guid Id, Guid VideoId, string Status, string RequestedLanguage, string? Language, int Attempts, int MaxAttempts,
    string? ErrorCode, string? ErrorMessage, DateTimeOffset UpdatedAt);

public static class CaptionGenerationStatus
{
    public const string Queued = "QUEUED";
    public const string Running = "RUNNING";
    public const string Ready = "READY";
    public const string Failed = "FAILED";
    public const string Skipped = "SKIPPED";
}

/// <summary>The codes a generation ends with (docs/api.md, Captions: generated tracks).</summary>
public static class CaptionGenerationCodes
{
    public const string ModelUnavailable = "CAPTION_MODEL_UNAVAILABLE";
    public const string NoAudio = "CAPTION_NO_AUDIO";
    public const string NoSpeech = "CAPTION_NO_SPEECH";
    public const string NotPublished = "CAPTION_NOT_PUBLISHED";
    public const string GenerationFailed = "CAPTION_GENERATION_FAILED";
    public const string AttemptsExhausted = "CAPTION_ATTEMPTS_EXHAUSTED";
    public const string NeverStarted = "CAPTION_NEVER_STARTED";
}

/// <summary>The attempt a worker holds: every later write is fenced on it.</summary>
public sealed record CaptionAttempt(Guid Id, Guid VideoId, string RequestedLanguage, int Attempt);

/// <summary>Caption generation records. Every state change is one conditional statement; none is held across the work.</summary>
public interface ICaptionGenerationStore
{
    /// <summary>Queues a generation for READY videos that have none, oldest first, at most <paramref name="limit"/>; returns how many.</summary>
    Task<int> EnqueueForReadyVideosAsync(string requestedLanguage, int maxAttempts, DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Ends FAILED the generations that cannot go on: a silent RUNNING attempt that was the last one
    /// (CAPTION_ATTEMPTS_EXHAUSTED), a generation submitted twice its attempts over and never started (CAPTION_NEVER_STARTED).
    /// </summary>
    Task<int> ExhaustAsync(DateTimeOffset now, TimeSpan stuckThreshold, CancellationToken cancellationToken);

    /// <summary>
    /// Claims for submission the QUEUED generations not submitted within <paramref name="submitGrace"/> and the RUNNING
    /// ones whose heartbeat is older than <paramref name="stuckThreshold"/>, with attempts left; returns their ids.
    /// </summary>
    Task<IReadOnlyList<Guid>> ClaimSubmissionsAsync(DateTimeOffset now, TimeSpan submitGrace, TimeSpan stuckThreshold, int limit, CancellationToken cancellationToken);

    /// <summary>QUEUED (or RUNNING and silent) → RUNNING with the next attempt; null when the generation is not this worker's to run.</summary>
    Task<CaptionAttempt?> StartAsync(Guid id, DateTimeOffset now, TimeSpan stuckThreshold, CancellationToken cancellationToken);

    /// <summary>False when the attempt no longer holds the generation.</summary>
    Task<bool> HeartbeatAsync(CaptionAttempt attempt, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>RUNNING (this attempt) → READY, FAILED or SKIPPED; false when the attempt no longer holds the generation.</summary>
    Task<bool> FinishAsync(CaptionAttempt attempt, string status, string? language, string? errorCode, string? errorMessage, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>RUNNING (this attempt) → QUEUED for another attempt, or FAILED when it was the last one.</summary>
    Task<bool> ReleaseAsync(CaptionAttempt attempt, string errorCode, string errorMessage, DateTimeOffset now, CancellationToken cancellationToken);

    Task<CaptionGeneration?> FindByVideoAsync(Guid videoId, CancellationToken cancellationToken);
}

/// <param name="Language">The language the engine transcribed: the configured one, or the one it detected.</param>
public sealed record Transcription(string Language, IReadOnlyList<TranscriptSegment> Segments);

/// <summary>Speech to text: the source's audio track to timed segments. Whisper.net in production (docs/operations.md, generated captions).</summary>
public interface ICaptionTranscriber
{
    /// <param name="sourceKey">The uploaded source in storage; the adapter fetches what it needs into its own scratch folder and removes it.</param>
    /// <param name="workName">A name for that scratch folder, unique to the attempt.</param>
    /// <param name="language"><c>auto</c> or a language code.</param>
    /// <exception cref="CaptionTranscriptionException">A named failure: the model cannot be loaded, the source has no audio.</exception>
    Task<Transcription> TranscribeAsync(string sourceKey, string workName, string language, CancellationToken cancellationToken);
}

/// <summary>A failure with its stable code (<see cref="CaptionGenerationCodes"/>); no later attempt would do better.</summary>
public sealed class CaptionTranscriptionException(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Code { get; } = code;
}

/// <summary>Starts <c>Academy.Video.Worker caption &lt;generation-id&gt;</c> through the runner the transcodes use.</summary>
public interface ICaptionRunner
{
    Task<string> SubmitCaptionAsync(Guid generationId, CancellationToken cancellationToken);
}

/// <summary>Run by the API every <c>Captions:Whisper:DispatchInterval</c>: queue, end what cannot go on, submit.</summary>
public sealed record DispatchCaptionGenerationsCommand : ICommand<int>;

public sealed class DispatchCaptionGenerationsHandler(
    ICaptionGenerationStore generations, ICaptionRunner runner, IOptions<CaptionOptions> options, JobPolicy policy, TimeProvider time,
    ILogger<DispatchCaptionGenerationsHandler> logger) : ICommandHandler<DispatchCaptionGenerationsCommand, int>
{
    private const int BatchSize = 20;

    public async ValueTask<int> Handle(DispatchCaptionGenerationsCommand command, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.Engine != CaptionEngine.Whisper)
        {
            return 0;
        }

        var now = time.GetUtcNow();
        await generations.EnqueueForReadyVideosAsync(settings.Whisper.Language, settings.Whisper.MaxAttempts, now, BatchSize, cancellationToken);
        var ended = await generations.ExhaustAsync(now, policy.StuckThreshold, cancellationToken);
        if (ended > 0)
        {
            logger.LogWarning("{event} {count} caption generation(s) ended FAILED: attempts exhausted or never started", "CAPTION_GENERATION_EXHAUSTED", ended);
        }

        var submitted = 0;
        foreach (var id in await generations.ClaimSubmissionsAsync(now, policy.SubmitGracePeriod, policy.StuckThreshold, BatchSize, cancellationToken))
        {
            try
            {
                var runnerJobId = await runner.SubmitCaptionAsync(id, cancellationToken);
                logger.LogInformation("{event} caption generation {generation_id} submitted as {runner_job_id}", "CAPTION_GENERATION_SUBMITTED", id, runnerJobId);
                submitted++;
            }
            catch (JobSubmissionException refused)
            {
                // The claim lapses after the grace period and a later tick submits it again.
                logger.LogError("{event} caption generation {generation_id} was not submitted: {error_message}", "CAPTION_GENERATION_SUBMIT_FAILED", id, refused.Message);
            }
        }

        return submitted;
    }
}

/// <summary>The worker's <c>caption &lt;generation-id&gt;</c> command: one attempt, then exit (0 when the generation needs nothing more from this process).</summary>
public sealed record GenerateCaptionCommand(Guid GenerationId) : ICommand<int>;

public sealed class GenerateCaptionHandler(
    ICaptionGenerationStore generations, IVideoStore videos, ICaptionTrackStore tracks, IPublishedTextObjects objects,
    CaptionPublisher publisher, ICaptionTranscriber transcriber, IOptions<WorkerOptions> worker, JobPolicy policy, TimeProvider time,
    ILogger<GenerateCaptionHandler> logger) : ICommandHandler<GenerateCaptionCommand, int>
{
    public async ValueTask<int> Handle(GenerateCaptionCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var attempt = await generations.StartAsync(command.GenerationId, time.GetUtcNow(), policy.StuckThreshold, cancellationToken);
        if (attempt is null)
        {
            logger.LogInformation("{event} caption generation {generation_id} is not this worker's to run (finished, running elsewhere, or out of attempts)", "CAPTION_GENERATION_NOT_CLAIMED", command.GenerationId);
            return 0;
        }

        logger.LogInformation("{event} caption generation {generation_id} attempt {attempt} for video {video_id}", "CAPTION_GENERATION_STARTED", attempt.Id, attempt.Attempt, attempt.VideoId);
        using var fenced = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var heartbeatStop = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(attempt, fenced, heartbeatStop.Token);
        try
        {
            var (status, language, code, message) = await RunAsync(attempt, fenced.Token);
            await heartbeatStop.CancelAsync();
            await heartbeat;
            var finished = await generations.FinishAsync(attempt, status, language, code, message, time.GetUtcNow(), CancellationToken.None);
            logger.Log(status == CaptionGenerationStatus.Failed ? LogLevel.Error : LogLevel.Information,
                "{event} caption generation {generation_id} attempt {attempt} ended {status} {error_code}: {error_message} (recorded: {recorded})",
                "CAPTION_GENERATION_FINISHED", attempt.Id, attempt.Attempt, status, code, message, finished);
            return 0;
        }
        catch (Exception error)
        {
            await heartbeatStop.CancelAsync();
            await heartbeat;
            var reason = cancellationToken.IsCancellationRequested ? "the worker was stopped"
                : fenced.IsCancellationRequested ? "the attempt lost its generation" : error.Message;
            var released = await generations.ReleaseAsync(attempt, CaptionGenerationCodes.GenerationFailed, reason, time.GetUtcNow(), CancellationToken.None);
            logger.LogError(error, "{event} caption generation {generation_id} attempt {attempt} failed ({released}): {error_message}",
                "CAPTION_GENERATION_ATTEMPT_FAILED", attempt.Id, attempt.Attempt, released, reason);
            return 1;
        }
    }

    private async Task<(string Status, string? Language, string? Code, string? Message)> RunAsync(CaptionAttempt attempt, CancellationToken cancellationToken)
    {
        var video = await videos.FindAsync(attempt.VideoId, cancellationToken);
        if (video is not { Status: VideoStatus.Ready, HlsPath: not null })
        {
            return (CaptionGenerationStatus.Skipped, null, CaptionGenerationCodes.NotPublished, "The video is no longer READY.");
        }

        // The probe the transcode stored says whether there is anything to hear; an older video without it is found out by the extraction.
        if (video.Source is { AudioCodec: null })
        {
            return (CaptionGenerationStatus.Skipped, null, CaptionGenerationCodes.NoAudio, "The source has no audio track.");
        }

        Transcription transcription;
        try
        {
            transcription = await transcriber.TranscribeAsync(video.SourceKey, $"caption-{attempt.Id:N}-a{attempt.Attempt}", attempt.RequestedLanguage, cancellationToken);
        }
        catch (CaptionTranscriptionException named)
        {
            return (named.Code == CaptionGenerationCodes.NoAudio ? CaptionGenerationStatus.Skipped : CaptionGenerationStatus.Failed, null, named.Code, named.Message);
        }

        var language = CaptionLanguage.TryNormalize(transcription.Language, out var normalized) ? normalized : "und";
        if (GeneratedCaptions.ToTrack(transcription.Segments) is not { } file)
        {
            return (CaptionGenerationStatus.Skipped, language, CaptionGenerationCodes.NoSpeech, "The engine recognised no speech.");
        }

        // The publish path of an upload, under the generated track's own object names (docs/api.md, Captions: generated tracks).
        var root = CaptionPublisher.TreeRoot(video);
        var vttKey = StorageKeys.CaptionTrack(root, language, GeneratedCaptions.StorageKind);
        var playlistKey = StorageKeys.CaptionPlaylist(root, language, GeneratedCaptions.StorageKind);
        var vtt = await publisher.WriteTrackAsync(video, vttKey, file, cancellationToken);
        var seconds = video.Source?.DurationSeconds is > 0 and var d ? d : file.End.TotalSeconds;
        await objects.WriteTextAsync(playlistKey, SubtitlePlaylists.MediaPlaylist(vttKey[(vttKey.LastIndexOf('/') + 1)..], seconds), CaptionPublisher.PlaylistContentType, cancellationToken);
        var now = time.GetUtcNow();
        var track = new CaptionTrack(video.Id, language, CaptionKind.Subtitles, GeneratedCaptions.Label(language), vttKey, playlistKey,
            System.Text.Encoding.UTF8.GetByteCount(vtt), file.Cues.Count, now, now);
        if (!await tracks.SaveGeneratedIfReadyAsync(track, file.Cues.Select(TranscriptCue.From).ToList(), cancellationToken))
        {
            await objects.DeleteAsync(playlistKey, CancellationToken.None);
            await objects.DeleteAsync(vttKey, CancellationToken.None);
            return (CaptionGenerationStatus.Skipped, language, CaptionGenerationCodes.NotPublished,
                $"An uploaded {language} subtitles track is kept, or the video is no longer READY.");
        }

        await publisher.RepublishMasterAsync(video, cancellationToken);
        return (CaptionGenerationStatus.Ready, language, null, null);
    }

    private async Task HeartbeatAsync(CaptionAttempt attempt, CancellationTokenSource fenced, CancellationToken stop)
    {
        try
        {
            using var timer = new PeriodicTimer(worker.Value.HeartbeatInterval, time);
            while (await timer.WaitForNextTickAsync(stop))
            {
                if (!await generations.HeartbeatAsync(attempt, time.GetUtcNow(), stop))
                {
                    // Another attempt holds the generation now: this one stops and writes nothing more.
                    await fenced.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception error)
        {
            // A missed beat is not fatal: the stuck threshold spans several intervals.
            logger.LogWarning("{event} caption generation {generation_id}: heartbeat failed: {error_message}", "CAPTION_HEARTBEAT_FAILED", attempt.Id, error.Message);
        }
    }
}
