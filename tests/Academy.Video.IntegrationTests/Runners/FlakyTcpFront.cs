using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Academy.Video.IntegrationTests.Runners;

/// <summary>
/// A TCP front for a local HTTP server that can play a dead endpoint at the connection level, which
/// an HttpListener cannot: <see cref="FrontMode.Hang"/> accepts and never answers,
/// <see cref="FrontMode.Reset"/> drops each connection with a TCP reset. Switching the mode cuts the
/// connections already open, so a client's pooled connection meets the new mode at once.
/// It fronts any TCP server (PostgreSQL too), and <see cref="ResetFirst"/> resets only the first connections.
/// </summary>
internal sealed class FlakyTcpFront : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly int backendPort;
    private readonly ConcurrentDictionary<TcpClient, byte> open = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Task accepting;
    private volatile FrontMode mode = FrontMode.Forward;
    private int connections;

    public FlakyTcpFront(Uri backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        backendPort = backend.Port;
        listener.Start();
        BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
        accepting = Task.Run(AcceptAsync);
    }

    public Uri BaseAddress { get; }

    public int Connections => Volatile.Read(ref connections);

    /// <summary>This many connections, the first ones, are reset whatever the mode.</summary>
    public int ResetFirst { get; init; }

    public FrontMode Mode
    {
        get => mode;
        set
        {
            mode = value;
            foreach (var client in open.Keys)
            {
                Drop(client);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        foreach (var client in open.Keys)
        {
            Drop(client);
        }

        await accepting.ContinueWith(_ => { }, TaskScheduler.Default);
        stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception error) when (error is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var number = Interlocked.Increment(ref connections);
            _ = Task.Run(() => ServeAsync(client, number <= ResetFirst ? FrontMode.Reset : mode));
        }
    }

    private async Task ServeAsync(TcpClient client, FrontMode served)
    {
        open[client] = 0;
        try
        {
            switch (served)
            {
                case FrontMode.Reset:
                    Drop(client);
                    return;
                case FrontMode.Hang:
                    // Read and discard whatever comes; never answer.
                    var sink = new byte[8192];
                    while (await client.GetStream().ReadAsync(sink, stop.Token) > 0)
                    {
                    }

                    return;
                default:
                    using (var backend = new TcpClient())
                    {
                        await backend.ConnectAsync(IPAddress.Loopback, backendPort, stop.Token);
                        var upstream = backend.GetStream();
                        var downstream = client.GetStream();
                        await Task.WhenAny(upstream.CopyToAsync(downstream, stop.Token), downstream.CopyToAsync(upstream, stop.Token));
                    }

                    return;
            }
        }
        catch (Exception error) when (error is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            open.TryRemove(client, out _);
            Drop(client);
        }
    }

    /// <summary>Closes with linger 0: the peer gets a RST, not a FIN.</summary>
    private static void Drop(TcpClient client)
    {
        try
        {
            // A client closed already has no socket left.
            if (client.Client is { } socket)
            {
                socket.LingerState = new LingerOption(true, 0);
            }

            client.Close();
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException)
        {
        }
    }
}

internal enum FrontMode
{
    Forward,
    Hang,
    Reset,
}
