using Academy.Video.Application.Common;
using Academy.Video.Application.Storage;
using Academy.Video.Application.Videos;
using Academy.Video.Domain.Videos;
using Mediator;
using Microsoft.Extensions.Options;

namespace Academy.Video.Application.Playback.GetDownloads;

/// <summary>
/// Expiring links to a READY video's files for download (decision 0022): the MP4 of one rung at most 720p and the M4A of its
/// audio, made by the worker with the tree. Each link is a presigned GET (the signed media route with local storage) that
/// answers with <c>Content-Disposition: attachment</c> and a file name from the title, in Public and Signed mode alike.
/// </summary>
public sealed record GetDownloadsQuery(Guid VideoId) : IQuery<DownloadsView>;

/// <param name="Format"><c>mp4</c> (video and audio) or <c>m4a</c> (audio only).</param>
/// <param name="FileName">The name the browser saves it under: the title's, made safe.</param>
public sealed record DownloadLink(string Format, Uri Url, string FileName, string ContentType, long SizeBytes);

/// <param name="ExpiresAt">When every link stops working (<c>Playback:UrlValidFor</c> from now).</param>
public sealed record DownloadsView(Guid VideoId, DateTimeOffset ExpiresAt, IReadOnlyList<DownloadLink> Downloads);

public sealed class GetDownloadsHandler(IVideoStore videos, IObjectStorage storage, IOptions<PlaybackOptions> options, TimeProvider time)
    : IQueryHandler<GetDownloadsQuery, DownloadsView>
{
    public const string NotReadyCode = "VIDEO_NOT_READY";

    /// <summary>The video is READY but has none: made before downloads existed, or with <c>Transcoding:Downloads</c> off.</summary>
    public const string NotFoundCode = "DOWNLOADS_NOT_FOUND";

    private static readonly (string Format, string Name, string Extension, string ContentType)[] Files =
    [
        ("mp4", StorageKeys.DownloadVideoName, ".mp4", "video/mp4"),
        ("m4a", StorageKeys.DownloadAudioName, ".m4a", "audio/mp4"),
    ];

    public async ValueTask<DownloadsView> Handle(GetDownloadsQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var video = await videos.FindAsync(query.VideoId, cancellationToken);
        if (video is null || video.Status is VideoStatus.Deleting or VideoStatus.Deleted)
        {
            throw new NotFoundException("Video", query.VideoId);
        }

        // A playable PROCESSING video has no downloads yet: they go up with the finished tree.
        if (video is not { Status: VideoStatus.Ready, HlsPath: { } hlsPath })
        {
            throw new ConflictException(NotReadyCode, $"Video {video.Id} is {video.Status.ToWire()}; its downloads exist once it is READY.");
        }

        var root = hlsPath[..(hlsPath.LastIndexOf('/') + 1)];
        var stored = await Task.WhenAll(Files.Select(f => storage.HeadAsync(root + f.Name, cancellationToken)));
        if (stored.All(s => s is null))
        {
            // DOWNLOADS_NOT_FOUND: published before downloads were made, or with Transcoding:Downloads off.
            throw new NotFoundException("Downloads", video.Id);
        }

        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().Add(options.Value.UrlValidFor).ToUnixTimeSeconds());
        var links = new List<DownloadLink>();
        for (var i = 0; i < Files.Length; i++)
        {
            if (stored[i] is not { } file)
            {
                continue;
            }

            var (format, _, extension, contentType) = Files[i];
            var fileName = DownloadFileName.FromTitle(video.Title, extension);
            var url = await storage.CreateAttachmentUrlAsync(file.Key, fileName, expiresAt, cancellationToken);
            links.Add(new DownloadLink(format, url, fileName, contentType, file.SizeBytes));
        }

        return new DownloadsView(video.Id, expiresAt, links);
    }
}
