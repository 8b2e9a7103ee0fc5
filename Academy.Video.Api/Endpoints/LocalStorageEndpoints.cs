using Academy.Video.Api.Errors;
using Academy.Video.Application.Jobs.ProcessJob;
using Academy.Video.Application.Storage;
using Academy.Video.Infrastructure.Storage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Academy.Video.Api.Endpoints;

/// <summary>
/// With local storage (the embedded default) the API stands in for the bucket: signed PUTs behave
/// like presigned S3 URLs, and /media serves the HLS tree like a public bucket or CDN would.
/// With S3/R2 these routes do not exist: clients and players talk to storage directly.
/// </summary>
public static class LocalStorageEndpoints
{
    public static IEndpointRouteBuilder MapLocalStorageEndpoints(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        if (routes.ServiceProvider.GetRequiredService<IObjectStorage>() is not LocalFileObjectStorage)
        {
            return routes;
        }

        routes.MapPut("/storage/{**key}", UploadAsync).ExcludeFromDescription();
        routes.MapMethods("/media/{**key}", [HttpMethods.Get, HttpMethods.Head], Serve).ExcludeFromDescription();
        return routes;
    }

    /// <summary>
    /// Stores the body only when the URL's signature holds and the declared Content-Length is the signed
    /// size, as R2/S3 do with a presigned PUT. Every refusal is answered before the body is read.
    /// </summary>
    private static async Task<IResult> UploadAsync(
        string key,
        long? expires,
        long? size,
        string? signature,
        HttpContext context,
        LocalFileObjectStorage storage,
        CancellationToken cancellationToken)
    {
        var request = context.Request;
        var check = storage.CheckUpload(new LocalUploadRequest(request.Method, key, expires, size, signature, request.ContentType, request.ContentLength));
        if (check != UploadCheck.Valid)
        {
            return Refusal(check, size);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = size;
        }

        await storage.WriteUploadAsync(key, request.Body, size!.Value, cancellationToken);
        return TypedResults.Ok();
    }

    private static ProblemHttpResult Refusal(UploadCheck check, long? size)
    {
        var (status, code, detail) = check switch
        {
            UploadCheck.Expired => (StatusCodes.Status403Forbidden, "UPLOAD_URL_EXPIRED", "The upload URL has expired; create the video again for a new one."),
            UploadCheck.LengthRequired => (StatusCodes.Status411LengthRequired, "CONTENT_LENGTH_REQUIRED", $"Send the body with a Content-Length of {size} bytes, not chunked."),
            UploadCheck.TooLarge => (StatusCodes.Status413PayloadTooLarge, "UPLOAD_TOO_LARGE", $"The body is larger than the {size} bytes this upload URL was made for; nothing was stored."),
            UploadCheck.TooSmall => (StatusCodes.Status400BadRequest, "UPLOAD_TOO_SMALL", $"The body is smaller than the {size} bytes this upload URL was made for; nothing was stored."),
            _ => (StatusCodes.Status403Forbidden, "UPLOAD_URL_INVALID", "The upload URL's signature does not match this key, expiry, size and Content-Type."),
        };
        return TypedResults.Problem(statusCode: status, title: ErrorCodes.TitleFor(status), detail: detail, extensions: new Dictionary<string, object?> { [ErrorCodes.Key] = code });
    }

    private static IResult Serve(string key, HttpContext context, LocalFileObjectStorage storage)
    {
        // Only published ladders are public, as in a bucket whose public prefix is the HLS trees: never the sources.
        if (!key.Contains("/hls/", StringComparison.Ordinal))
        {
            return TypedResults.NotFound();
        }

        FileInfo? file;
        try
        {
            file = storage.FindFile(key);
        }
        catch (ArgumentException)
        {
            file = null;
        }

        if (file is null)
        {
            return TypedResults.NotFound();
        }

        // Browser players (hls.js) fetch playlists and segments cross-origin, as from a CDN.
        context.Response.Headers.AccessControlAllowOrigin = "*";
        return TypedResults.PhysicalFile(file.FullName, HlsPublisher.ContentTypeOf(file.Name), enableRangeProcessing: true);
    }
}
