using Academy.Video.Application.Common;
using Academy.Video.Application.Storage;
using Academy.Video.Application.Videos.Uploads;
using Academy.Video.Domain.Videos;
using Mediator;

namespace Academy.Video.Application.Videos.GetUpload;

/// <summary>
/// What storage already holds of an unfinished upload, with fresh URLs: a client that lost its connection
/// or was reloaded PUTs the missing parts and completes, without sending again what arrived.
/// </summary>
public sealed record GetUploadQuery(Guid VideoId) : IQuery<UploadStatusView>;

public sealed class GetUploadHandler(IVideoStore videos, IVideoUploadStore uploads, IObjectStorage storage, SourceUploads sourceUploads)
    : IQueryHandler<GetUploadQuery, UploadStatusView>
{
    public async ValueTask<UploadStatusView> Handle(GetUploadQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var video = await videos.FindAsync(query.VideoId, cancellationToken);
        if (video is null || video.Status is VideoStatus.Deleting or VideoStatus.Deleted)
        {
            throw new NotFoundException("Video", query.VideoId);
        }

        sourceUploads.EnsureUploading(video);
        var size = video.SourceSizeBytes ?? 0;
        var multipart = await uploads.FindMultipartAsync(video.Id, cancellationToken);
        if (multipart is null)
        {
            var stored = await storage.HeadAsync(video.SourceKey, cancellationToken);
            var single = await sourceUploads.TargetsAsync(video, null, cancellationToken);
            return new UploadStatusView(video.Id, video.Status.ToWire(), size, stored?.SizeBytes ?? 0, single.ExpiresAt, [], [], single);
        }

        IReadOnlyList<UploadedPart> held;
        try
        {
            held = await storage.ListPartsAsync(video.SourceKey, multipart.UploadId, cancellationToken);
        }
        catch (MultipartUploadNotFoundException)
        {
            // Joined already by an upload-complete that has not queued the job yet: completing again finishes it.
            if (await storage.HeadAsync(video.SourceKey, cancellationToken) is { } joined)
            {
                var view = await sourceUploads.TargetsAsync(video, multipart, cancellationToken);
                return new UploadStatusView(video.Id, video.Status.ToWire(), size, joined.SizeBytes, view.ExpiresAt, [], [], view);
            }

            multipart = await sourceUploads.RestartAsync(video, multipart, cancellationToken);
            held = [];
        }

        var plan = multipart.PlanFor(size);
        var check = plan.Check(held.Select(part => (part.PartNumber, part.SizeBytes)));
        var upload = await sourceUploads.TargetsAsync(video, multipart, cancellationToken);
        return new UploadStatusView(
            video.Id,
            video.Status.ToWire(),
            size,
            held.Sum(part => part.SizeBytes),
            upload.ExpiresAt,
            held.Select(part => new PartView(part.PartNumber, part.SizeBytes, part.ETag)).ToList(),
            check.Missing.Concat(check.WrongSize).Order().ToList(),
            upload);
    }
}
