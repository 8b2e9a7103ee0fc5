using Academy.Video.Api.Errors;
using Academy.Video.Application.Common;
using Academy.Video.Application.Playback;
using Academy.Video.Application.Storage;
using Academy.Video.Domain.Videos;
using Academy.Video.Infrastructure.Storage;
using Academy.Video.Infrastructure.Transcoding;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Academy.Video.Api.Endpoints;

/// <summary>
/// With local storage (the embedded default) the API stands in for the bucket: signed PUTs (whole sources,
/// or parts of a multipart upload) behave like presigned S3 URLs, and /media serves the HLS tree like a public
/// bucket or CDN would, or in signed playback only to presigned-GET-like URLs.
/// With S3/R2 these routes do not exist: clients and players talk to storage directly.
/// </summary>
public static class LocalStorageEndpoints
{
    public static IEndpointRouteBuilder MapLocalStorageEndpoints(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        // Mapped whenever the local adapter is composed, even behind a decorator of the storage port.
        if (routes.ServiceProvider.GetService<LocalFileObjectStorage>() is null)
        {
            return routes;
        }

        routes.MapPut("/storage/{**key}", UploadAsync).ExcludeFromDescription();
        routes.MapMethods("/media/{**key}", [HttpMethods.Get, HttpMethods.Head], Serve).ExcludeFromDescription();
        return routes;
    }

    /// <summary>
    /// Stores the body only when the URL's signature holds and the declared Content-Length is the signed
    /// size, as R2/S3 do with a presigned PUT or UploadPart. Every refusal is answered before the body is read.
    /// A part is answered with its ETag, as S3 does.
    /// </summary>
    private static async Task<IResult> UploadAsync(
        string key,
        long? expires,
        long? size,
        string? signature,
        string? uploadId,
        int? partNumber,
        HttpContext context,
        LocalFileObjectStorage storage,
        CancellationToken cancellationToken)
    {
        var request = context.Request;
        var check = storage.CheckUpload(new LocalUploadRequest(request.Method, key, expires, size, signature, request.ContentType, request.ContentLength)
        {
            UploadId = uploadId,
            PartNumber = partNumber,
        });
        if (check != UploadCheck.Valid)
        {
            return Refusal(check, size);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = size;
        }

        if (uploadId is null)
        {
            await storage.WriteUploadAsync(key, request.Body, size!.Value, cancellationToken);
            return TypedResults.Ok();
        }

        try
        {
            var etag = await storage.WritePartAsync(key, uploadId, partNumber!.Value, request.Body, size!.Value, cancellationToken);
            context.Response.Headers.ETag = $"\"{etag}\"";
            return TypedResults.Ok();
        }
        catch (MultipartUploadNotFoundException)
        {
            return Refusal(UploadCheck.NoSuchUpload, size);
        }
    }

    /// <summary>
    /// In signed playback a media URL is a presigned GET: without a valid, unexpired signature for its key, nothing is
    /// served. The refusal carries the playback grant's codes and goes through the one mapper as the playlists' does.
    /// </summary>
    private static void DemandMediaGrant(UploadCheck check, long? expires, string? signature)
    {
        if (check == UploadCheck.Valid)
        {
            return;
        }

        throw check switch
        {
            _ when expires is null || string.IsNullOrEmpty(signature) => new ForbiddenException(PlaybackTokens.MissingCode, "Playback is signed: media URLs come from the playlists of GET /api/v1/videos/{id}/playback."),
            UploadCheck.Expired => new ForbiddenException(PlaybackTokens.ExpiredCode, "The media URL has expired: ask GET /api/v1/videos/{id}/playback for a new playback URL."),
            _ => new ForbiddenException(PlaybackTokens.InvalidCode, "The media URL's signature does not match this key and expiry."),
        };
    }

    private static IResult Refusal(UploadCheck check, long? size)
    {
        var (error, detail) = check switch
        {
            UploadCheck.Expired => (ErrorCodes.UploadUrlExpired, "The upload URL has expired; create the video again for a new one."),
            UploadCheck.LengthRequired => (ErrorCodes.ContentLengthRequired, $"Send the body with a Content-Length of {size} bytes, not chunked."),
            UploadCheck.TooLarge => (ErrorCodes.UploadTooLarge, $"The body is larger than the {size} bytes this upload URL was made for; nothing was stored."),
            UploadCheck.TooSmall => (ErrorCodes.UploadTooSmall, $"The body is smaller than the {size} bytes this upload URL was made for; nothing was stored."),
            UploadCheck.NoSuchUpload => (ErrorCodes.NoSuchUpload, "The multipart upload was completed or has expired; nothing was stored."),
            UploadCheck.PartNumberOutOfRange => (ErrorCodes.PartNumberOutOfRange, $"partNumber must be 1 to {UploadPlan.MaxParts}; nothing was stored."),
            _ => (ErrorCodes.UploadUrlInvalid, "The upload URL's signature does not match this key, expiry, size and Content-Type."),
        };
        return ApiProblems.Result(error, detail);
    }

    /// <param name="filename">A file for download (decision 0022): served as an attachment of this name, and only to a URL whose
    /// signature covers the name, in either playback mode (as S3 honours <c>response-content-disposition</c> on signed requests only).</param>
    private static IResult Serve(string key, long? expires, string? signature, string? filename, HttpContext context, LocalFileObjectStorage storage, IOptions<PlaybackOptions> playback)
    {
        // Only published ladders are served, as from a bucket whose public prefix is the HLS trees: never the sources.
        if (!key.Contains("/hls/", StringComparison.Ordinal))
        {
            return TypedResults.NotFound();
        }

        // Browser players (hls.js) fetch playlists and segments cross-origin, as from a CDN.
        context.Response.Headers.AccessControlAllowOrigin = "*";
        if (filename is not null)
        {
            DemandMediaGrant(storage.CheckAttachment(key, expires, filename, signature), expires, signature);
            context.Response.Headers.ContentDisposition = DownloadFileName.ContentDisposition(filename);
        }
        else if (playback.Value.Mode == PlaybackMode.Signed)
        {
            DemandMediaGrant(storage.CheckDownload(key, expires, signature), expires, signature);
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

        return TypedResults.PhysicalFile(file.FullName, HlsPublisher.ContentTypeOf(file.Name), enableRangeProcessing: true);
    }
}
