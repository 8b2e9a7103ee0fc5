using Academy.Video.Application.Common;
using Academy.Video.Domain.Jobs;
using FluentValidation;
using Mediator;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Academy.Video.Application.Jobs.ScanStuckJobs;

/// <summary>
/// The recovery scan (the earlier system's <c>scan_stuck_video_jobs</c>): RUNNING without heartbeat → RETRY_WAIT
/// or DEAD; due RETRY_WAIT and lost QUEUED submissions → submitted again under the same job id;
/// submissions that never start → counted, resubmitted, DEAD at the bound; jobs of deleted videos
/// → FAILED. A dry run decides the same and changes nothing.
/// </summary>
public sealed record ScanStuckJobsCommand(bool DryRun = false, int? Limit = null) : ICommand<ScanReport>;

public sealed record ScanReport(bool DryRun, DateTimeOffset At, IReadOnlyList<ScanEntry> Entries)
{
    public int Count(RecoveryActionKind kind) => Entries.Count(e => e.Action == kind);
}

/// <param name="State">The job's state when the scan decided.</param>
/// <param name="Result">
/// What happened: the state written ("RETRY_WAIT", "DEAD", "FAILED"), "submitted", "submit failed: …", "submission claimed by another scan",
/// "superseded", "alive", "never started: …", "runner check failed: …", "lost race"; a dry run says "would …".
/// </param>
public sealed record ScanEntry(Guid JobId, string State, int Attempt, RecoveryActionKind Action, string Reason, string Result);

public sealed class ScanStuckJobsValidator : AbstractValidator<ScanStuckJobsCommand>
{
    public ScanStuckJobsValidator() => RuleFor(c => c.Limit).InclusiveBetween(1, 10_000).When(c => c.Limit is not null);
}

