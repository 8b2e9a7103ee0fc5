using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Academy.Video.Application.Webhooks;

/// <summary>
/// <c>Academy-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "&lt;t&gt;.&lt;body&gt;"&gt;</c> under the
/// endpoint's secret (UTF-8). Receivers recompute it, compare in constant time and refuse a <c>t</c> far from
/// their clock, which stops replays of an old request by whoever saw it.
/// </summary>
public static class WebhookSignature
{
    public const string Header = "Academy-Signature";

    public static string Create(string secret, long unixSeconds, string body)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentNullException.ThrowIfNull(body);
        var t = unixSeconds.ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{body}"));
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }
}

/// <summary>The headers of every delivery request besides the signature.</summary>
public static class WebhookHeaders
{
    public const string EventId = "Academy-Event-Id";
    public const string EventType = "Academy-Event-Type";
    public const string DeliveryId = "Academy-Delivery-Id";
    public const string Attempt = "Academy-Delivery-Attempt";
}
