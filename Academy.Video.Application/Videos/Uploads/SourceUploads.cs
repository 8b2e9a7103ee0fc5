using Academy.Video.Application.Common;
using Academy.Video.Application.Storage;
using Academy.Video.Domain.Videos;
using Microsoft.Extensions.Options;

namespace Academy.Video.Application.Videos.Uploads;

/// <summary>
/// Plans, starts and re-signs a video's source upload: one PUT below <c>Upload:MultipartThreshold</c>,
/// a multipart upload at or above it. Every URL handed out lives until the upload expires.
/// </summary>
public sealed class SourceUploads(IObjectStorage storage, IVideoUploadStore uploads, IOptions<UploadOptions> options, TimeProvider time)
{
    public TimeSpan Window => options.Value.Expiry;

    /// <summary>Plans the upload of a new video's source and, when it goes in parts, starts the multipart upload.</summary>
    public async Task<UploadView> StartAsync(LectureVideo video, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(video);
        var plan = UploadPlan.For(DeclaredSize(video), options.Value.MultipartThreshold);
        if (!plan.IsMultipart)
        {
            return await TargetsAsync(video, null, cancellationToken);
        }

        // The video row exists first: if this process dies after starting the upload, the expiry of the
        // video (whose cleanup aborts every unfinished upload under its prefix) still removes it.
        var uploadId = await storage.StartMultipartUploadAsync(video.SourceKey, video.SourceContentType, cancellationToken);
        var multipart = new MultipartUpload(video.Id, uploadId, plan.PartSizeBytes!.Value, time.GetUtcNow());
        await uploads.AddMultipartAsync(multipart, cancellationToken);
        return await TargetsAsync(video, multipart, cancellationToken);
    }

    /// <summary>Fresh URLs for the whole upload: the single PUT, or one per part.</summary>
    public async Task<UploadView> TargetsAsync(LectureVideo video, MultipartUpload? multipart, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(video);
        var size = DeclaredSize(video);
        var expiresAt = video.UploadExpiresAt(Window);
        var validFor = expiresAt - time.GetUtcNow();
        if (validFor <= TimeSpan.Zero)
        {
            throw Expired(video);
        }

        if (multipart is null)
        {
            return UploadView.Single(await storage.CreateUploadTargetAsync(video.SourceKey, video.SourceContentType, size, validFor, cancellationToken));
        }

        var plan = multipart.PlanFor(size);
        var parts = new List<PartTargetView>(plan.PartCount);
        foreach (var (partNumber, partSize) in plan.Parts())
        {
            var target = await storage.CreatePartUploadTargetAsync(video.SourceKey, multipart.UploadId, partNumber, partSize, validFor, cancellationToken);
            parts.Add(new PartTargetView(partNumber, partSize, target.Url));
        }

        return new UploadView(null, "PUT", new Dictionary<string, string>(), expiresAt,
            new MultipartView(multipart.UploadId, multipart.PartSizeBytes, plan.PartCount, parts));
    }

    /// <summary>
    /// Starts a new multipart upload in place of one that is gone or was joined into an object that had to
    /// be deleted, so the client can upload the parts again. Returns whichever upload is current afterwards.
    /// </summary>
    public async Task<MultipartUpload> RestartAsync(LectureVideo video, MultipartUpload gone, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(video);
        ArgumentNullException.ThrowIfNull(gone);
        var uploadId = await storage.StartMultipartUploadAsync(video.SourceKey, video.SourceContentType, cancellationToken);
        var replacement = gone with { UploadId = uploadId, CreatedAt = time.GetUtcNow() };
        if (await uploads.TryReplaceMultipartAsync(replacement, gone.UploadId, cancellationToken))
        {
            return replacement;
        }

        // Another call restarted it first; the upload started here is aborted with the video's prefix
        // if the video expires or is deleted, and by the bucket's abort-incomplete-uploads rule otherwise.
        return await uploads.FindMultipartAsync(video.Id, cancellationToken) ?? gone;
    }

    /// <summary>Refuses a video that is no longer uploading or whose upload window has closed.</summary>
    public void EnsureUploading(LectureVideo video)
    {
        ArgumentNullException.ThrowIfNull(video);
        if (video.Status == VideoStatus.Expired || video.IsUploadExpired(Window, time.GetUtcNow()))
        {
            throw Expired(video);
        }

        if (video.Status != VideoStatus.PendingUpload)
        {
            throw new ConflictException("UPLOAD_COMPLETED", $"Video {video.Id} is {video.Status.ToWire()}: its upload was completed.");
        }
    }

    public ConflictException Expired(LectureVideo video)
    {
        ArgumentNullException.ThrowIfNull(video);
        return new ConflictException(
            "UPLOAD_EXPIRED",
            $"The upload of video {video.Id} expired at {video.UploadExpiresAt(Window):O} ({Window} after it was created); its parts are deleted. Create the video again.");
    }

    private static long DeclaredSize(LectureVideo video) =>
        video.SourceSizeBytes is { } size && size > 0
            ? size
            : throw new ConflictException("UPLOAD_SIZE_UNKNOWN", $"Video {video.Id} was created without a declared size; create it again.");
}
