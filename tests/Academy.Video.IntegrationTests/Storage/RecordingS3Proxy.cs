using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Academy.Video.IntegrationTests.Storage;

/// <summary>
/// A pass-through HTTP proxy in front of s3rver that records every request's method, URL and headers,
/// to see on the wire what the SDK sent (s3rver's own answers do not reveal a multipart upload).
/// Forwards uploads only: bodies are streamed through, responses are relayed with their bodies.
/// </summary>
internal sealed class RecordingS3Proxy : IAsyncDisposable
{
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Host", "Expect",
    };

    private readonly HttpListener _listener = new();
    private readonly HttpClient _upstream = new();
    private readonly Uri _target;
    private readonly Task _serving;

    public RecordingS3Proxy(string targetUrl)
    {
        _target = new Uri(targetUrl);
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            BaseUrl = $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}";
        }

        _listener.Prefixes.Add(BaseUrl + "/");
        _listener.Start();
        _serving = ServeAsync();
    }

    public string BaseUrl { get; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving.ContinueWith(_ => { }, TaskScheduler.Default);
        _upstream.Dispose();
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            var context = await _listener.GetContextAsync();
            // Parts arrive concurrently; serve each without blocking the accept loop.
            _ = Task.Run(() => RelayAsync(context));
        }
    }

    private async Task RelayAsync(HttpListenerContext context)
    {
        var incoming = context.Request;
        var headers = incoming.Headers.AllKeys.OfType<string>().ToDictionary(name => name, name => incoming.Headers[name] ?? string.Empty, StringComparer.OrdinalIgnoreCase);
        Requests.Enqueue(new RecordedRequest(incoming.HttpMethod, incoming.RawUrl ?? string.Empty, headers));

        using var outgoing = new HttpRequestMessage(new HttpMethod(incoming.HttpMethod), new Uri(_target, incoming.RawUrl));
        // Even a bodiless request (CreateMultipartUpload) carries content headers such as Content-Type.
        outgoing.Content = incoming.HasEntityBody ? new StreamContent(incoming.InputStream) : new ByteArrayContent([]);
        outgoing.Content.Headers.ContentLength = incoming.HasEntityBody ? incoming.ContentLength64 : 0;

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
            foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers).Where(header => !NotForwarded.Contains(header.Key)))
            {
                response.Headers[name] = string.Join(',', values);
            }

            await answer.Content.CopyToAsync(response.OutputStream);
        }
        finally
        {
            response.Close();
        }
    }
}

internal sealed record RecordedRequest(string Method, string RawUrl, IReadOnlyDictionary<string, string> Headers);
