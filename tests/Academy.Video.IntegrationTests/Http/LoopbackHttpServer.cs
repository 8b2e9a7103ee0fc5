using System.Net;
using System.Net.Sockets;

namespace Academy.Video.IntegrationTests.Http;

/// <summary>
/// The plumbing every test HTTP server shares: a real <see cref="HttpListener"/> on a free loopback port, an
/// accept loop that hands each request to <see cref="HandleAsync"/>, and a disposal that stops the loop.
/// Hand-written on HttpListener because these servers must be real sockets inside the test process,
/// without hosting a whole ASP.NET Core app per fake.
/// </summary>
public abstract class LoopbackHttpServer : IDisposable, IAsyncDisposable
{
    private readonly HttpListener listener;
    private readonly CancellationTokenSource stopping = new();
    private readonly bool concurrent;
    private readonly Task loop;
    private int disposed;

    /// <param name="concurrent">Serve each request on its own task (a slow answer holds up no other) instead of one at a time.</param>
    /// <param name="alsoLocalhost">Answer on <c>http://localhost:port/</c> as well as on 127.0.0.1.</param>
    protected LoopbackHttpServer(bool concurrent = false, bool alsoLocalhost = false)
    {
        this.concurrent = concurrent;
        (listener, Port) = StartOnFreePort(alsoLocalhost);
        loop = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    /// <summary><c>http://127.0.0.1:port/</c>.</summary>
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    /// <summary><c>http://127.0.0.1:port</c>, without the trailing slash.</summary>
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    /// <summary>Cancelled when the server is disposed, to cut short answers still being written.</summary>
    protected CancellationToken Stopping => stopping.Token;

    public void Dispose()
    {
        if (Stop())
        {
            loop.GetAwaiter().GetResult();
            stopping.Dispose();
            OnDisposed();
        }

        GC.SuppressFinalize(this);
    }

    public async ValueTask DisposeAsync()
    {
        if (Stop())
        {
            await loop;
            stopping.Dispose();
            OnDisposed();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Answers one request. A client going away mid-request is expected and swallowed.</summary>
    protected abstract Task HandleAsync(HttpListenerContext context);

    /// <summary>Releases what the derived server holds, once the accept loop has ended.</summary>
    protected virtual void OnDisposed()
    {
    }

    /// <summary>
    /// A port found free can be taken by a parallel test before the listener binds it ("Address already in use"):
    /// another port is tried then.
    /// </summary>
    private static (HttpListener Listener, int Port) StartOnFreePort(bool alsoLocalhost)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            if (alsoLocalhost)
            {
                listener.Prefixes.Add($"http://localhost:{port}/");
            }

            try
            {
                listener.Start();
                return (listener, port);
            }
            catch (HttpListenerException) when (attempt < 10)
            {
                listener.Close();
            }
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private bool Stop()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return false;
        }

        stopping.Cancel();
        try
        {
            listener.Stop();
            listener.Close();
        }
        catch (HttpListenerException)
        {
            // .NET's managed listener looks its endpoint up again to remove the prefix and can find the port taken by then
            // ("Address already in use", seen once in CI): the server is going away either way, which the test must not fail on.
        }

        return true;
    }

    private async Task AcceptAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception error) when (error is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            if (concurrent)
            {
                _ = Task.Run(() => ServeAsync(context));
            }
            else
            {
                await ServeAsync(context);
            }
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        try
        {
            await HandleAsync(context);
        }
        catch (Exception error) when (error is HttpListenerException or IOException or ObjectDisposedException
            || (error is OperationCanceledException && stopping.IsCancellationRequested))
        {
            // The client went away mid-request, or the server is stopping: serve the next one.
        }
    }
}