/// <summary>
/// Decide → commit → act. Phase 1 claims the candidates in one short transaction, decides each with
/// <see cref="RecoveryDecision"/>, writes every change that needs no runner (stuck releases of attempts
/// without a runner id, jobs of deleted videos, exhausted never-started jobs) and commits. Phase 2, with
/// no lock held, calls the runner per job, each call bounded and caught on its own: a slow or failing
/// runner delays only its own jobs. A stuck attempt with a runner id is released there, after one
/// question to the runner: an attempt whose host was terminated (a Spot reclaim) is not counted
/// (<see cref="TranscodeJob.HostTerminated"/>); when the runner cannot answer it is released as stuck all the same.
/// </summary>
public sealed class ScanStuckJobsHandler(
    IRecoveryScanStore store,
    ITranscodeJobStore jobs,
    JobDispatcher dispatcher,
    JobPolicy policy,
    IOptions<RecoveryOptions> options,
    TimeProvider time,
    ILogger<ScanStuckJobsHandler> logger) : ICommandHandler<ScanStuckJobsCommand, ScanReport>
{
    public async ValueTask<ScanReport> Handle(ScanStuckJobsCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var now = time.GetUtcNow();
        var plans = await DecideAndCommitAsync(command, now, cancellationToken);

        await ReleaseStuckAsync(plans.Where(p => p.FollowUp == FollowUp.CheckStuck).ToList(), command.DryRun, now, cancellationToken);
        await VerifySubmissionsAsync(plans.Where(p => p.FollowUp == FollowUp.Verify).ToList(), command.DryRun, cancellationToken);
        foreach (var plan in plans.Where(p => p.FollowUp == FollowUp.Submit))
        {
            plan.Result = Join(plan.Result, command.DryRun ? "would submit" : await SubmitAsync(plan.Job, cancellationToken));
        }

        foreach (var plan in plans.Where(p => p.FollowUp == FollowUp.Terminate && !command.DryRun))
        {
            var terminated = await dispatcher.TryTerminateAsync(plan.Decided.BatchJobId!, plan.Action.Reason, cancellationToken);
            plan.Result = Join(plan.Result, terminated ? $"{plan.Decided.BatchJobId} terminated" : $"{plan.Decided.BatchJobId} not terminated");
        }

        var entries = plans.Select(p => new ScanEntry(p.Decided.Id, p.Decided.State.ToWire(), p.Decided.AttemptCount, p.Action.Kind, p.Action.Reason, p.Result ?? "")).ToList();
        foreach (var entry in entries)
        {
            logger.LogInformation("{event} job {job_id} {action} ({reason}): {result}{dry}",
                JobEvents.Recovery, entry.JobId, entry.Action, entry.Reason, entry.Result, command.DryRun ? " [dry run]" : "");
        }

        return new ScanReport(command.DryRun, now, entries);
    }

    /// <summary>Phase 1: one transaction, no network call inside it.</summary>
    private async Task<List<Plan>> DecideAndCommitAsync(ScanStuckJobsCommand command, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var query = new RecoveryCandidateQuery(
            HeartbeatBefore: now - policy.StuckThreshold,
            RetryDueBy: now,
            QueuedBefore: now - policy.SubmitGracePeriod,
            SubmittedBefore: now - policy.SubmissionCheckAfter,
            Limit: command.Limit ?? options.Value.BatchSize);

        var plans = new List<Plan>();
        await using var claim = await store.ClaimCandidatesAsync(query, cancellationToken);
        // The claim's query is a superset; the domain decision is the authority on each job.
        foreach (var candidate in claim.Candidates)
        {
            var job = candidate.Job;
            var action = RecoveryDecision.Decide(job, candidate.VideoStatus, now, policy);
            if (action.Kind == RecoveryActionKind.None)
            {
                continue;
            }

            var plan = new Plan(job, action);
            plans.Add(plan);
            if (action.Kind == RecoveryActionKind.MarkStuck && job.BatchJobId is not null)
            {
                plan.FollowUp = FollowUp.CheckStuck;
            }
            else if (action.IsStateChange)
            {
                await ChangeStateAsync(claim, plan, StateChange(job, action.Kind, now), command.DryRun, now, cancellationToken);
            }
            else
            {
                plan.FollowUp = action.Kind == RecoveryActionKind.VerifySubmission ? FollowUp.Verify : FollowUp.Submit;
            }
        }

        if (!command.DryRun)
        {
            await claim.CommitAsync(cancellationToken);
        }

        return plans;
    }

    private JobTransition StateChange(TranscodeJob job, RecoveryActionKind kind, DateTimeOffset now) => kind switch
    {
        RecoveryActionKind.MarkStuck => job.MarkStuck(now, policy),
        RecoveryActionKind.EndForDeletedVideo => job.CancelForDeletion(now)!,
        RecoveryActionKind.EndNeverStarted => job.EndNeverStarted(now),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a state change."),
    };

    private static async Task ChangeStateAsync(IRecoveryClaim claim, Plan plan, JobTransition transition, bool dryRun, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var dueAtOnce = transition.ToState == JobState.RetryWait && transition.NextAttemptAt <= now;
        // A job that ends while a Batch job of it exists: that container would only find the job over.
        var ended = transition.ToState.IsTerminal() && plan.Decided.BatchJobId is not null;
        if (dryRun)
        {
            plan.Result = $"would write {transition.ToState.ToWire()}";
            plan.FollowUp = dueAtOnce ? FollowUp.Submit : FollowUp.None;
            return;
        }

        var written = await claim.TryTransitionAsync(transition, cancellationToken);
        plan.Result = written?.State.ToWire() ?? "lost race";
        if (written is not null && dueAtOnce)
        {
            // A retry due at once (no backoff) is submitted in this very scan, after the commit.
            plan.Job = written;
            plan.FollowUp = FollowUp.Submit;
        }
        else if (written is not null && ended)
        {
            plan.FollowUp = FollowUp.Terminate;
        }
    }

    /// <summary>
    /// Phase 2: stuck attempts with a runner id. The runner says whether the attempt's host was terminated
    /// (not counted, resumed at once) or not (stuck: counted, as <see cref="TranscodeJob.MarkStuck"/>); each
    /// change is one conditional statement, fenced on the state and attempt the scan saw.
    /// </summary>
    private async Task ReleaseStuckAsync(List<Plan> plans, bool dryRun, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (plans.Count == 0)
        {
            return;
        }

        IReadOnlyDictionary<string, RunnerJobStatus> statuses;
        try
        {
            statuses = await dispatcher.DescribeAsync(plans.Select(p => p.Job.BatchJobId!).ToList(), cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Stuck attempts are released even while the runner is down: as stuck, since nothing says otherwise.
            logger.LogWarning("{event} the runner could not describe {count} stuck attempt(s); they are released as stuck: {reason}", JobEvents.Recovery, plans.Count, ex.Message);
            statuses = new Dictionary<string, RunnerJobStatus>();
        }

        foreach (var plan in plans)
        {
            var sighting = statuses.TryGetValue(plan.Job.BatchJobId!, out var status) ? new RunnerSighting(status.Status, status.StatusReason) : null;
            var transition = RecoveryDecision.IsHostTermination(sighting)
                ? plan.Job.HostTerminated(sighting!.StatusReason!, now, policy)
                : plan.Job.MarkStuck(now, policy);
            var note = transition.Error?.Code == JobErrorCodes.HostTerminated ? $"{JobErrorCodes.HostTerminated}: {sighting!.StatusReason}, not counted; " : "";
            try
            {
                var dueAtOnce = transition.ToState == JobState.RetryWait && transition.NextAttemptAt <= now;
                if (dryRun)
                {
                    plan.Result = $"{note}would write {transition.ToState.ToWire()}";
                    if (dueAtOnce)
                    {
                        plan.Result = Join(plan.Result, "would submit");
                    }

                    continue;
                }

                var written = await jobs.TryTransitionAsync(transition, cancellationToken);
                plan.Result = note + (written?.State.ToWire() ?? "lost race");
                if (written is not null && dueAtOnce)
                {
                    plan.Job = written;
                    plan.Result = Join(plan.Result, await SubmitAsync(written, cancellationToken));
                }
                else if (written is not null && written.State.IsTerminal() && sighting?.Status is not ("SUCCEEDED" or "FAILED"))
                {
                    // A job that ends while the runner still holds its attempt: that container would only find the job over.
                    var terminated = await dispatcher.TryTerminateAsync(plan.Job.BatchJobId!, plan.Action.Reason, cancellationToken);
                    plan.Result = Join(plan.Result, terminated ? $"{plan.Job.BatchJobId} terminated" : $"{plan.Job.BatchJobId} not terminated");
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogError(ex, "{event} job {job_id}: releasing a stuck attempt failed: {reason}", JobEvents.Recovery, plan.Job.Id, ex.Message);
                plan.Result = $"failed: {ex.Message}";
            }
        }
    }

    /// <summary>Phase 2: asks the runner about submissions that have not started. A runner that cannot answer leaves these jobs for the next scan.</summary>
    private async Task VerifySubmissionsAsync(List<Plan> plans, bool dryRun, CancellationToken cancellationToken)
    {
        if (plans.Count == 0)
        {
            return;
        }

        IReadOnlyDictionary<string, RunnerJobStatus> statuses;
        try
        {
            statuses = await dispatcher.DescribeAsync(plans.Select(p => p.Job.BatchJobId!).ToList(), cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "{event} the runner could not describe {count} submission(s); they wait for the next scan: {reason}", JobEvents.Recovery, plans.Count, ex.Message);
            foreach (var plan in plans)
            {
                plan.Result = $"runner check failed: {ex.Message}";
            }

            return;
        }

        foreach (var plan in plans)
        {
            var sighting = statuses.TryGetValue(plan.Job.BatchJobId!, out var status) ? new RunnerSighting(status.Status, status.StatusReason) : null;
            var verdict = RecoveryDecision.JudgeSubmission(sighting);
            try
            {
                plan.Result = verdict.Alive ? $"alive ({verdict.Reason})" : await NeverStartedAsync(plan, verdict, dryRun, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogError(ex, "{event} job {job_id}: acting on a submission that never started failed: {reason}", JobEvents.Recovery, plan.Job.Id, ex.Message);
                plan.Result = $"failed: {ex.Message}";
            }
        }
    }

    private async Task<string> NeverStartedAsync(Plan plan, SubmissionVerdict verdict, bool dryRun, CancellationToken cancellationToken)
    {
        var transition = plan.Job.SubmissionNeverStarted(verdict.Reason, time.GetUtcNow(), policy);
        if (dryRun)
        {
            return $"never started ({verdict.Reason}): would {(transition.ToState == JobState.Dead ? "end DEAD" : "resubmit")}";
        }

        var written = await jobs.TryTransitionAsync(transition, cancellationToken);
        if (written is null)
        {
            return "lost race";
        }

        if (verdict.Terminate)
        {
            await dispatcher.TryTerminateAsync(plan.Job.BatchJobId!, $"never started: {verdict.Reason}", cancellationToken);
        }

        if (written.State == JobState.Dead)
        {
            return $"DEAD ({written.ErrorCode}): {verdict.Reason}";
        }

        plan.Job = written;
        return $"never started ({verdict.Reason}), {await SubmitAsync(written, cancellationToken)}";
    }

    /// <summary>
    /// Claims the submission (one conditional statement), then submits: the scan's phase 1 lock is gone by now, so
    /// another scan (a second replica, or the operator's) may have decided the same job; only one claim wins
    /// (docs/operations.md, "Running several replicas"). The claim lasts past the bounded runner call and the write
    /// of its id; a refused submission ends it, so the next scan tries again at once.
    /// </summary>
    private async Task<string> SubmitAsync(TranscodeJob job, CancellationToken cancellationToken)
    {
        try
        {
            var now = time.GetUtcNow();
            var until = now + options.Value.RunnerCallTimeout * 2;
            // Whole milliseconds, so the database's microseconds give back the same instant for the release.
            until = new DateTimeOffset(until.UtcTicks - until.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
            if (!await jobs.TryClaimSubmissionAsync(job, now, until, cancellationToken))
            {
                return "submission claimed by another scan";
            }

            var outcome = await dispatcher.SubmitAsync(job, cancellationToken);
            if (outcome.Result == SubmissionResult.RunnerFailed)
            {
                await jobs.ReleaseSubmissionClaimAsync(job.Id, until, CancellationToken.None);
            }

            return outcome.Result switch
            {
                SubmissionResult.Submitted => "submitted",
                SubmissionResult.RunnerFailed => $"submit failed: {outcome.Detail}",
                _ => "superseded",
            };
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // A store failure after a submission: the job keeps no id and the next scan decides again.
            logger.LogError(ex, "{event} job {job_id}: submitting failed: {reason}", JobEvents.Recovery, job.Id, ex.Message);
            return $"submit failed: {ex.Message}";
        }
    }

    private static string Join(string? first, string second) => string.IsNullOrEmpty(first) ? second : $"{first}, {second}";

    private enum FollowUp
    {
        None,
        Submit,
        Verify,
        /// <summary>The job ended while a submission of it waited at the runner.</summary>
        Terminate,
        /// <summary>A stuck attempt with a runner id: asked about before it is released.</summary>
        CheckStuck,
    }

    /// <summary>One decided job: <see cref="Decided"/> as the scan found it, <see cref="Job"/> as last written.</summary>
    private sealed class Plan(TranscodeJob decided, RecoveryAction action)
    {
        public TranscodeJob Decided { get; } = decided;

        public RecoveryAction Action { get; } = action;

        public TranscodeJob Job { get; set; } = decided;

        public FollowUp FollowUp { get; set; }

        public string? Result { get; set; }
    }
}
