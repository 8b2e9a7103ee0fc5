using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using Academy.Video.Application.Webhooks;
using Microsoft.Extensions.Options;

namespace Academy.Video.Infrastructure.Webhooks;

/// <summary>
/// Keeps webhooks off private networks unless private targets are allowed (local mode only, docs/webhooks.md): when an endpoint is added
/// (every address its host resolves to must be public) and when a request connects (<see cref="ConnectAsync"/>
/// resolves the host itself and connects only to an address it has just checked, so a name that resolved to a
/// public address at add time and to 127.0.0.1 now — DNS rebinding — still reaches nothing private).
/// </summary>
public sealed class WebhookTargetGuard(IOptions<WebhookOptions> options, WebhookTargetGuard.HostResolver? resolver = null) : IWebhookTargetGuard
{
    public delegate Task<IPAddress[]> HostResolver(string host, CancellationToken cancellationToken);

    private readonly HostResolver resolve = resolver ?? Dns.GetHostAddressesAsync;

    public async Task<string?> WhyRefusedAsync(Uri url, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (options.Value.PrivateTargetsAllowed)
        {
            return null;
        }

        IPAddress[] addresses;
        try
        {
            addresses = await AddressesOfAsync(url.IdnHost, cancellationToken);
        }
        catch (SocketException ex)
        {
            return $"its host '{url.Host}' cannot be resolved ({ex.SocketErrorCode}).";
        }

        if (addresses.Length == 0)
        {
            return $"its host '{url.Host}' resolves to no address.";
        }

        if (addresses.Select(a => (Address: a, Why: NonPublicAddresses.Describe(a))).FirstOrDefault(a => a.Why is not null) is not { Why: { } why } refused)
        {
            return null;
        }

        var target = IPAddress.TryParse(url.IdnHost.Trim('[', ']'), out _) ? $"{refused.Address} is" : $"'{url.Host}' resolves to {refused.Address},";
        return $"{target} {why}; webhooks go to public addresses only ({WebhookOptions.PrivateTargetsRule}).";
    }

    /// <summary>The <see cref="SocketsHttpHandler.ConnectCallback"/> of the webhook client.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var host = context.DnsEndPoint.Host;
        var addresses = await AddressesOfAsync(host, cancellationToken);
        var allowed = options.Value.PrivateTargetsAllowed ? addresses : addresses.Where(NonPublicAddresses.IsPublic).ToArray();
        if (allowed.Length == 0)
        {
            throw new WebhookTargetRefusedException(addresses.Length == 0
                ? $"'{host}' resolves to no address."
                : $"'{host}' resolves to {string.Join(", ", addresses.Select(a => $"{a} ({NonPublicAddresses.Describe(a)})"))}: "
                  + $"not public ({WebhookOptions.PrivateTargetsRule}).");
        }

        Exception? last = null;
        foreach (var address in allowed)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(address, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last!;
    }

    private async Task<IPAddress[]> AddressesOfAsync(string host, CancellationToken cancellationToken) =>
        IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await resolve(host, cancellationToken);
}

/// <summary>The target of a request resolved only to addresses webhooks may not reach.</summary>
public sealed class WebhookTargetRefusedException(string message) : Exception(message);
