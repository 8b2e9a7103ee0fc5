using Academy.Video.Application.Common;
using Academy.Video.Application.Jobs.ProcessJob;
using Academy.Video.Application.Storage;
using Academy.Video.Infrastructure.Storage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

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

    private static async Task<IResult> UploadAsync(
        string key,
        long? expires,
        string? signature,
        HttpContext context,
        LocalFileObjectStorage storage,
        IOptions<UploadOptions> uploads,
        CancellationToken cancellationToken)
    {
        var check = expires is null
            ? UploadSignatureCheck.Invalid
            : storage.VerifyUpload(HttpMethods.Put, key, expires.Value, context.Request.ContentType, signature);
        if (check != UploadSignatureCheck.Valid)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Forbidden",
                detail: check == UploadSignatureCheck.Expired
                    ? "The upload URL has expired; create the video again for a new one."
                    : "The upload URL's signature does not match this key, expiry and Content-Type.",
                extensions: new Dictionary<string, object?> { ["code"] = check == UploadSignatureCheck.Expired ? "UPLOAD_URL_EXPIRED" : "UPLOAD_URL_INVALID" });
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = uploads.Value.MaxSourceBytes;
        }

        await storage.WriteAsync(key, context.Request.Body, cancellationToken);
        return TypedResults.Ok();
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
