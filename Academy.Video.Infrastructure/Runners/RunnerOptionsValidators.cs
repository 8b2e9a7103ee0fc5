using Academy.Video.Application.Common;
using Academy.Video.Infrastructure.Runners.Batch;
using Academy.Video.Infrastructure.Runners.Local;
using FluentValidation;

namespace Academy.Video.Infrastructure.Runners;

/// <summary>Section <c>Runner:Local</c>, checked at start.</summary>
public sealed class LocalRunnerOptionsValidator : AbstractValidator<LocalRunnerOptions>
{
    public LocalRunnerOptionsValidator()
    {
        RuleFor(o => o.Command).NotEmpty().WithSettingsMessage("Runner:Local:Command is required.");
        RuleFor(o => o.MaxConcurrency).GreaterThanOrEqualTo(1).WithSettingsMessage("Runner:Local:MaxConcurrency must be at least 1.");
        RuleFor(o => o.Timeout).GreaterThan(TimeSpan.Zero).WithSettingsMessage("Runner:Local:Timeout must be positive.");
        RuleFor(o => o.TerminationGracePeriod).GreaterThanOrEqualTo(TimeSpan.Zero).WithSettingsMessage("Runner:Local:TerminationGracePeriod must not be negative.");
        RuleFor(o => o.WorkDirectory).NotEmpty().WithSettingsMessage("Runner:Local:WorkDirectory is required.");
        RuleFor(o => o.FinishedJobsKept).GreaterThanOrEqualTo(1).WithSettingsMessage("Runner:Local:FinishedJobsKept must be at least 1.");
        RuleFor(o => o.Environment).Must(environment => !LocalProcessJobRunner.PerAttemptVariables.Any(environment.ContainsKey))
            .WithSettingsMessage($"Runner:Local:Environment must not set {string.Join(" or ", LocalProcessJobRunner.PerAttemptVariables)}: "
                + "the runner sets them for each attempt (set Runner:Local:WorkDirectory instead).");
    }
}

/// <summary>Section <c>Runner:Batch</c> (with <c>VIDEO_BATCH_JOB_QUEUE</c> / <c>VIDEO_BATCH_JOB_DEFINITION</c> applied), checked at start.</summary>
public sealed class BatchRunnerOptionsValidator : AbstractValidator<BatchRunnerOptions>
{
    public BatchRunnerOptionsValidator()
    {
        RuleFor(o => o.JobQueue).NotEmpty().WithSettingsMessage("The Batch job queue setting is empty.");
        RuleFor(o => o.JobDefinition).NotEmpty().WithSettingsMessage("The Batch job definition setting is empty.");
        RuleFor(o => o.Region).NotEmpty().WithSettingsMessage("Runner:Batch:Region is required.");
        RuleFor(o => o.MaxRetryAttempts).GreaterThanOrEqualTo(0).WithSettingsMessage("Runner:Batch:MaxRetryAttempts cannot be negative.");
        RuleFor(o => o.CircuitMinimumThroughput).GreaterThanOrEqualTo(2).WithSettingsMessage("Runner:Batch:CircuitMinimumThroughput must be at least 2.");
        RuleFor(o => o).Must(o => o.CircuitSamplingDuration >= TimeSpan.FromMilliseconds(500) && o.CircuitBreakDuration >= TimeSpan.FromMilliseconds(500))
            .WithName("Circuit").WithSettingsMessage("Runner:Batch:CircuitSamplingDuration and CircuitBreakDuration must be at least 500 ms.");
    }
}
