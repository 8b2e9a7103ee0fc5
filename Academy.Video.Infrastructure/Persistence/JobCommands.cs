using System.Data.Common;
using Academy.Video.Domain.Events;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using Dapper;

namespace Academy.Video.Infrastructure.Persistence;

/// <summary>
/// The job compare-and-set statements, shared by the job store (own connection), the recovery
/// claim (inside its locking transaction) and the video deletion (inside its own statement). They
/// write what the domain's <see cref="JobTransition"/> decided, column by column, and derive nothing.
/// </summary>
internal static class JobCommands
{
    /// <summary>
    /// The CTEs of one transition: the fenced job update (<c>moved</c>), the attempt row it opens or
    /// closes, a held cleanup row per orphaned prefix, the video effect where its guard holds (or, without one, the
    /// playable pointer cleared: <c>unplayable</c>; never both, since a statement updates a row once), and the
    /// events: the video's only where the video moved (<c>video_effect</c>), the job's wherever the job did.
    /// The dependent CTEs read only from <c>moved</c>, so a lost race changes nothing and tells nobody.
    /// <paramref name="extraFence"/> adds a condition to the job update (the deletion's: the video is still deletable).
    /// </summary>
    public static string TransitionCtes(string extraFence = "") => $"""
        moved AS (
            UPDATE video_transcode_jobs AS j SET
                state = @ToState,
                attempt_count = @ToAttempt,
                updated_at = @At,
                last_heartbeat_at = COALESCE(@HeartbeatAt, j.last_heartbeat_at),
                progress_percent = COALESCE(@ProgressPercent, j.progress_percent),
                error_code = CASE WHEN @ClearsError THEN NULL ELSE COALESCE(@ErrorCode, j.error_code) END,
                error_message = CASE WHEN @ClearsError THEN NULL ELSE COALESCE(@ErrorMessage, j.error_message) END,
                next_attempt_at = @NextAttemptAt,
                aws_batch_job_id = CASE WHEN @ClearBatchJobId THEN NULL ELSE j.aws_batch_job_id END,
                submitted_at = CASE WHEN @ClearBatchJobId THEN NULL ELSE j.submitted_at END,
                never_started_count = COALESCE(@NeverStartedCount, j.never_started_count),
                never_started_reason = COALESCE(@NeverStartedReason, j.never_started_reason),
                host_termination_count = COALESCE(@HostTerminationCount, j.host_termination_count),
                finished_at = @FinishedAt
            WHERE j.id = @JobId AND j.state = @FromState AND j.attempt_count = @FromAttempt
              AND (@FenceBatchJobId::text IS NULL OR j.aws_batch_job_id = @FenceBatchJobId::text)
              {extraFence}
            RETURNING j.*
        ),
        opened AS (
            INSERT INTO video_job_attempts (job_id, attempt, started_at, batch_job_id)
            SELECT moved.id, @ToAttempt, @At, moved.aws_batch_job_id
            FROM moved
            WHERE @StartsAttempt
        ),
        closed AS (
            UPDATE video_job_attempts AS a SET
                ended_at = @At,
                outcome = @ToState,
                error_code = @ErrorCode,
                error_message = @ErrorMessage
            FROM moved
            WHERE @EndsAttempt AND a.job_id = moved.id AND a.attempt = @FromAttempt
        ),
        orphaned AS (
            INSERT INTO storage_cleanups (id, prefix, video_id, job_id, reason, attempts, next_attempt_at, created_at)
            SELECT gen_random_uuid(), orphan.prefix, NULL, moved.id, @OrphanReason, 0, @At, @At
            FROM moved, unnest(@OrphanedPrefixes::text[]) AS orphan (prefix)
            ON CONFLICT (prefix) DO NOTHING
        ),
        video_effect AS (
            UPDATE videos AS v SET
                status = @EffectStatus,
                hls_path = COALESCE(@EffectHlsPath, v.hls_path),
                poster_key = CASE WHEN @EffectHlsPath::text IS NULL THEN v.poster_key ELSE @EffectPosterKey END,
                storyboard_key = CASE WHEN @EffectHlsPath::text IS NULL THEN v.storyboard_key ELSE @EffectStoryboardKey END,
                chapters = CASE WHEN @EffectHlsPath::text IS NULL THEN v.chapters ELSE @EffectChapters::jsonb END,
                chapters_key = CASE WHEN @EffectHlsPath::text IS NULL THEN v.chapters_key ELSE @EffectChaptersKey END,
                -- Decision 0018: READY plays its published master; a new attempt (PROCESSING) or a failure starts unplayable.
                playable_path = CASE WHEN @EffectStatus = 'READY' THEN COALESCE(@EffectHlsPath, v.hls_path) ELSE NULL END,
                playable_at = CASE WHEN @EffectStatus = 'READY' THEN COALESCE(v.playable_at, @At) ELSE NULL END,
                updated_at = @At
            FROM moved
            WHERE @HasVideoEffect
              AND v.id = @EffectVideoId
              AND v.status = ANY(@EffectAllowedFrom::text[])
              AND v.current_job_id = @EffectDrivingJobId
            RETURNING v.id
        ),
        unplayable AS (
            UPDATE videos AS v SET
                playable_path = NULL,
                playable_at = NULL,
                updated_at = @At
            FROM moved
            WHERE @ClearsPlayable AND NOT @HasVideoEffect
              AND v.id = moved.video_id AND v.current_job_id = moved.id AND v.playable_path IS NOT NULL
        ),
        transition_events AS (
            INSERT INTO video_events (id, type, video_id, job_id, occurred_at)
            SELECT gen_random_uuid(), caused.type, caused.video_id, @JobId, @At
            FROM (
                SELECT 1 AS ordinal, @EffectEvent::text AS type, video_effect.id AS video_id
                FROM video_effect WHERE @EffectEvent::text IS NOT NULL
                UNION ALL
                SELECT 2, @JobEvent::text, moved.video_id
                FROM moved WHERE @JobEvent::text IS NOT NULL
            ) AS caused
            ORDER BY caused.ordinal
        )
        """;

