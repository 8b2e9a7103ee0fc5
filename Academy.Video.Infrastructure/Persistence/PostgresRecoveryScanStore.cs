using Academy.Video.Application.Jobs;
using Academy.Video.Domain.Jobs;
using Dapper;
using Npgsql;
using Polly.Registry;

namespace Academy.Video.Infrastructure.Persistence;

/// <summary>
/// Claims recovery candidates with FOR UPDATE SKIP LOCKED inside a transaction the claim owns:
/// a concurrent scanner skips them, and a worker's heartbeat or transition on a claimed job waits
/// for the claim to end and then re-checks its fence, so a job marked stuck cannot also beat. The
/// scan keeps this transaction short: it decides, writes and commits, and calls no runner inside it.
/// </summary>
public sealed class PostgresRecoveryScanStore(NpgsqlDataSource dataSource, ResiliencePipelineProvider<string> pipelines) : IRecoveryScanStore
{
    private readonly PostgresConnections connections = new(dataSource, pipelines);

    public Task<IRecoveryClaim> ClaimCandidatesAsync(RecoveryCandidateQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        var parameters = new
        {
            HeartbeatBefore = DbTime.ToDb(query.HeartbeatBefore),
            RetryDueBy = DbTime.ToDb(query.RetryDueBy),
            QueuedBefore = DbTime.ToDb(query.QueuedBefore),
            SubmittedBefore = DbTime.ToDb(query.SubmittedBefore),
            Limit = query.Limit,
        };

        // Only opening the claim is retried: once rows are locked, a failure ends this scan and the next tick starts over.
        return connections.RetryAsync<IRecoveryClaim>(async token =>
        {
            var connection = await dataSource.OpenConnectionAsync(token);
            NpgsqlTransaction? transaction = null;
            try
            {
                transaction = await connection.BeginTransactionAsync(token);
                var candidates = new List<RecoveryCandidate>();

                // Most urgent kind first; the limit is shared across the kinds.
                foreach (var sql in RecoveryCandidateSql.All)
                {
                    var remaining = query.Limit - candidates.Count;
                    if (remaining == 0)
                    {
                        break;
                    }

                    var rows = await connection.QueryAsync<CandidateRow>(new CommandDefinition(
                        sql, parameters with { Limit = remaining }, transaction, cancellationToken: token));
                    candidates.AddRange(rows.Select(r => r.ToCandidate()));
                }

                return new Claim(connection, transaction, candidates);
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
        }, cancellationToken);
    }

    private sealed class Claim(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<RecoveryCandidate> candidates)
        : IRecoveryClaim
    {
        private bool _committed;

        public IReadOnlyList<RecoveryCandidate> Candidates { get; } = candidates;

        public Task<TranscodeJob?> TryTransitionAsync(JobTransition transition, CancellationToken cancellationToken)
        {
            ThrowIfCommitted();
            return JobCommands.TryTransitionAsync(connection, transaction, transition, cancellationToken);
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

/// <summary>
/// The four candidate kinds of <see cref="RecoveryCandidateQuery"/>, each served by its partial
/// index, each with its video's status (the scan never resubmits a job whose video is being deleted).
/// Only the job rows are locked.
/// </summary>
internal static class RecoveryCandidateSql
{
    private static readonly string Select = $"""
        SELECT {JobRow.ColumnsOf("j")}, v.status AS VideoStatus
        FROM video_transcode_jobs AS j
        LEFT JOIN videos AS v ON v.id = j.video_id
        """;

    public static readonly string StuckRunning = $"""
        {Select}
        WHERE j.state = 'RUNNING' AND j.last_heartbeat_at < @HeartbeatBefore
          -- A chunked job with chunks to do is alive while they are: its silent chunks are released alone (decision 0023).
          AND NOT EXISTS (SELECT 1 FROM video_job_chunks AS c WHERE c.job_id = j.id AND c.job_attempt = j.attempt_count AND c.state <> 'DONE')
        ORDER BY j.last_heartbeat_at
        LIMIT @Limit
        FOR UPDATE OF j SKIP LOCKED
        """;

    public static readonly string RetryDue = $"""
        {Select}
        WHERE j.state = 'RETRY_WAIT' AND j.aws_batch_job_id IS NULL AND j.next_attempt_at <= @RetryDueBy
        ORDER BY j.next_attempt_at
        LIMIT @Limit
        FOR UPDATE OF j SKIP LOCKED
        """;

    public static readonly string QueuedUnsubmitted = $"""
        {Select}
        WHERE j.state = 'QUEUED' AND j.aws_batch_job_id IS NULL AND j.created_at < @QueuedBefore
        ORDER BY j.created_at
        LIMIT @Limit
        FOR UPDATE OF j SKIP LOCKED
        """;

    public static readonly string SubmittedNotStarted = $"""
        {Select}
        WHERE j.state IN ('QUEUED', 'RETRY_WAIT') AND j.aws_batch_job_id IS NOT NULL AND j.submitted_at < @SubmittedBefore
        ORDER BY j.submitted_at
        LIMIT @Limit
        FOR UPDATE OF j SKIP LOCKED
        """;

    public static IReadOnlyList<string> All { get; } = [StuckRunning, RetryDue, QueuedUnsubmitted, SubmittedNotStarted];
}
