using Academy.Video.Application.Common;
using Academy.Video.Domain.Jobs;
using FluentValidation;
using Mediator;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Academy.Video.Application.Jobs.ScanStuckJobs;

/// <summary>
/// The recovery scan (seeds' <c>scan_stuck_video_jobs</c>): RUNNING without heartbeat → RETRY_WAIT
/// or DEAD; due RETRY_WAIT and lost QUEUED submissions → submitted again under the same job id.
/// A dry run decides the same and changes nothing.
/// </summary>
public sealed record ScanStuckJobsCommand(bool DryRun = false, int? Limit = null) : ICommand<ScanReport>;

public sealed record ScanReport(bool DryRun, DateTimeOffset At, IReadOnlyList<ScanEntry> Entries)
{
    public int Count(RecoveryActionKind kind) => Entries.Count(e => e.Action == kind);
}

/// <param name="Result">What happened: "would ...", "RETRY_WAIT", "DEAD", "submitted", "submit failed", "lost race", "alive".</param>
public sealed record ScanEntry(Guid JobId, string State, int Attempt, RecoveryActionKind Action, string Reason, string Result);

public sealed class ScanStuckJobsValidator : AbstractValidator<ScanStuckJobsCommand>
{
    public ScanStuckJobsValidator() => RuleFor(c => c.Limit).InclusiveBetween(1, 10_000).When(c => c.Limit is not null);
}

public sealed class ScanStuckJobsHandler(
    IRecoveryScanStore store,
    IJobRunner runner,
    JobDispatcher dispatcher,
    JobPolicy policy,
    IOptions<RecoveryOptions> options,
    TimeProvider time,
    ILogger<ScanStuckJobsHandler> logger) : ICommandHandler<ScanStuckJobsCommand, ScanReport>
{
    private static readonly HashSet<string> EndedRunnerStatuses = new(StringComparer.OrdinalIgnoreCase) { "SUCCEEDED", "FAILED" };

    public async ValueTask<ScanReport> Handle(ScanStuckJobsCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var now = time.GetUtcNow();
        var query = new RecoveryCandidateQuery(
            HeartbeatBefore: now - policy.StuckThreshold,
            RetryDueBy: now,
            QueuedBefore: now - policy.SubmitGracePeriod,
            SubmittedBefore: now - policy.SubmissionCheckAfter,
            Limit: command.Limit ?? options.Value.BatchSize);

        await using var claim = await store.ClaimCandidatesAsync(query, cancellationToken);
        // The claim's query is a superset; the domain decision is the authority on each job.
        var decisions = claim.Jobs
            .Select(job => (Job: job, Action: RecoveryDecision.Decide(job, now, policy)))
            .Where(d => d.Action.Kind != RecoveryActionKind.None)
            .ToList();
        var liveSubmissions = await LiveSubmissionsAsync(
            decisions.Where(d => d.Action.Kind == RecoveryActionKind.VerifySubmission).Select(d => d.Job.BatchJobId!).ToList(),
            cancellationToken);
        var entries = new List<ScanEntry>();
        foreach (var (job, action) in decisions)
        {

            var result = command.DryRun
                ? DryRunResult(job, action, liveSubmissions)
                : await ActAsync(claim, job, action, liveSubmissions, now, cancellationToken);
            entries.Add(new ScanEntry(job.Id, job.State.ToWire(), job.AttemptCount, action.Kind, action.Reason, result));
            logger.LogInformation("{event} job {job_id} {action} ({reason}): {result}{dry}",
                JobEvents.Recovery, job.Id, action.Kind, action.Reason, result, command.DryRun ? " [dry run]" : "");
        }

        if (!command.DryRun)
        {
            await claim.CommitAsync(cancellationToken);
        }

        return new ScanReport(command.DryRun, now, entries);
    }

    private async Task<string> ActAsync(
        IRecoveryClaim claim,
        TranscodeJob job,
        RecoveryAction action,
        IReadOnlySet<string> liveSubmissions,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        switch (action.Kind)
        {
            case RecoveryActionKind.MarkStuck:
                var stuck = job.MarkStuck(now, policy);
                if (!await claim.TryTransitionAsync(stuck, cancellationToken))
                {
                    return "lost race";
                }

                var released = stuck.ApplyTo(job);
                return released.State == JobState.RetryWait && released.NextAttemptAt <= now
                    ? $"{released.State.ToWire()}, {await SubmitAsync(claim, released, cancellationToken)}"
                    : released.State.ToWire();

            case RecoveryActionKind.VerifySubmission when liveSubmissions.Contains(job.BatchJobId!):
                return "alive";

            default:
                return await SubmitAsync(claim, job, cancellationToken);
        }
    }

    private async Task<string> SubmitAsync(IRecoveryClaim claim, TranscodeJob job, CancellationToken cancellationToken) =>
        await dispatcher.SubmitAsync(job, claim.TryRecordSubmissionAsync, cancellationToken) switch
        {
            SubmissionResult.Submitted => "submitted",
            SubmissionResult.RunnerFailed => "submit failed",
            _ => "lost race",
        };

    private static string DryRunResult(TranscodeJob job, RecoveryAction action, IReadOnlySet<string> liveSubmissions) => action.Kind switch
    {
        RecoveryActionKind.MarkStuck => "would mark stuck",
        RecoveryActionKind.VerifySubmission when liveSubmissions.Contains(job.BatchJobId!) => "alive",
        _ => "would submit",
    };

    /// <summary>Of the given Batch ids, those the runner still has queued or running.</summary>
    private async Task<IReadOnlySet<string>> LiveSubmissionsAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return new HashSet<string>();
        }

        var statuses = await runner.DescribeAsync(ids, cancellationToken);
        return statuses.Where(s => !EndedRunnerStatuses.Contains(s.Status)).Select(s => s.RunnerJobId).ToHashSet();
    }
}
