using Academy.Video.Application.Jobs;
using Academy.Video.Domain.Jobs;
using Dapper;
using Npgsql;

namespace Academy.Video.Infrastructure.Persistence;

/// <summary>
/// Claims recovery candidates with FOR UPDATE SKIP LOCKED inside a transaction the claim owns:
/// a concurrent scanner skips them, and a worker's heartbeat or transition on a claimed job waits
/// for the claim to end and then re-checks its fence, so a job marked stuck cannot also beat.
/// </summary>
public sealed class PostgresRecoveryScanStore(NpgsqlDataSource dataSource) : IRecoveryScanStore
{
    public async Task<IRecoveryClaim> ClaimCandidatesAsync(RecoveryCandidateQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);

        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        NpgsqlTransaction? transaction = null;
        try
        {
            transaction = await connection.BeginTransactionAsync(cancellationToken);
            var jobs = new List<TranscodeJob>();
            var parameters = new
            {
                HeartbeatBefore = DbTime.ToDb(query.HeartbeatBefore),
                RetryDueBy = DbTime.ToDb(query.RetryDueBy),
                QueuedBefore = DbTime.ToDb(query.QueuedBefore),
                SubmittedBefore = DbTime.ToDb(query.SubmittedBefore),
                Limit = query.Limit,
            };

            // Most urgent kind first; the limit is shared across the kinds.
            foreach (var sql in RecoveryCandidateSql.All)
            {
                var remaining = query.Limit - jobs.Count;
                if (remaining == 0)
                {
                    break;
                }

                var rows = await connection.QueryAsync<JobRow>(new CommandDefinition(
                    sql, parameters with { Limit = remaining }, transaction, cancellationToken: cancellationToken));
                jobs.AddRange(rows.Select(r => r.ToDomain()));
            }

            return new Claim(connection, transaction, jobs);
        }
        catch
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync();
            }

            await connection.DisposeAsync();
            throw;
        }
    }

    private sealed class Claim(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<TranscodeJob> jobs)
        : IRecoveryClaim
    {
        private bool _committed;

        public IReadOnlyList<TranscodeJob> Jobs { get; } = jobs;

        public Task<bool> TryTransitionAsync(JobTransition transition, CancellationToken cancellationToken)
        {
            ThrowIfCommitted();
            return JobCommands.TryTransitionAsync(connection, transaction, transition, cancellationToken);
        }

        public Task<bool> TryRecordSubmissionAsync(JobSubmission submission, CancellationToken cancellationToken)
        {
            ThrowIfCommitted();
            return JobCommands.TryRecordSubmissionAsync(connection, transaction, submission, cancellationToken);
        }

        public async Task CommitAsync(CancellationToken cancellationToken)
        {
            ThrowIfCommitted();
            await transaction.CommitAsync(cancellationToken);
            _committed = true;
        }

        public async ValueTask DisposeAsync()
        {
            // Disposing an uncommitted NpgsqlTransaction rolls it back: the dry run keeps nothing.
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }

        private void ThrowIfCommitted()
        {
            if (_committed)
            {
                throw new InvalidOperationException("The recovery claim was already committed.");
            }
        }
    }
}

/// <summary>The four candidate kinds of <see cref="RecoveryCandidateQuery"/>, each served by its partial index.</summary>
internal static class RecoveryCandidateSql
{
    public const string StuckRunning = $"""
        SELECT {JobRow.Columns} FROM video_transcode_jobs
        WHERE state = 'RUNNING' AND last_heartbeat_at < @HeartbeatBefore
        ORDER BY last_heartbeat_at
        LIMIT @Limit
        FOR UPDATE SKIP LOCKED
        """;

    public const string RetryDue = $"""
        SELECT {JobRow.Columns} FROM video_transcode_jobs
        WHERE state = 'RETRY_WAIT' AND aws_batch_job_id IS NULL AND next_attempt_at <= @RetryDueBy
        ORDER BY next_attempt_at
        LIMIT @Limit
        FOR UPDATE SKIP LOCKED
        """;

    public const string QueuedUnsubmitted = $"""
        SELECT {JobRow.Columns} FROM video_transcode_jobs
        WHERE state = 'QUEUED' AND aws_batch_job_id IS NULL AND created_at < @QueuedBefore
        ORDER BY created_at
        LIMIT @Limit
        FOR UPDATE SKIP LOCKED
        """;

    public const string SubmittedNotStarted = $"""
        SELECT {JobRow.Columns} FROM video_transcode_jobs
        WHERE state IN ('QUEUED', 'RETRY_WAIT') AND aws_batch_job_id IS NOT NULL AND submitted_at < @SubmittedBefore
        ORDER BY submitted_at
        LIMIT @Limit
        FOR UPDATE SKIP LOCKED
        """;

    public static IReadOnlyList<string> All { get; } = [StuckRunning, RetryDue, QueuedUnsubmitted, SubmittedNotStarted];
}
