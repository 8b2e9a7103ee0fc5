using System.Data.Common;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using Dapper;

namespace Academy.Video.Infrastructure.Persistence;

/// <summary>
/// The job compare-and-set statements, shared by the job store (own connection) and the recovery
/// claim (inside its locking transaction).
/// </summary>
internal static class JobCommands
{
    /// <summary>
    /// One statement: the fenced job update, plus the attempt row it opens or closes and the video
    /// change it carries. The dependent CTEs read only from <c>moved</c>, so a lost race changes nothing.
    /// The SET list mirrors <see cref="JobTransition.ApplyTo"/> field by field.
    /// </summary>
    private const string TransitionSql = """
        WITH moved AS (
            UPDATE video_transcode_jobs AS j SET
                state = @ToState,
                attempt_count = @ToAttempt,
                updated_at = @At,
                last_heartbeat_at = CASE WHEN @StartsAttempt THEN @At ELSE j.last_heartbeat_at END,
                progress_percent = CASE WHEN @StartsAttempt THEN 0 WHEN @ToState = 'SUCCEEDED' THEN 100 ELSE j.progress_percent END,
                error_code = CASE WHEN @StartsAttempt OR @ToState = 'SUCCEEDED' THEN NULL ELSE COALESCE(@ErrorCode, j.error_code) END,
                error_message = CASE WHEN @StartsAttempt OR @ToState = 'SUCCEEDED' THEN NULL ELSE COALESCE(@ErrorMessage, j.error_message) END,
                next_attempt_at = @NextAttemptAt,
                aws_batch_job_id = CASE WHEN @ClearBatchJobId THEN NULL ELSE j.aws_batch_job_id END,
                submitted_at = CASE WHEN @ClearBatchJobId THEN NULL ELSE j.submitted_at END,
                finished_at = CASE WHEN @IsTerminal THEN @At ELSE NULL END
            WHERE j.id = @JobId AND j.state = @FromState AND j.attempt_count = @FromAttempt
            RETURNING j.id, j.video_id, j.aws_batch_job_id
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
        video AS (
            -- A deleted video stays deleted, and a job that is no longer the video's current one
            -- must not drive it.
            UPDATE videos AS v SET
                status = @VideoStatus,
                hls_path = COALESCE(@HlsPath, v.hls_path),
                updated_at = @At
            FROM moved
            WHERE @HasVideoEffect
              AND v.id = @VideoId
              AND v.status NOT IN ('DELETING', 'DELETED')
              AND (v.current_job_id IS NULL OR v.current_job_id = moved.id)
        )
        SELECT count(*)::int FROM moved
        """;

    private const string RecordSubmissionSql = """
        UPDATE video_transcode_jobs SET
            aws_batch_job_id = @BatchJobId,
            submitted_at = @At,
            updated_at = @At
        WHERE id = @JobId AND state = @ExpectedState AND attempt_count = @ExpectedAttempt
        """;

    public static async Task<bool> TryTransitionAsync(
        DbConnection connection, DbTransaction? transaction, JobTransition transition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transition);
        var parameters = new
        {
            transition.JobId,
            FromState = transition.FromState.ToWire(),
            transition.FromAttempt,
            ToState = transition.ToState.ToWire(),
            transition.ToAttempt,
            At = DbTime.ToDb(transition.At),
            transition.StartsAttempt,
            transition.EndsAttempt,
            IsTerminal = transition.ToState.IsTerminal(),
            ErrorCode = transition.Error?.Code,
            ErrorMessage = transition.Error?.Message,
            NextAttemptAt = DbTime.ToDb(transition.NextAttemptAt),
            transition.ClearBatchJobId,
            HasVideoEffect = transition.Video is not null,
            VideoId = transition.Video?.VideoId ?? Guid.Empty,
            VideoStatus = (transition.Video?.Status ?? VideoStatus.PendingUpload).ToWire(),
            transition.Video?.HlsPath,
        };

        var moved = await connection.ExecuteScalarAsync<int>(
            new CommandDefinition(TransitionSql, parameters, transaction, cancellationToken: cancellationToken));
        return moved == 1;
    }

    public static async Task<bool> TryRecordSubmissionAsync(
        DbConnection connection, DbTransaction? transaction, JobSubmission submission, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        var parameters = new
        {
            submission.JobId,
            ExpectedState = submission.ExpectedState.ToWire(),
            submission.ExpectedAttempt,
            submission.BatchJobId,
            At = DbTime.ToDb(submission.At),
        };

        var updated = await connection.ExecuteAsync(
            new CommandDefinition(RecordSubmissionSql, parameters, transaction, cancellationToken: cancellationToken));
        return updated == 1;
    }
}
