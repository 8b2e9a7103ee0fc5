using Academy.Video.Application.Storage;
using Academy.Video.Application.Videos.Uploads;
using Academy.Video.Domain.Videos;

namespace Academy.Video.UnitTests.Fakes;

/// <summary>The upload store in memory: the same fences as the SQL (status, and no job, for the expiry).</summary>
public sealed partial class InMemoryDatabase : IVideoUploadStore
{
    private readonly Dictionary<Guid, MultipartUpload> multipartUploads = [];

    public MultipartUpload? Multipart(Guid videoId) { lock (gate) { return multipartUploads.GetValueOrDefault(videoId); } }

    public Task AddMultipartAsync(MultipartUpload upload, CancellationToken cancellationToken)
    {
        lock (gate) { multipartUploads.Add(upload.VideoId, upload); }
        return Task.CompletedTask;
    }

    public Task<MultipartUpload?> FindMultipartAsync(Guid videoId, CancellationToken cancellationToken) => Task.FromResult(Multipart(videoId));

    public Task<bool> TryReplaceMultipartAsync(MultipartUpload replacement, string expectedUploadId, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (!multipartUploads.TryGetValue(replacement.VideoId, out var current) || current.UploadId != expectedUploadId)
            {
                return Task.FromResult(false);
            }

            multipartUploads[replacement.VideoId] = replacement;
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<LectureVideo>> ListPendingUploadsCreatedBeforeAsync(DateTimeOffset createdBefore, int limit, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyList<LectureVideo>>(videos.Values
                .Where(v => v.Status == VideoStatus.PendingUpload && v.CreatedAt <= createdBefore)
                .OrderBy(v => v.CreatedAt).Take(limit).ToList());
        }
    }

    public Task<bool> TryExpireAsync(VideoChange change, StorageCleanup cleanup, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (!videos.TryGetValue(change.VideoId, out var video) || !change.From.Contains(video.Status) || video.CurrentJobId is not null)
            {
                return Task.FromResult(false);
            }

            videos[video.Id] = video with { Status = change.To, UpdatedAt = change.At };
            AddCleanup(cleanup);
            AddEvent(change.Event, video.Id, null, change.At);
            return Task.FromResult(true);
        }
    }
}
