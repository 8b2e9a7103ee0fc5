using Academy.Video.Application.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Academy.Video.Infrastructure.Webhooks;

public static class WebhookServiceCollectionExtensions
{
    /// <summary>Binds <see cref="WebhookOptions"/> (section <c>Webhooks</c>) and registers the target guard and the HTTP sender.</summary>
    public static IServiceCollection AddWebhookDelivery(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.Configure<WebhookOptions>(configuration.GetSection(WebhookOptions.Section));
        services.AddSingleton<WebhookTargetGuard>();
        services.AddSingleton<IWebhookTargetGuard>(sp => sp.GetRequiredService<WebhookTargetGuard>());
        services.AddSingleton<IWebhookSender, HttpWebhookSender>();
        return services;
    }
}
