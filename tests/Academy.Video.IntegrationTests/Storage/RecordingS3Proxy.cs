using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Academy.Video.IntegrationTests.Http;

namespace Academy.Video.IntegrationTests.Storage;

/// <summary>
/// A pass-through HTTP proxy in front of s3rver that records every request's method, URL and headers,
/// to see on the wire what the SDK sent (s3rver's own answers do not reveal a multipart upload).
/// It can also play a flaky or slow bucket: <see cref="Fault"/> answers a request with a server
/// error or throttling instead of forwarding it, <see cref="PutDelay"/> slows every PUT.
/// Bodies are relayed whole; <see cref="StoredBodies"/> keeps the SHA-256 of each body the server took.
/// </summary>
internal sealed class RecordingS3Proxy : LoopbackHttpServer
{
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Host", "Expect",
    };

    private readonly HttpClient _upstream = new();
    private readonly Uri _target;

    /// <summary>Parts arrive concurrently, so each request is served on its own task.</summary>
    public RecordingS3Proxy(string targetUrl)
        : base(concurrent: true)
    {
        _target = new Uri(targetUrl);
    }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Decides, per request, whether it fails instead of reaching the server.</summary>
    public Func<RecordedRequest, ProxyFault>? Fault { get; set; }

    public TimeSpan PutDelay { get; set; }

    /// <summary>URL path (<c>/bucket/key</c>) → SHA-256 of the last body the server accepted for it.</summary>
    public ConcurrentDictionary<string, string> StoredBodies { get; } = new();

    public int FaultsInjected => Volatile.Read(ref faultsInjected);

    private int faultsInjected;

    protected override void OnDisposed() => _upstream.Dispose();

    protected override async Task HandleAsync(HttpListenerContext context)
    {
        var incoming = context.Request;
        var headers = incoming.Headers.AllKeys.OfType<string>().ToDictionary(name => name, name => incoming.Headers[name] ?? string.Empty, StringComparer.OrdinalIgnoreCase);
        var recorded = new RecordedRequest(incoming.HttpMethod, incoming.RawUrl ?? string.Empty, headers);
        Requests.Enqueue(recorded);
        using var body = new MemoryStream();
        if (incoming.HasEntityBody)
        {
            await incoming.InputStream.CopyToAsync(body);
        }

        var fault = Fault?.Invoke(recorded) ?? ProxyFault.None;
        if (fault != ProxyFault.None)
        {
            // HttpListener cannot drop a connection without answering (its Abort sends an empty 200):
            // connection-level faults are played by FlakyTcpFront.
            Interlocked.Increment(ref faultsInjected);
            var (status, code) = fault == ProxyFault.SlowDown ? (503, "SlowDown") : (500, "InternalError");
            var error = Encoding.UTF8.GetBytes($"""<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>Injected by the test proxy.</Message></Error>""");
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/xml";
            await context.Response.OutputStream.WriteAsync(error);
            context.Response.Close();
            return;
        }

        if (incoming.HttpMethod == "PUT" && PutDelay > TimeSpan.Zero)
        {
            await Task.Delay(PutDelay);
        }

        using var outgoing = new HttpRequestMessage(new HttpMethod(incoming.HttpMethod), new Uri(_target, incoming.RawUrl));
        // Even a bodiless request (CreateMultipartUpload) carries content headers such as Content-Type.
        outgoing.Content = new ByteArrayContent(body.ToArray());
        outgoing.Content.Headers.ContentLength = body.Length;

        // The SigV4 signature covers the Host header, so the original one is kept.
        outgoing.Headers.Host = incoming.Headers["Host"];
        foreach (var (name, value) in headers.Where(header => !NotForwarded.Contains(header.Key)))
        {
            if (!outgoing.Headers.TryAddWithoutValidation(name, value))
            {
                outgoing.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        var response = context.Response;
        try
        {
            using var answer = await _upstream.SendAsync(outgoing, HttpCompletionOption.ResponseHeadersRead);
            response.StatusCode = (int)answer.StatusCode;
            if (incoming.HttpMethod == "PUT" && answer.IsSuccessStatusCode)
            {
                StoredBodies[Uri.UnescapeDataString(incoming.Url!.AbsolutePath)] = Convert.ToHexStringLower(SHA256.HashData(body.ToArray()));
            }

            foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers).Where(header => !NotForwarded.Contains(header.Key)))
            {
                response.Headers[name] = string.Join(',', values);
            }

            // As the server said it (the SDK's ranged download checks each range's length); a HEAD has no body to measure.
            if (incoming.HttpMethod != "HEAD" && answer.Content.Headers.ContentLength is { } length)
            {
                response.ContentLength64 = length;
            }

            await answer.Content.CopyToAsync(response.OutputStream);
        }
        finally
        {
            response.Close();
        }
    }
}

internal sealed record RecordedRequest(string Method, string RawUrl, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>The URL path, <c>/bucket/key</c>, without the query.</summary>
    public string Path => Uri.UnescapeDataString(RawUrl.Split('?', 2)[0]);
}

internal enum ProxyFault
{
    None,
    /// <summary>Answer 500 InternalError without forwarding.</summary>
    ServerError,
    /// <summary>Answer 503 SlowDown (throttling) without forwarding.</summary>
    SlowDown,
}
