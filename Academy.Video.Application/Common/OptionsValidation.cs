using System.Text.RegularExpressions;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;
using FluentValidation;
using FluentValidation.Results;
using Microsoft.Extensions.Options;

namespace Academy.Video.Application.Common;

/// <summary>Settings checked like requests: one FluentValidation validator per options type, run by the options pattern.</summary>
public sealed class FluentOptionsValidator<TOptions>(IValidator<TOptions> validator) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var result = validator.Validate(options);
        return result.IsValid
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(result.Errors.Select(Message));
    }

    // A message that names its settings key itself is shown as written; the others get the type and property.
    private static string Message(ValidationFailure failure) =>
        ReferenceEquals(failure.CustomState, SettingsMessages.Verbatim) || string.IsNullOrEmpty(failure.PropertyName)
            ? failure.ErrorMessage
            : $"{typeof(TOptions).Name}.{failure.PropertyName}: {failure.ErrorMessage}";
}

/// <summary>Messages of settings rules that name their key (<c>Section:Key ...</c>) and are shown as written.</summary>
public static class SettingsMessages
{
    public static readonly object Verbatim = new();

    /// <summary>The rule's message, shown as written (no type and property prefix).</summary>
    public static IRuleBuilderOptions<T, TProperty> WithSettingsMessage<T, TProperty>(this IRuleBuilderOptions<T, TProperty> rule, string message) =>
        rule.WithMessage(message).WithState(_ => Verbatim);
}

/// <summary>
/// A validator for settings whose rules live on the options type itself (a <c>Problems()</c> method that tests call
/// directly): each problem is one failure, shown as written.
/// </summary>
public abstract class ProblemsOptionsValidator<TOptions>(Func<TOptions, IEnumerable<string>> problems) : AbstractValidator<TOptions>
    where TOptions : class
{
    public override ValidationResult Validate(ValidationContext<TOptions> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var result = base.Validate(context);
        foreach (var problem in problems(context.InstanceToValidate))
        {
            result.Errors.Add(new ValidationFailure(string.Empty, problem) { CustomState = SettingsMessages.Verbatim });
        }

        return result;
    }
}

/// <summary>Section <c>Upload</c>, checked at start (<see cref="UploadOptions.Problems"/>).</summary>
public sealed class UploadOptionsValidator() : ProblemsOptionsValidator<UploadOptions>(o => o.Problems());

/// <summary>Section <c>Playback</c> (<see cref="Playback.PlaybackOptions.Problems"/>).</summary>
public sealed class PlaybackOptionsValidator() : ProblemsOptionsValidator<Playback.PlaybackOptions>(o => o.Problems());

/// <summary>Section <c>Webhooks</c> (<see cref="Webhooks.WebhookOptions.Problems"/>).</summary>
public sealed class WebhookOptionsValidator() : ProblemsOptionsValidator<Webhooks.WebhookOptions>(o => o.Problems());

/// <summary>Section <c>Captions</c> (<see cref="Captions.CaptionOptions.Problems"/>).</summary>
public sealed class CaptionOptionsValidator() : ProblemsOptionsValidator<Captions.CaptionOptions>(o => o.Problems());

/// <summary>The retry contract (section <c>Jobs</c>): API and worker refuse to start with numbers that cannot work.</summary>
public sealed class JobPolicyValidator : AbstractValidator<JobPolicy>
{
    public JobPolicyValidator()
    {
        RuleFor(p => p.MaxAttempts).InclusiveBetween(1, 100);
        RuleFor(p => p.MaxHostTerminations).InclusiveBetween(0, 100);
        RuleFor(p => p.StuckThreshold).GreaterThan(TimeSpan.Zero);
        RuleFor(p => p.SubmitGracePeriod).GreaterThanOrEqualTo(TimeSpan.Zero);
        RuleFor(p => p.SubmissionCheckAfter).GreaterThan(TimeSpan.Zero);
        RuleFor(p => p.RetryBackoffBase).GreaterThanOrEqualTo(TimeSpan.Zero);
        RuleFor(p => p.RetryBackoffCap).GreaterThanOrEqualTo(TimeSpan.Zero);
    }
}

/// <summary>
/// The recovery loops and the runner-call bound (section <c>Recovery</c>), checked at start: a bound outside the
/// range a resilience timeout accepts would otherwise fail every runner call (docs/decisions/0013-named-resilience-pipelines.md).
/// </summary>
public sealed class RecoveryOptionsValidator : AbstractValidator<RecoveryOptions>
{
    public RecoveryOptionsValidator()
    {
        RuleFor(o => o.BatchSize).InclusiveBetween(1, 10_000);
        RuleFor(o => o.Interval).GreaterThan(TimeSpan.Zero);
        RuleFor(o => o.CleanupInterval).GreaterThan(TimeSpan.Zero);
        RuleFor(o => o.ChunkDispatchInterval).GreaterThan(TimeSpan.Zero);
        RuleFor(o => o.RunnerCallTimeout).InclusiveBetween(TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(24));
    }
}

/// <summary>
/// The worker's settings (section <c>Worker</c>), checked before it touches its job: a worker that
/// cannot run an attempt must exit at once with the reason, not fail the job.
/// </summary>
public sealed partial class WorkerOptionsValidator : AbstractValidator<WorkerOptions>
{
    public WorkerOptionsValidator(JobPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var stuckThreshold = policy.StuckThreshold;
        RuleFor(o => o.HeartbeatInterval).GreaterThan(TimeSpan.Zero)
            .LessThanOrEqualTo(stuckThreshold / 2)
            .WithMessage($"'Heartbeat Interval' must be positive and at most half the stuck threshold ({stuckThreshold:c}), or a live attempt is taken for dead.");
        RuleFor(o => o.SegmentDuration).GreaterThan(TimeSpan.Zero).LessThanOrEqualTo(TimeSpan.FromMinutes(1));
        RuleFor(o => o.UploadParallelism).InclusiveBetween(1, 64);
        RuleFor(o => o.ProgressInterval).GreaterThanOrEqualTo(TimeSpan.Zero).LessThanOrEqualTo(TimeSpan.FromMinutes(10));
        RuleFor(o => o.WorkDirectory).NotEmpty();
        RuleFor(o => o.Rungs)
            .Must(rungs => rungs.Select(r => r.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count() == rungs.Count)
            .WithMessage("Rung names must be unique.");
        RuleForEach(o => o.Rungs).ChildRules(rung =>
        {
            rung.RuleFor(r => r.Name).NotEmpty().Matches(RungName()).WithMessage("A rung name is a folder name: letters, digits, '_' and '-' only.");
            rung.RuleFor(r => r.ShortSide).InclusiveBetween(2, HlsLadder.MaxRenditionSide);
            rung.RuleFor(r => r.VideoBitrateKbps).GreaterThan(0);
            rung.RuleFor(r => r.AudioBitrateKbps).GreaterThan(0);
        });
    }

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex RungName();
}
