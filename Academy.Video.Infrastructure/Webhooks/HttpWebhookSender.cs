using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using Academy.Video.Application.Webhooks;
using Microsoft.Extensions.Options;

namespace Academy.Video.Infrastructure.Webhooks;

/// <summary>
/// POSTs a webhook: no redirect followed, no proxy, the connection made by <see cref="WebhookTargetGuard"/>,
/// the whole attempt bounded by <c>Webhooks:RequestTimeout</c>, and at most <c>Webhooks:ResponseExcerptBytes</c>
/// of the answer read. Every failure is returned as the attempt's error, never thrown; only the caller's own
/// cancellation (the host stopping) is.
/// </summary>
public sealed class HttpWebhookSender : IWebhookSender, IDisposable
{
    public const string UserAgent = "Academy-Video-Webhooks/1";

    private readonly HttpClient client;
    private readonly IOptions<WebhookOptions> options;

    public HttpWebhookSender(WebhookTargetGuard guard, IOptions<WebhookOptions> options)
    {
        ArgumentNullException.ThrowIfNull(guard);
        this.options = options;
        client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectCallback = guard.ConnectAsync,
            // A pooled connection keeps the address it was checked on; a fresh one is resolved and checked again.
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            MaxResponseHeadersLength = 64,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public async Task<WebhookResponse> SendAsync(WebhookRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = options.Value;
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(settings.RequestTimeout);
        using var message = new HttpRequestMessage(HttpMethod.Post, request.Url)
        {
            Content = new StringContent(request.Body, Encoding.UTF8, "application/json"),
        };
        message.Headers.UserAgent.Add(ProductInfoHeaderValue.Parse(UserAgent));
        foreach (var (name, value) in request.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, bounded.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new WebhookResponse(null, null, $"No answer within {settings.RequestTimeout:c} (Webhooks:RequestTimeout).");
        }
        catch (HttpRequestException ex)
        {
            return new WebhookResponse(null, null, Describe(ex));
        }

        using (response)
        {
            try
            {
                return new WebhookResponse((int)response.StatusCode, await ReadExcerptAsync(response.Content, settings.ResponseExcerptBytes, bounded.Token), null);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new WebhookResponse((int)response.StatusCode, null, $"The answer's body did not arrive within {settings.RequestTimeout:c}.");
            }
            catch (HttpRequestException ex)
            {
                return new WebhookResponse((int)response.StatusCode, null, $"The answer's body broke off: {Describe(ex)}");
            }
            catch (IOException ex)
            {
                return new WebhookResponse((int)response.StatusCode, null, $"The answer's body broke off: {ex.Message}");
            }
        }
    }

    public void Dispose() => client.Dispose();

    /// <summary>The first <paramref name="limit"/> bytes as text; the rest is never read (disposing the answer drops the connection).</summary>
    private static async Task<string?> ReadExcerptAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        if (limit == 0)
        {
            return null;
        }

        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[limit];
        var read = await stream.ReadAtLeastAsync(buffer, limit, throwOnEndOfStream: false, cancellationToken);
        // PostgreSQL text holds no NUL; a binary answer is kept readable instead.
        return read == 0 ? "" : Encoding.UTF8.GetString(buffer, 0, read).Replace('\0', '\uFFFD');
    }

    /// <summary>The innermost reason (a refused target, a DNS or socket error), which is what an operator needs.</summary>
    private static string Describe(HttpRequestException error)
    {
        Exception reason = error;
        while (reason.InnerException is { } inner)
        {
            reason = inner;
        }

        return reason is WebhookTargetRefusedException refused
            ? $"Refused target: {refused.Message}"
            : reason == error ? error.Message : $"{error.Message} ({reason.Message})";
    }
}
