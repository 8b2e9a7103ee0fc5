using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Academy.Video.Application.Webhooks;

namespace Academy.Video.UnitTests.Application;

public sealed class WebhookRulesTests
{
    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("10.20.30.40", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("100.64.0.1", "carrier-grade NAT")]
    [InlineData("0.0.0.0", "this network")]
    [InlineData("224.0.0.251", "multicast")]
    [InlineData("::1", "loopback")]
    [InlineData("fd00::1", "unique local")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("::ffff:127.0.0.1", "loopback")]
    [InlineData("::ffff:10.0.0.1", "private")]
    [InlineData("64:ff9b::a9fe:a9fe", "link-local")]
    [InlineData("2002:c0a8:0101::1", "private")]
    [InlineData("10.255.255.255", "private")]
    [InlineData("100.127.255.255", "carrier-grade NAT")]
    [InlineData("127.255.255.254", "loopback")]
    [InlineData("192.0.0.8", "IETF protocol")]
    [InlineData("192.0.2.1", "documentation")]
    [InlineData("192.88.99.1", "6to4 relay")]
    [InlineData("198.19.255.255", "benchmarking")]
    [InlineData("198.51.100.7", "documentation")]
    [InlineData("203.0.113.9", "documentation")]
    [InlineData("239.255.255.250", "multicast")]
    [InlineData("240.0.0.1", "reserved")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("::", "unspecified")]
    [InlineData("::ffff:169.254.169.254", "link-local")]
    [InlineData("::127.0.0.1", "loopback")]
    [InlineData("::7f00:1", "IPv4-compatible")]
    [InlineData("::10.1.2.3", "private")]
    [InlineData("::0.0.0.2", "this network")]
    [InlineData("64:ff9b::127.0.0.1", "NAT64")]
    [InlineData("64:ff9b:1::808:808", "local-use NAT64")]
    [InlineData("64:ff9b:1:ffff::1", "local-use NAT64")]
    [InlineData("100::1", "discard")]
    [InlineData("2001::1", "IETF protocol")]
    [InlineData("2001:1ff:ffff::1", "IETF protocol")]
    [InlineData("2001:db8::1", "documentation")]
    [InlineData("2002:7f00:1::1", "loopback")]
    [InlineData("2002:a9fe:a9fe::", "6to4")]
    [InlineData("fc00::1", "unique local")]
    [InlineData("fdff:ffff::1", "unique local")]
    [InlineData("febf::1", "link-local")]
    [InlineData("fe80::1%2", "link-local")]
    [InlineData("fec0::1", "site-local")]
    [InlineData("ff02::1", "multicast")]
    public void Non_public_addresses_are_named_for_what_they_are(string address, string kind)
    {
        var why = NonPublicAddresses.Describe(IPAddress.Parse(address));

        Assert.NotNull(why);
        Assert.Contains(kind, why, StringComparison.Ordinal);
        Assert.False(NonPublicAddresses.IsPublic(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("93.184.215.14")]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("2606:4700::6810:85e5")]
    [InlineData("::ffff:1.1.1.1")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("1.1.1.1")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.0")]
    [InlineData("172.15.255.255")]
    [InlineData("192.0.1.1")]
    [InlineData("192.88.100.1")]
    [InlineData("198.20.0.1")]
    [InlineData("223.255.255.255")]
    [InlineData("::8.8.8.8")]
    [InlineData("2002:808:808::1")]
    [InlineData("2001:200::1")]
    [InlineData("2001:db9::1")]
    [InlineData("64:ff9b:2::1")]
    [InlineData("2a00:1450:4001::1")]
    public void Public_addresses_pass(string address) => Assert.True(NonPublicAddresses.IsPublic(IPAddress.Parse(address)));

    [Fact]
    public void One_table_holds_every_special_range_the_guard_knows()
    {
        string[] required =
        [
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
            "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
            "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32",
            "::/128", "::1/128", "::ffff:0:0/96", "::/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/23",
            "2001:db8::/32", "2002::/16", "fc00::/7", "fe80::/10", "ff00::/8",
        ];

        var table = NonPublicAddresses.Table.Select(r => r.Network).ToList();

        Assert.Empty(required.Except(table));
        Assert.Equal(table.Count, table.Distinct().Count());
    }

    [Theory]
    [InlineData("::ffff:0:0/96")]
    [InlineData("::/96")]
    [InlineData("64:ff9b::/96")]
    [InlineData("2002::/16")]
    public void A_range_carrying_IPv4_is_judged_by_every_IPv4_range_of_the_table(string carrier)
    {
        var network = IPNetwork.Parse(carrier);
        var at = network.PrefixLength == 16 ? 2 : 12;
        foreach (var (range, what) in NonPublicAddresses.Table.Where(r => IPNetwork.Parse(r.Network).BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork))
        {
            var inside = IPNetwork.Parse(range).BaseAddress.GetAddressBytes();
            inside[3] |= 2; // ::0.0.0.1 would be ::1, loopback in its own right
            var bytes = network.BaseAddress.GetAddressBytes();
            inside.CopyTo(bytes, at);
            var address = new IPAddress(bytes);

            Assert.Contains(what, NonPublicAddresses.Describe(address) ?? $"{address} passed", StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("https://hooks.example.com/academy", null)]
    [InlineData("http://203.0.113.9:8080/x", null)]
    [InlineData("ftp://example.com/x", "not an absolute http or https URL")]
    [InlineData("/relative", "not an absolute http or https URL")]
    [InlineData("https://user:pass@example.com/", "user name or password")]
    [InlineData("https://example.com/#frag", "fragment")]
    [InlineData("", "is required")]
    public void Urls_are_refused_by_their_spelling_with_the_reason(string url, string? problem)
    {
        var found = WebhookUrls.Problem(url);

        if (problem is null)
        {
            Assert.Null(found);
        }
        else
        {
            Assert.Contains(problem, found, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_signature_is_the_hex_HMAC_SHA256_of_t_dot_body_under_the_secret()
    {
        const string body = """{"id":"e1","type":"video.ready"}""";
        var expected = Convert.ToHexStringLower(new HMACSHA256(Encoding.UTF8.GetBytes("whsec_test_secret_0123")).ComputeHash(Encoding.UTF8.GetBytes("1796034316." + body)));

        Assert.Equal($"t=1796034316,v1={expected}", WebhookSignature.Create("whsec_test_secret_0123", 1_796_034_316, body));
        Assert.NotEqual(WebhookSignature.Create("whsec_test_secret_0123", 1_796_034_316, body), WebhookSignature.Create("whsec_test_secret_0123", 1_796_034_317, body));
    }

    [Fact]
    public void Settings_endpoints_must_be_well_formed_signed_known_once_and_public_unless_allowed()
    {
        var options = new WebhookOptions
        {
            Endpoints =
            [
                new() { Url = "http://127.0.0.1:9000/hook", Secret = "long-enough-secret-1", Events = ["video.ready"] },
                new() { Url = "ftp://example.com", Secret = "short", Events = ["video.readyy"] },
                new() { Url = "https://hooks.example.com/a", Secret = "long-enough-secret-2" },
                new() { Url = "https://hooks.example.com/a", Secret = "long-enough-secret-3" },
            ],
            AllowPrivateTargets = false,
            MaxAttempts = 0,
        };

        var problems = options.Problems().ToList();

        Assert.Contains(problems, p => p.StartsWith("Webhooks:Endpoints:0:Url points at 127.0.0.1, a loopback address", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Webhooks:Endpoints:1:Url 'ftp://example.com' is not an absolute http", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Webhooks:Endpoints:1:Secret must be at least 16", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Webhooks:Endpoints:1:Events names 'video.readyy'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Webhooks:Endpoints declares https://hooks.example.com/a 2 times", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Webhooks:MaxAttempts must be between 1 and 100", StringComparison.Ordinal));
        Assert.Equal(6, problems.Count);

        options.AllowPrivateTargets = true;
        Assert.DoesNotContain(options.Problems(), p => p.Contains("127.0.0.1", StringComparison.Ordinal));
        Assert.Empty(new WebhookOptions().Problems());
    }

    [Fact]
    public void A_settings_endpoint_keeps_its_id_for_its_url_and_gets_a_new_one_with_a_new_url()
    {
        Assert.Equal(WebhookEndpointCatalog.SettingsEndpointId("https://a.example/h"), WebhookEndpointCatalog.SettingsEndpointId("https://a.example/h"));
        Assert.NotEqual(WebhookEndpointCatalog.SettingsEndpointId("https://a.example/h"), WebhookEndpointCatalog.SettingsEndpointId("https://a.example/i"));
    }

    [Theory]
    [InlineData("00:59:59")]
    [InlineData("00:00:00")]
    [InlineData("-1.00:00:00")]
    public void A_retention_under_an_hour_is_refused(string retention)
    {
        var options = new WebhookOptions { Retention = TimeSpan.Parse(retention, CultureInfo.InvariantCulture) };

        Assert.Equal($"Webhooks:Retention must be at least 1 hour (was {options.Retention}).", Assert.Single(options.Problems()));
        Assert.Empty(new WebhookOptions { Retention = TimeSpan.FromHours(1) }.Problems());
        Assert.Equal(TimeSpan.FromDays(30), new WebhookOptions().Retention);
    }

    [Fact]
    public void The_delivery_lease_outlasts_any_request()
    {
        var options = new WebhookOptions { RequestTimeout = TimeSpan.FromMinutes(5) };

        Assert.True(options.Policy.Lease > options.RequestTimeout * 2);
    }
}