    private static readonly string TransitionSql = $"""
        WITH {TransitionCtes()}
        SELECT {JobRow.Columns} FROM moved
        """;

    private static readonly string RecordSubmissionSql = $"""
        UPDATE video_transcode_jobs SET
            aws_batch_job_id = @BatchJobId,
            submitted_at = @At,
            updated_at = @At,
            submission_claimed_until = NULL
        WHERE id = @JobId AND state = @ExpectedState AND attempt_count = @ExpectedAttempt
          AND aws_batch_job_id IS NOT DISTINCT FROM @ExpectedBatchJobId::text
        RETURNING {JobRow.Columns}
        """;

    public const string ClaimSubmissionSql = """
        UPDATE video_transcode_jobs SET submission_claimed_until = @Until
        WHERE id = @JobId AND state = @State AND attempt_count = @Attempt AND aws_batch_job_id IS NULL
          AND (submission_claimed_until IS NULL OR submission_claimed_until <= @Now)
        """;

    public const string ReleaseSubmissionClaimSql = """
        UPDATE video_transcode_jobs SET submission_claimed_until = NULL WHERE id = @JobId AND submission_claimed_until = @Until
        """;

    /// <summary>The parameters of <see cref="TransitionCtes"/>; with no transition, ones that match no job.</summary>
    public static DynamicParameters TransitionParameters(JobTransition? transition)
    {
        var effect = transition?.Video;
        return new DynamicParameters(new
        {
            JobId = transition?.JobId ?? Guid.Empty,
            FromState = transition?.FromState.ToWire() ?? "",
            FromAttempt = transition?.FromAttempt ?? -1,
            ToState = (transition?.ToState ?? JobState.Queued).ToWire(),
            ToAttempt = transition?.ToAttempt ?? 0,
            At = DbTime.ToDb(transition?.At ?? DateTimeOffset.UnixEpoch),
            HeartbeatAt = DbTime.ToDb(transition?.HeartbeatAt),
            ProgressPercent = transition?.ProgressPercent,
            ClearsError = transition?.ClearsError ?? false,
            ErrorCode = transition?.Error?.Code,
            ErrorMessage = transition?.Error?.Message,
            NextAttemptAt = DbTime.ToDb(transition?.NextAttemptAt),
            ClearBatchJobId = transition?.ClearBatchJobId ?? false,
            FenceBatchJobId = transition?.FenceBatchJobId,
            NeverStartedCount = transition?.NeverStartedCount,
            NeverStartedReason = transition?.NeverStartedReason,
            HostTerminationCount = transition?.HostTerminationCount,
            FinishedAt = DbTime.ToDb(transition?.FinishedAt),
            StartsAttempt = transition?.StartsAttempt ?? false,
            EndsAttempt = transition?.EndsAttempt ?? false,
            ClearsPlayable = transition?.ClearsPlayable ?? false,
            OrphanedPrefixes = (transition?.OrphanedPrefixes ?? []).ToArray(),
            OrphanReason = transition?.OrphanReason ?? "",
            HasVideoEffect = effect is not null,
            EffectVideoId = effect?.VideoId ?? Guid.Empty,
            EffectDrivingJobId = effect?.DrivingJobId ?? Guid.Empty,
            EffectStatus = (effect?.Status ?? VideoStatus.PendingUpload).ToWire(),
            EffectHlsPath = effect?.HlsPath,
            EffectPosterKey = effect?.PosterKey,
            EffectStoryboardKey = effect?.StoryboardKey,
            EffectChapters = ChapterJson.Write(effect?.Chapters ?? Domain.Media.VideoChapterList.Empty),
            EffectChaptersKey = effect?.ChaptersKey,
            EffectAllowedFrom = (effect?.AllowedFrom ?? []).Select(s => s.ToWire()).ToArray(),
            EffectEvent = effect?.Event?.ToWire(),
            JobEvent = transition?.JobEvent?.ToWire(),
        });
    }

    public static async Task<TranscodeJob?> TryTransitionAsync(
        DbConnection connection, DbTransaction? transaction, JobTransition transition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transition);
        var row = await connection.QuerySingleOrDefaultAsync<JobRow>(
            new CommandDefinition(TransitionSql, TransitionParameters(transition), transaction, cancellationToken: cancellationToken));
        return row?.ToDomain();
    }

    public static async Task<TranscodeJob?> TryRecordSubmissionAsync(
        DbConnection connection, JobSubmission submission, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        var parameters = new
        {
            submission.JobId,
            ExpectedState = submission.ExpectedState.ToWire(),
            submission.ExpectedAttempt,
            submission.ExpectedBatchJobId,
            submission.BatchJobId,
            At = DbTime.ToDb(submission.At),
        };

        var row = await connection.QuerySingleOrDefaultAsync<JobRow>(
            new CommandDefinition(RecordSubmissionSql, parameters, cancellationToken: cancellationToken));
        return row?.ToDomain();
    }
}
