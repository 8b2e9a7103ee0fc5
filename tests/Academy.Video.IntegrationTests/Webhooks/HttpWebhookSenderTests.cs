using System.Net;
using Academy.Video.Application.Webhooks;
using Academy.Video.Infrastructure.Webhooks;
using Microsoft.Extensions.Options;

namespace Academy.Video.IntegrationTests.Webhooks;

/// <summary>The webhook sender against a real receiver on loopback: what it sends, and everything it refuses to do.</summary>
public sealed class HttpWebhookSenderTests : IAsyncLifetime
{
    private const string Body = """{"id":"6b0b1c8e-0000-0000-0000-000000000001","type":"video.ready"}""";
    private WebhookReceiver receiver = null!;

    public Task InitializeAsync()
    {
        receiver = WebhookReceiver.Start();
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => receiver.DisposeAsync().AsTask();

    [Fact]
    public async Task It_posts_the_body_and_headers_and_keeps_the_status_and_the_start_of_the_answer()
    {
        receiver.Answer = _ => new ReceiverAnswer(202, new string('x', 5000));
        using var sender = Sender(allowPrivate: true, excerptBytes: 100);

        var response = await sender.SendAsync(new WebhookRequest(receiver.Url("/hooks"), Body, new Dictionary<string, string>
        {
            ["Academy-Signature"] = "t=1,v1=ab",
            ["Academy-Event-Id"] = "6b0b1c8e-0000-0000-0000-000000000001",
        }), CancellationToken.None);

        Assert.Equal((202, new string('x', 100), (string?)null), (response.StatusCode, response.ResponseExcerpt, response.Error));
        var request = Assert.Single(receiver.Received);
        Assert.Equal(("/hooks", Body, "t=1,v1=ab"), (request.Path, request.BodyText, request.Header("Academy-Signature")));
        Assert.Equal("application/json; charset=utf-8", request.Header("Content-Type"));
        Assert.StartsWith(HttpWebhookSender.UserAgent, request.Header("User-Agent"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redirect_is_an_answer_not_followed()
    {
        receiver.Answer = r => r.Path == "/moved" ? new ReceiverAnswer(302, "", Location: receiver.Url("/elsewhere").ToString()) : new ReceiverAnswer(200);
        using var sender = Sender(allowPrivate: true);

        var response = await sender.SendAsync(new WebhookRequest(receiver.Url("/moved"), Body, new Dictionary<string, string>()), CancellationToken.None);

        Assert.Equal(302, response.StatusCode);
        Assert.Equal(["/moved"], receiver.Received.Select(r => r.Path));
    }

    [Fact]
    public async Task A_receiver_that_does_not_answer_in_time_is_a_timeout_error()
    {
        receiver.Answer = _ => new ReceiverAnswer(200, Delay: TimeSpan.FromMinutes(1));
        using var sender = Sender(allowPrivate: true, timeout: TimeSpan.FromSeconds(1));

        var response = await sender.SendAsync(new WebhookRequest(receiver.Url("/slow"), Body, new Dictionary<string, string>()), CancellationToken.None);

        Assert.Null(response.StatusCode);
        Assert.Contains("No answer within 00:00:01", response.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    public async Task A_loopback_target_is_refused_when_connecting_unless_private_targets_are_allowed(string host)
    {
        var url = new Uri($"http://{host}:{receiver.Port}/hooks");
        using var refusing = Sender(allowPrivate: false);
        using var allowing = Sender(allowPrivate: true);

        var refused = await refusing.SendAsync(new WebhookRequest(url, Body, new Dictionary<string, string>()), CancellationToken.None);

        Assert.Null(refused.StatusCode);
        Assert.StartsWith("Refused target:", refused.Error, StringComparison.Ordinal);
        Assert.Contains("a loopback address", refused.Error, StringComparison.Ordinal);
        Assert.Empty(receiver.Received);

        Assert.Equal(200, (await allowing.SendAsync(new WebhookRequest(url, Body, new Dictionary<string, string>()), CancellationToken.None)).StatusCode);
        Assert.Single(receiver.Received);
    }

    [Fact]
    public async Task A_name_that_rebinds_from_a_public_address_to_loopback_passes_when_added_and_reaches_nothing_when_connecting()
    {
        var answers = new Queue<IPAddress>([IPAddress.Parse("93.184.215.14"), IPAddress.Loopback]);
        var guard = new WebhookTargetGuard(Options(allowPrivate: false), (_, _) => Task.FromResult(new[] { answers.Dequeue() }));
        using var sender = new HttpWebhookSender(guard, Options(allowPrivate: false));
        var url = new Uri($"http://rebinding.example:{receiver.Port}/hooks");

        var whenAdded = await guard.WhyRefusedAsync(url, CancellationToken.None);
        var response = await sender.SendAsync(new WebhookRequest(url, Body, new Dictionary<string, string>()), CancellationToken.None);

        Assert.Null(whenAdded);
        Assert.Contains("127.0.0.1 (a loopback address)", response.Error, StringComparison.Ordinal);
        Assert.Empty(receiver.Received);
    }

    [Theory]
    [InlineData("::127.0.0.1", "a loopback address (an IPv4-compatible address of 127.0.0.1)")]
    [InlineData("::ffff:127.0.0.1", "a loopback address (an IPv4-mapped address of 127.0.0.1)")]
    [InlineData("64:ff9b::7f00:1", "a loopback address (a NAT64 address of 127.0.0.1)")]
    [InlineData("2002:a00:1::1", "a private address (a 6to4 address of 10.0.0.1)")]
    public async Task A_name_resolving_to_IPv6_that_carries_a_private_IPv4_reaches_nothing_when_connecting(string answer, string reason)
    {
        var guard = new WebhookTargetGuard(Options(allowPrivate: false), (_, _) => Task.FromResult(new[] { IPAddress.Parse(answer) }));
        using var sender = new HttpWebhookSender(guard, Options(allowPrivate: false));
        var url = new Uri($"http://carrier.example:{receiver.Port}/hooks");

        var whenAdded = await guard.WhyRefusedAsync(url, CancellationToken.None);
        var response = await sender.SendAsync(new WebhookRequest(url, Body, new Dictionary<string, string>()), CancellationToken.None);

        Assert.Contains(reason, whenAdded, StringComparison.Ordinal);
        Assert.Contains(reason, response.Error, StringComparison.Ordinal);
        Assert.Empty(receiver.Received);
    }

    [Theory]
    [InlineData("http://[::127.0.0.1]/", "loopback")]
    [InlineData("http://localhost/hooks", "resolves to")]
    [InlineData("http://169.254.169.254/latest/meta-data", "link-local")]
    [InlineData("http://[::1]:8080/", "loopback")]
    [InlineData("http://10.0.0.7/", "a private address")]
    [InlineData("http://no-such-host.invalid/", "cannot be resolved")]
    public async Task Adding_a_target_that_is_not_public_or_does_not_resolve_is_refused_with_the_reason(string url, string reason)
    {
        var guard = new WebhookTargetGuard(Options(allowPrivate: false));

        Assert.Contains(reason, await guard.WhyRefusedAsync(new Uri(url), CancellationToken.None), StringComparison.Ordinal);
        Assert.Null(await new WebhookTargetGuard(Options(allowPrivate: true)).WhyRefusedAsync(new Uri(url), CancellationToken.None));
    }

    private static HttpWebhookSender Sender(bool allowPrivate, int excerptBytes = 1024, TimeSpan? timeout = null)
    {
        var options = Options(allowPrivate, excerptBytes, timeout);
        return new HttpWebhookSender(new WebhookTargetGuard(options), options);
    }

    private static IOptions<WebhookOptions> Options(bool allowPrivate, int excerptBytes = 1024, TimeSpan? timeout = null) =>
        Microsoft.Extensions.Options.Options.Create(new WebhookOptions
        {
            AllowPrivateTargets = allowPrivate,
            ResponseExcerptBytes = excerptBytes,
            RequestTimeout = timeout ?? TimeSpan.FromSeconds(10),
        });
}
