using System.Security.Cryptography;
using Academy.Video.Application.Common;
using Academy.Video.Domain.Events;
using Academy.Video.Domain.Webhooks;
using FluentValidation;
using FluentValidation.Results;
using Mediator;

namespace Academy.Video.Application.Webhooks.AddWebhookEndpoint;

/// <param name="Secret">The signing secret; null to have one generated (returned once, in the answer).</param>
/// <param name="Events">Event types to receive; null or empty for all.</param>
public sealed record AddWebhookEndpointCommand(string Url, string? Secret, IReadOnlyList<string>? Events) : ICommand<CreatedWebhookEndpoint>;

public sealed class AddWebhookEndpointValidator : AbstractValidator<AddWebhookEndpointCommand>
{
    public const string TargetRefusedCode = "WEBHOOK_TARGET_REFUSED";

    public AddWebhookEndpointValidator(IWebhookTargetGuard guard)
    {
        ArgumentNullException.ThrowIfNull(guard);
        // The target is resolved only once the URL is well formed.
        RuleFor(c => c.Url).Cascade(CascadeMode.Stop)
            .Must(url => WebhookUrls.Problem(url) is null)
            .WithMessage(c => $"'Url' {WebhookUrls.Problem(c.Url)}")
            .CustomAsync(async (url, context, token) =>
            {
                if (await guard.WhyRefusedAsync(new Uri(url), token) is { } why)
                {
                    context.AddFailure(new ValidationFailure(nameof(AddWebhookEndpointCommand.Url), $"'Url' is refused: {why}") { ErrorCode = TargetRefusedCode });
                }
            });
        RuleFor(c => c.Secret!)
            .Length(WebhookOptions.MinSecretLength, 256).SingleLine()
            .When(c => c.Secret is not null);
        RuleForEach(c => c.Events)
            .Must(e => VideoEventTypeNames.TryParseVideoEventType(e, out _))
            .WithMessage((_, e) => $"'{e}' is not an event type; use {WebhookEventNames.List}.");
    }
}

public sealed class AddWebhookEndpointHandler(IWebhookEndpointStore store, TimeProvider time) : ICommandHandler<AddWebhookEndpointCommand, CreatedWebhookEndpoint>
{
    public async ValueTask<CreatedWebhookEndpoint> Handle(AddWebhookEndpointCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var endpoint = new WebhookEndpoint(
            Guid.NewGuid(),
            command.Url,
            command.Secret ?? GenerateSecret(),
            (command.Events ?? []).Select(VideoEventTypeNames.ParseVideoEventType).Distinct().ToList(),
            WebhookEndpointSource.Api,
            time.GetUtcNow());
        await store.AddAsync(endpoint, cancellationToken);
        var view = WebhookEndpointView.From(endpoint);
        return new CreatedWebhookEndpoint(view.EndpointId, view.Url, view.Events, view.Source, view.CreatedAt, endpoint.Secret);
    }

    /// <summary>256 random bits, hex: as strong as the HMAC-SHA256 it keys.</summary>
    private static string GenerateSecret() => "whsec_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
}
