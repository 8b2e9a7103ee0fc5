using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Academy.Video.IntegrationTests.Http;

namespace Academy.Video.IntegrationTests.Webhooks;

/// <summary>What a receiver answers to one request.</summary>
public sealed record ReceiverAnswer(int Status, string Body = "ok", string? Location = null, TimeSpan Delay = default);

/// <summary>One request as the receiver got it, with the receiver's own check of its signature.</summary>
public sealed record ReceivedWebhook(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, DateTimeOffset ReceivedAt)
{
    public string BodyText => Encoding.UTF8.GetString(Body);

    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();

    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : "";

    public string EventId => Header("Academy-Event-Id");

    /// <summary>
    /// The check a receiver's documentation tells it to make, written here from the format alone:
    /// <c>t=&lt;unix&gt;,v1=&lt;hex HMAC-SHA256 of "&lt;t&gt;.&lt;raw body&gt;"&gt;</c>, compared in constant time,
    /// with <c>t</c> within five minutes of the receiver's clock.
    /// </summary>
    public bool SignatureIsValid(string secret)
    {
        var parts = Header("Academy-Signature").Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        if (!parts.TryGetValue("t", out var t) || !parts.TryGetValue("v1", out var v1)
            || !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(ReceivedAt.ToUnixTimeSeconds() - seconds) > 300)
        {
            return false;
        }

        var signed = Encoding.UTF8.GetBytes(t + ".").Concat(Body).ToArray();
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
        return v1.Length == expected.Length * 2 && CryptographicOperations.FixedTimeEquals(Convert.FromHexString(v1), expected);
    }
}

/// <summary>
/// A real HTTP receiver on a free loopback port (HttpListener): it records every request and answers as
/// <see cref="Answer"/> says, each request on its own task, so a slow answer holds up no other.
/// </summary>
public sealed class WebhookReceiver : LoopbackHttpServer
{
    private readonly ConcurrentQueue<ReceivedWebhook> received = new();

    private WebhookReceiver()
        : base(concurrent: true, alsoLocalhost: true)
    {
    }

    public Uri Url(string path) => new($"http://127.0.0.1:{Port}/{path.TrimStart('/')}");

    /// <summary>How to answer each request; 200 "ok" unless set.</summary>
    public Func<ReceivedWebhook, ReceiverAnswer> Answer { get; set; } = _ => new ReceiverAnswer(200);

    public IReadOnlyList<ReceivedWebhook> Received => received.ToList();

    public static WebhookReceiver Start() => new();

    /// <summary>Waits until the requests received satisfy <paramref name="condition"/>, and returns those that match <paramref name="filter"/>.</summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(Func<ReceivedWebhook, bool> filter, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(2));
        while (true)
        {
            var matching = Received.Where(filter).ToList();
            if (matching.Count >= count)
            {
                return matching;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Expected {count} matching request(s), got {matching.Count} of {Received.Count}: {string.Join(" | ", Received.Select(r => $"{r.Path} {r.Header("Academy-Event-Type")}"))}");
            }

            await Task.Delay(100);
        }
    }

    protected override async Task HandleAsync(HttpListenerContext context)
    {
        using var body = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(body);
        var headers = context.Request.Headers.AllKeys.OfType<string>().ToDictionary(k => k, k => context.Request.Headers[k] ?? "", StringComparer.OrdinalIgnoreCase);
        var request = new ReceivedWebhook(context.Request.Url!.AbsolutePath, headers, body.ToArray(), DateTimeOffset.UtcNow);
        received.Enqueue(request);
        var answer = Answer(request);
        if (answer.Delay > TimeSpan.Zero)
        {
            await Task.Delay(answer.Delay, Stopping);
        }

        context.Response.StatusCode = answer.Status;
        if (answer.Location is not null)
        {
            context.Response.RedirectLocation = answer.Location;
        }

        var bytes = Encoding.UTF8.GetBytes(answer.Body);
        context.Response.ContentLength64 = bytes.Length;
        await context.Response.OutputStream.WriteAsync(bytes, Stopping);
        context.Response.Close();
    }
}
