using Academy.Video.Application.Webhooks;
using Academy.Video.Infrastructure.Persistence;
using Academy.Video.Infrastructure.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Academy.Video.Infrastructure.Webhooks;

public static class WebhookServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="WebhookOptions"/> and <see cref="WebhookSecretEncryptionOptions"/> (section <c>Webhooks</c>, the key
    /// checked at start) and registers the target guard, the HTTP sender and the secret protector the endpoint store
    /// encrypts with. The worker composes none of this: it never reads an endpoint.
    /// </summary>
    public static IServiceCollection AddWebhookDelivery(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        // Checked at start by the API's local-mode guards (AddLocalModeGuards), which decide its private targets.
        services.AddSettings<WebhookOptions>(configuration, WebhookOptions.Section, validateOnStart: false);
        services.AddSettings<WebhookSecretEncryptionOptions>(configuration, WebhookOptions.Section);
        services.AddSingleton<IValidateOptions<WebhookSecretEncryptionOptions>, WebhookSecretEncryptionValidation>();
        services.AddSingleton<WebhookSecretProtector>();
        services.AddSingleton<PostgresWebhookEndpointStore>();
        services.AddSingleton<IWebhookEndpointStore>(sp => sp.GetRequiredService<PostgresWebhookEndpointStore>());
        services.AddSingleton<WebhookTargetGuard>();
        services.AddSingleton<IWebhookTargetGuard>(sp => sp.GetRequiredService<WebhookTargetGuard>());
        services.AddSingleton<IWebhookSender, HttpWebhookSender>();
        return services;
    }
}
