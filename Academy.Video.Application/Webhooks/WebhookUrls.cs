using System.Net;

namespace Academy.Video.Application.Webhooks;

/// <summary>What a webhook URL may look like, and which addresses count as public (the one home of that rule).</summary>
public static class WebhookUrls
{
    public const int MaxLength = 2048;

    /// <summary>Why <paramref name="url"/> cannot be a webhook target by its spelling alone; null when it can.</summary>
    public static string? Problem(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return "is required.";
        }

        if (url.Length > MaxLength)
        {
            return $"is longer than {MaxLength} characters.";
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return $"'{url}' is not an absolute http or https URL.";
        }

        if (uri.UserInfo.Length > 0)
        {
            return "must not carry a user name or password: receivers check the signature instead.";
        }

        return uri.Fragment.Length > 0 ? "must not have a fragment (#…): it is never sent." : null;
    }

    /// <summary>When the URL's host is an IP address that is not public, why; null for public addresses and host names.</summary>
    public static string? LiteralAddressProblem(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return IPAddress.TryParse(url.IdnHost.Trim('[', ']'), out var address) && NonPublicAddresses.Describe(address) is { } why
            ? $"points at {address}, {why}"
            : null;
    }
}

/// <summary>
/// Addresses a webhook must not reach unless private targets are allowed: this host, the private networks
/// behind it, link-local (cloud metadata at 169.254.169.254), and every special-purpose range that is not
/// the public internet (RFC 6890 and its IPv6 counterparts). IPv4 inside IPv6 (mapped, NAT64, 6to4) is
/// judged by the IPv4 address it carries.
/// </summary>
public static class NonPublicAddresses
{
    private static readonly (IPNetwork Network, string Why)[] Ranges =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "a 'this network' address"),
        (IPNetwork.Parse("10.0.0.0/8"), "a private address"),
        (IPNetwork.Parse("100.64.0.0/10"), "a carrier-grade NAT address"),
        (IPNetwork.Parse("127.0.0.0/8"), "a loopback address"),
        (IPNetwork.Parse("169.254.0.0/16"), "a link-local address (cloud metadata lives there)"),
        (IPNetwork.Parse("172.16.0.0/12"), "a private address"),
        (IPNetwork.Parse("192.0.0.0/24"), "an IETF protocol address"),
        (IPNetwork.Parse("192.0.2.0/24"), "a documentation address"),
        (IPNetwork.Parse("192.88.99.0/24"), "a 6to4 relay address"),
        (IPNetwork.Parse("192.168.0.0/16"), "a private address"),
        (IPNetwork.Parse("198.18.0.0/15"), "a benchmarking address"),
        (IPNetwork.Parse("198.51.100.0/24"), "a documentation address"),
        (IPNetwork.Parse("203.0.113.0/24"), "a documentation address"),
        (IPNetwork.Parse("224.0.0.0/4"), "a multicast address"),
        (IPNetwork.Parse("240.0.0.0/4"), "a reserved address"),
        (IPNetwork.Parse("::/128"), "the unspecified address"),
        (IPNetwork.Parse("::1/128"), "a loopback address"),
        (IPNetwork.Parse("100::/64"), "a discard address"),
        (IPNetwork.Parse("2001::/23"), "an IETF protocol address"),
        (IPNetwork.Parse("2001:db8::/32"), "a documentation address"),
        (IPNetwork.Parse("fc00::/7"), "a unique local (private) address"),
        (IPNetwork.Parse("fe80::/10"), "a link-local address"),
        (IPNetwork.Parse("fec0::/10"), "a site-local address"),
        (IPNetwork.Parse("ff00::/8"), "a multicast address"),
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

    public static bool IsPublic(IPAddress address) => Describe(address) is null;

    /// <summary>What kind of non-public address <paramref name="address"/> is; null when it is public.</summary>
    public static string? Describe(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            return Describe(address.MapToIPv4());
        }

        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            if (Nat64.Contains(address))
            {
                return Describe(new IPAddress(bytes[12..16]));
            }

            if (SixToFour.Contains(address))
            {
                return Describe(new IPAddress(bytes[2..6]));
            }
        }

        foreach (var (network, why) in Ranges)
        {
            if (network.BaseAddress.AddressFamily == address.AddressFamily && network.Contains(address))
            {
                return why;
            }
        }

        return null;
    }
}
