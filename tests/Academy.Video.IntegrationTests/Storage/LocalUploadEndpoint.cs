using System.Globalization;
using System.Net;
using Academy.Video.Infrastructure.Storage;
using Academy.Video.IntegrationTests.Http;

namespace Academy.Video.IntegrationTests.Storage;

/// <summary>
/// A real HTTP listener doing what the API's <c>PUT /storage/{key}</c> endpoint does with the local
/// store: check the upload against its URL, then stream the body in with <see cref="LocalFileObjectStorage.WriteUploadAsync"/>
/// (a part with <see cref="LocalFileObjectStorage.WritePartAsync"/>); and what <c>GET /media/{key}</c> does in signed
/// playback: serve the file to a URL whose signature <see cref="LocalFileObjectStorage.CheckDownload"/> accepts.
/// </summary>
internal sealed class LocalUploadEndpoint : LoopbackHttpServer
{
    private const string StorageRoute = "/storage/";
    private const string MediaRoute = "/media/";
    private LocalFileObjectStorage? _storage;

    /// <summary>The storage needs <see cref="BaseUrl"/> to be built, so it is attached afterwards.</summary>
    public void Attach(LocalFileObjectStorage storage) => _storage = storage;

    private static long? ParseLong(string? value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;

    protected override async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        try
        {
            var path = request.Url!.AbsolutePath;
            if (request.HttpMethod == "GET" && path.StartsWith(MediaRoute, StringComparison.Ordinal) && _storage is not null)
            {
                await ServeMediaAsync(KeyOf(path, MediaRoute), request, response);
                return;
            }

            if (request.HttpMethod != "PUT" || !path.StartsWith(StorageRoute, StringComparison.Ordinal) || _storage is null)
            {
                response.StatusCode = (int)HttpStatusCode.NotFound;
                return;
            }

            var key = KeyOf(path, StorageRoute);
            var uploadId = request.QueryString["uploadId"];
            var partNumber = (int?)ParseLong(request.QueryString["partNumber"]);
            var check = _storage.CheckUpload(new LocalUploadRequest(
                request.HttpMethod,
                key,
                ParseLong(request.QueryString["expires"]),
                ParseLong(request.QueryString["size"]),
                request.QueryString["signature"],
                request.ContentType,
                request.ContentLength64 >= 0 ? request.ContentLength64 : null)
            {
                UploadId = uploadId,
                PartNumber = partNumber,
            });
            if (check != UploadCheck.Valid)
            {
                response.StatusCode = check switch
                {
                    UploadCheck.LengthRequired => (int)HttpStatusCode.LengthRequired,
                    UploadCheck.TooLarge => (int)HttpStatusCode.RequestEntityTooLarge,
                    UploadCheck.TooSmall => (int)HttpStatusCode.BadRequest,
                    _ => (int)HttpStatusCode.Forbidden,
                };
                response.StatusDescription = check.ToString();
                return;
            }

            if (uploadId is null)
            {
                await _storage.WriteUploadAsync(key, request.InputStream, request.ContentLength64, CancellationToken.None);
            }
            else
            {
                try
                {
                    var etag = await _storage.WritePartAsync(key, uploadId, partNumber!.Value, request.InputStream, request.ContentLength64, CancellationToken.None);
                    response.AddHeader("ETag", $"\"{etag}\"");
                }
                catch (Academy.Video.Application.Storage.MultipartUploadNotFoundException)
                {
                    response.StatusCode = (int)HttpStatusCode.NotFound;
                    response.StatusDescription = UploadCheck.NoSuchUpload.ToString();
                    return;
                }
            }

            response.StatusCode = (int)HttpStatusCode.OK;
        }
        finally
        {
            response.Close();
        }
    }

    private static string KeyOf(string path, string route) =>
        string.Join('/', path[route.Length..].Split('/').Select(Uri.UnescapeDataString));

    private async Task ServeMediaAsync(string key, HttpListenerRequest request, HttpListenerResponse response)
    {
        var check = _storage!.CheckDownload(key, ParseLong(request.QueryString["expires"]), request.QueryString["signature"]);
        var file = check == UploadCheck.Valid ? _storage.FindFile(key) : null;
        if (file is null)
        {
            response.StatusCode = check == UploadCheck.Valid ? (int)HttpStatusCode.NotFound : (int)HttpStatusCode.Forbidden;
            response.StatusDescription = check.ToString();
            return;
        }

        response.StatusCode = (int)HttpStatusCode.OK;
        response.ContentLength64 = file.Length;
        await using var source = file.OpenRead();
        await source.CopyToAsync(response.OutputStream);
    }
}
