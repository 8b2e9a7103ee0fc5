using System.Security.Cryptography;
using System.Text;
using Academy.Video.Domain.Events;
using Academy.Video.Domain.Webhooks;
using Microsoft.Extensions.Options;

namespace Academy.Video.Application.Webhooks;

/// <summary>Every endpoint: those declared in settings, then those added through the internal API.</summary>
public sealed class WebhookEndpointCatalog(IWebhookEndpointStore store, IOptions<WebhookOptions> options)
{
    private readonly Lazy<IReadOnlyList<WebhookEndpoint>> fromSettings = new(() => options.Value.Endpoints.Select(FromSetting).ToList());

    public IReadOnlyList<WebhookEndpoint> FromSettings => fromSettings.Value;

    public async Task<IReadOnlyList<WebhookEndpoint>> ListAsync(CancellationToken cancellationToken) =>
        [.. FromSettings, .. await store.ListAsync(cancellationToken)];

    public async Task<WebhookEndpoint?> FindAsync(Guid endpointId, CancellationToken cancellationToken) =>
        FromSettings.FirstOrDefault(e => e.Id == endpointId) ?? await store.FindAsync(endpointId, cancellationToken);

    /// <summary>
    /// A settings endpoint's id is derived from its URL, so it stays the same across restarts and replicas
    /// (its deliveries find it again) and changes with the URL (a new target is a new endpoint).
    /// </summary>
    public static Guid SettingsEndpointId(string url) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes("academy-video:webhook-endpoint:" + url))[..16]);

    private static WebhookEndpoint FromSetting(WebhookEndpointSetting setting) => new(
        SettingsEndpointId(setting.Url),
        setting.Url,
        setting.Secret,
        setting.Events.Select(VideoEventTypeNames.ParseVideoEventType).Distinct().ToList(),
        WebhookEndpointSource.Settings,
        null);
}
