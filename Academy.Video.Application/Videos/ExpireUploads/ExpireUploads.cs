using Academy.Video.Application.Storage;
using Academy.Video.Application.Videos.Uploads;
using Academy.Video.Domain.Videos;
using Mediator;
using Microsoft.Extensions.Logging;

namespace Academy.Video.Application.Videos.ExpireUploads;

/// <summary>
/// Expires uploads left unfinished for <c>Upload:Expiry</c>: each video goes to EXPIRED together with a
/// cleanup of its prefix (one statement); the cleanup outbox then aborts its multipart upload and deletes
/// its parts and objects, retrying until storage holds nothing. No storage call is made here.
/// </summary>
public sealed record ExpireUploadsCommand(int Limit = 100) : ICommand<UploadExpiryReport>;

/// <param name="Candidates">Uploads past their window that were looked at; as many as the limit means more may wait.</param>
public sealed record UploadExpiryReport(int Candidates, int Expired);

public sealed class ExpireUploadsHandler(IVideoUploadStore uploads, SourceUploads sourceUploads, TimeProvider time, ILogger<ExpireUploadsHandler> logger)
    : ICommandHandler<ExpireUploadsCommand, UploadExpiryReport>
{
    public async ValueTask<UploadExpiryReport> Handle(ExpireUploadsCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var now = time.GetUtcNow();
        var window = sourceUploads.Window;
        var candidates = await uploads.ListPendingUploadsCreatedBeforeAsync(now - window, command.Limit, cancellationToken);
        var expired = 0;
        foreach (var video in candidates)
        {
            var change = video.ExpireUpload(window, now);
            if (change is null)
            {
                continue;
            }

            var cleanup = new StorageCleanup(Guid.NewGuid(), StorageKeys.VideoPrefix(video.Id), video.Id, "upload expired", 0, now);
            if (await uploads.TryExpireAsync(change, cleanup, cancellationToken))
            {
                expired++;
                logger.LogInformation("The upload of video {video_id} expired at {expires_at:O}; its storage is being emptied.", video.Id, video.UploadExpiresAt(window));
            }
        }

        return new UploadExpiryReport(candidates.Count, expired);
    }
}
