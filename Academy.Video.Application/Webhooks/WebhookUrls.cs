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
/// the public internet (the IANA IPv4 and IPv6 special-purpose registries, RFC 6890). One table holds them
/// all; an IPv6 range that carries an IPv4 address (mapped, IPv4-compatible, NAT64, 6to4) is judged by the
/// IPv4 address it carries, against the same table. The most specific range that holds an address decides.
/// </summary>
public static class NonPublicAddresses
{
    /// <summary>
    /// A range and what it is. <paramref name="Why"/> is null for a range that carries an IPv4 address at byte
    /// <paramref name="Ipv4At"/>, which decides instead.
    /// </summary>
    private sealed record Range(IPNetwork Network, string? Why, string? Carries = null, int Ipv4At = 0);

    private static readonly Range[] Ranges =
    [
        new(IPNetwork.Parse("0.0.0.0/8"), "a 'this network' address"),
        new(IPNetwork.Parse("10.0.0.0/8"), "a private address"),
        new(IPNetwork.Parse("100.64.0.0/10"), "a carrier-grade NAT address"),
        new(IPNetwork.Parse("127.0.0.0/8"), "a loopback address"),
        new(IPNetwork.Parse("169.254.0.0/16"), "a link-local address (cloud metadata lives there)"),
        new(IPNetwork.Parse("172.16.0.0/12"), "a private address"),
        new(IPNetwork.Parse("192.0.0.0/24"), "an IETF protocol address"),
        new(IPNetwork.Parse("192.0.2.0/24"), "a documentation address"),
        new(IPNetwork.Parse("192.88.99.0/24"), "a 6to4 relay address"),
        new(IPNetwork.Parse("192.168.0.0/16"), "a private address"),
        new(IPNetwork.Parse("198.18.0.0/15"), "a benchmarking address"),
        new(IPNetwork.Parse("198.51.100.0/24"), "a documentation address"),
        new(IPNetwork.Parse("203.0.113.0/24"), "a documentation address"),
        new(IPNetwork.Parse("224.0.0.0/4"), "a multicast address"),
        new(IPNetwork.Parse("240.0.0.0/4"), "a reserved address"),
        new(IPNetwork.Parse("255.255.255.255/32"), "the broadcast address"),
        new(IPNetwork.Parse("::/128"), "the unspecified address"),
        new(IPNetwork.Parse("::1/128"), "a loopback address"),
        new(IPNetwork.Parse("::ffff:0:0/96"), null, "an IPv4-mapped address", Ipv4At: 12),
        new(IPNetwork.Parse("::/96"), null, "an IPv4-compatible address", Ipv4At: 12),
        new(IPNetwork.Parse("64:ff9b::/96"), null, "a NAT64 address", Ipv4At: 12),
        new(IPNetwork.Parse("64:ff9b:1::/48"), "a local-use NAT64 address"),
        new(IPNetwork.Parse("100::/64"), "a discard address"),
        new(IPNetwork.Parse("2001::/23"), "an IETF protocol address"),
        new(IPNetwork.Parse("2001:db8::/32"), "a documentation address"),
        new(IPNetwork.Parse("2002::/16"), null, "a 6to4 address", Ipv4At: 2),
        new(IPNetwork.Parse("fc00::/7"), "a unique local (private) address"),
        new(IPNetwork.Parse("fe80::/10"), "a link-local address"),
        new(IPNetwork.Parse("fec0::/10"), "a site-local address"),
        new(IPNetwork.Parse("ff00::/8"), "a multicast address"),
    ];

    /// <summary>The ranges, as <c>network</c> and what it is, for documentation and tests.</summary>
    public static IReadOnlyList<(string Network, string What)> Table { get; } =
        [.. Ranges.Select(r => (r.Network.ToString(), r.Why ?? $"{r.Carries}: judged by the IPv4 address it carries"))];

    public static bool IsPublic(IPAddress address) => Describe(address) is null;

    /// <summary>What kind of non-public address <paramref name="address"/> is; null when it is public.</summary>
    public static string? Describe(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && address.ScopeId != 0)
        {
            // Judged without its zone index ("fe80::1%eth0"): the range is in the bytes.
            address = new IPAddress(address.GetAddressBytes());
        }

        var bytes = address.GetAddressBytes();
        var range = Ranges.Where(r => Holds(r.Network, bytes)).MaxBy(r => r.Network.PrefixLength);
        if (range is null)
        {
            return null;
        }

        if (range.Why is not null)
        {
            return range.Why;
        }

        var carried = new IPAddress(bytes[range.Ipv4At..(range.Ipv4At + 4)]);
        return Describe(carried) is { } why ? $"{why} ({range.Carries} of {carried})" : null;
    }

    /// <summary>
    /// A plain prefix match on the bytes. <see cref="IPNetwork.Contains"/> is not used: it did not match IPv4-mapped
    /// addresses against <c>::ffff:0:0/96</c> (the mapped cases of WebhookRulesTests).
    /// </summary>
    private static bool Holds(IPNetwork network, byte[] address)
    {
        var prefix = network.BaseAddress.GetAddressBytes();
        if (prefix.Length != address.Length)
        {
            return false;
        }

        var whole = network.PrefixLength / 8;
        if (!prefix.AsSpan(0, whole).SequenceEqual(address.AsSpan(0, whole)))
        {
            return false;
        }

        var rest = network.PrefixLength % 8;
        if (rest == 0)
        {
            return true;
        }

        var mask = 0xFF << (8 - rest) & 0xFF;
        return (prefix[whole] & mask) == (address[whole] & mask);
    }
}
