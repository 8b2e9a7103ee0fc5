using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Academy.Video.Infrastructure.Storage;

namespace Academy.Video.IntegrationTests.Storage;

/// <summary>
/// A real HTTP listener doing what the API's <c>PUT /storage/{key}</c> endpoint does with the local
/// store: verify the URL's signature, then stream the body in with <see cref="LocalFileObjectStorage.WriteAsync"/>.
/// </summary>
internal sealed class LocalUploadEndpoint : IAsyncDisposable
{
    private const string StorageRoute = "/storage/";
    private readonly HttpListener _listener = new();
    private readonly Task _serving;
    private LocalFileObjectStorage? _storage;

    public LocalUploadEndpoint()
    {
        BaseUrl = $"http://127.0.0.1:{FreePort()}";
        _listener.Prefixes.Add(BaseUrl + "/");
        _listener.Start();
        _serving = ServeAsync();
    }

    public string BaseUrl { get; }

    /// <summary>The storage needs <see cref="BaseUrl"/> to be built, so it is attached afterwards.</summary>
    public void Attach(LocalFileObjectStorage storage) => _storage = storage;

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            var context = await _listener.GetContextAsync();
            await HandleAsync(context);
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        try
        {
            var path = request.Url!.AbsolutePath;
            if (request.HttpMethod != "PUT" || !path.StartsWith(StorageRoute, StringComparison.Ordinal) || _storage is null)
            {
                response.StatusCode = (int)HttpStatusCode.NotFound;
                return;
            }

            var key = string.Join('/', path[StorageRoute.Length..].Split('/').Select(Uri.UnescapeDataString));
            var expires = long.TryParse(request.QueryString["expires"], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;
            var check = _storage.VerifyUpload(request.HttpMethod, key, expires, request.ContentType, request.QueryString["signature"]);
            if (check != UploadSignatureCheck.Valid)
            {
                response.StatusCode = (int)HttpStatusCode.Forbidden;
                response.StatusDescription = check.ToString();
                return;
            }

            await _storage.WriteAsync(key, request.InputStream, CancellationToken.None);
            response.StatusCode = (int)HttpStatusCode.OK;
        }
        finally
        {
            response.Close();
        }
    }
}
