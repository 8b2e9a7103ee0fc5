using Academy.Video.Application.Storage;
using Academy.Video.Domain.Videos;

namespace Academy.Video.Application.Videos.Uploads;

/// <summary>Uploads in the database: the multipart upload of a video's source, and the expiry of unfinished uploads.</summary>
public interface IVideoUploadStore
{
    Task AddMultipartAsync(MultipartUpload upload, CancellationToken cancellationToken);

    Task<MultipartUpload?> FindMultipartAsync(Guid videoId, CancellationToken cancellationToken);

    /// <summary>Records a restarted multipart upload if the video's upload is still <paramref name="expectedUploadId"/>.</summary>
    Task<bool> TryReplaceMultipartAsync(MultipartUpload replacement, string expectedUploadId, CancellationToken cancellationToken);

    /// <summary>PENDING_UPLOAD videos created at or before <paramref name="createdBefore"/>, oldest first.</summary>
    Task<IReadOnlyList<LectureVideo>> ListPendingUploadsCreatedBeforeAsync(DateTimeOffset createdBefore, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Applies the expiry if the video is still uploading, and enqueues the removal of its objects and
    /// unfinished uploads, in one statement; false if the video moved meanwhile.
    /// </summary>
    Task<bool> TryExpireAsync(VideoChange change, StorageCleanup cleanup, CancellationToken cancellationToken);
}
