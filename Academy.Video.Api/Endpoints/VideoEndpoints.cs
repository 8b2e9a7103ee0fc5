using Academy.Video.Api.Security;
using Academy.Video.Application.Playback.GetDownloads;
using Academy.Video.Application.Chapters;
using Academy.Video.Application.Playback.GetPlayback;
using Academy.Video.Application.Storage;
using Academy.Video.Application.Videos;
using Academy.Video.Application.Videos.CompleteUpload;
using Academy.Video.Application.Videos.CreateVideo;
using Academy.Video.Application.Videos.DeleteVideo;
using Academy.Video.Application.Videos.GetUpload;
using Academy.Video.Application.Videos.GetVideo;
using Academy.Video.Application.Videos.ListVideoJobs;
using Academy.Video.Application.Videos.ListVideos;
using Academy.Video.Application.Videos.RetryVideo;
using Academy.Video.Application.Videos.Uploads;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Academy.Video.Api.Endpoints;

public static class VideoEndpoints
{
    /// <param name="PosterAtSeconds">Where the poster is taken (seconds into the video); absent: a tenth of the way in.</param>
    public sealed record CreateVideoRequest(string? Title, string? FileName, string? ContentType, long? SizeBytes, double? PosterAtSeconds = null);

    /// <summary>The optional body of upload-complete: the parts the client sent, to be joined only if storage holds exactly these.</summary>
    public sealed record CompleteUploadRequest(IReadOnlyList<CompletedPartRequest>? Parts);

    public sealed record CompletedPartRequest(int? PartNumber, string? Etag);

    /// <summary>The full list of a video's chapters (docs/api.md, Chapters).</summary>
    public sealed record ReplaceChaptersRequest(IReadOnlyList<ChapterRequest>? Chapters);

    public sealed record ChapterRequest(double? Start, string? Title);

    public static RouteGroupBuilder MapVideoEndpoints(this IEndpointRouteBuilder routes)
    {
        var videos = routes.MapGroup("/api/v1/videos")
            .WithTags("Videos")
            .RequireClientKey()
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        videos.MapPost("/", CreateAsync)
            .WithSummary("Register a video and get the URL to upload its source to (exactly sizeBytes bytes, with the returned Content-Type)")
            .ProducesValidationProblem()
            .RequireRateLimiting(RateLimits.Creates).ProducesProblem(StatusCodes.Status429TooManyRequests);
        videos.MapGet("/{id}/upload", GetUploadAsync)
            .WithSummary("The parts storage already holds of an unfinished upload, with fresh upload URLs, to resume it")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .RequireRateLimiting(RateLimits.Uploads).ProducesProblem(StatusCodes.Status429TooManyRequests);
        videos.MapPost("/{id}/upload-complete", CompleteUploadAsync)
            .WithSummary("Join the parts of a multipart upload (optional body: the parts sent), verify the source, queue the transcode job and submit it")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .RequireRateLimiting(RateLimits.Uploads).ProducesProblem(StatusCodes.Status429TooManyRequests);
        videos.MapGet("/{id}/playback", GetPlaybackAsync)
            .WithSummary("Where a player loads a READY video: the public URL, or in signed mode an expiring signed URL")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        videos.MapGet("/{id}/downloads", GetDownloadsAsync)
            .WithSummary("Expiring links to a READY video's MP4 (one rung, 720p or lower) and M4A (its audio), saved under the title's name")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        videos.MapPost("/{id}/retry", RetryAsync)
            .WithSummary("Queue a new job for a FAILED video (its job FAILED or DEAD)")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        videos.MapGet("/{id}/jobs", ListJobsAsync)
            .WithSummary("Every job of the video (a retry adds one), newest first, each with its state, error, times and attempts")
            .ProducesProblem(StatusCodes.Status404NotFound);
        videos.MapGet("/{id}", GetAsync)
            .WithSummary("Status, progress, job, attempts, error, playback, poster and storyboard URLs, and the source as probed")
            .ProducesProblem(StatusCodes.Status404NotFound);
        videos.MapGet("/", ListAsync)
            .WithSummary("Videos newest first, optionally by status and title (q: text the title contains, ignoring case), with cursor paging")
            .ProducesValidationProblem();
        videos.MapDelete("/{id}", DeleteAsync)
            .WithSummary("Delete a video: stops its job and removes its objects asynchronously")
            .ProducesProblem(StatusCodes.Status404NotFound);
        videos.MapCaptionEndpoints();
        videos.MapPut("/{id}/chapters", ReplaceChaptersAsync)
            .WithSummary("Replace the chapters of a READY video with a full list of { start, title } (rename, merge, add); the WebVTT chapters track is republished")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        videos.MapTranscriptEndpoints();
        return videos;
    }

    private static async Task<Created<CreateVideoResult>> CreateAsync(CreateVideoRequest request, IMediator mediator, CancellationToken cancellationToken)
    {
        var result = await mediator.Send(
            new CreateVideoCommand(request.Title ?? "", request.FileName ?? "", request.ContentType ?? "", request.SizeBytes ?? 0, request.PosterAtSeconds),
            cancellationToken);
        return TypedResults.Created($"/api/v1/videos/{result.VideoId}", result);
    }

    private static async Task<Accepted<JobView>> CompleteUploadAsync(string id, CompleteUploadRequest? request, IMediator mediator, CancellationToken cancellationToken)
    {
        var videoId = VideoIds.Parse(id);
        var parts = request?.Parts?.Select(part => new CompletedPart(part?.PartNumber ?? 0, part?.Etag ?? "")).ToList();
        return TypedResults.Accepted($"/api/v1/videos/{videoId}", await mediator.Send(new CompleteUploadCommand(videoId, parts), cancellationToken));
    }

    private static async Task<Ok<UploadStatusView>> GetUploadAsync(string id, IMediator mediator, CancellationToken cancellationToken) =>
        TypedResults.Ok(await mediator.Send(new GetUploadQuery(VideoIds.Parse(id)), cancellationToken));

    private static async Task<Ok<PlaybackView>> GetPlaybackAsync(string id, IMediator mediator, CancellationToken cancellationToken) =>
        TypedResults.Ok(await mediator.Send(new GetPlaybackQuery(VideoIds.Parse(id)), cancellationToken));

    private static async Task<Ok<DownloadsView>> GetDownloadsAsync(string id, IMediator mediator, CancellationToken cancellationToken) =>
        TypedResults.Ok(await mediator.Send(new GetDownloadsQuery(VideoIds.Parse(id)), cancellationToken));

    private static async Task<Accepted<JobView>> RetryAsync(string id, IMediator mediator, CancellationToken cancellationToken)
    {
        var videoId = VideoIds.Parse(id);
        return TypedResults.Accepted($"/api/v1/videos/{videoId}", await mediator.Send(new RetryVideoCommand(videoId), cancellationToken));
    }

    private static async Task<Ok<ChaptersView>> ReplaceChaptersAsync(string id, ReplaceChaptersRequest request, IMediator mediator, CancellationToken cancellationToken)
    {
        var videoId = VideoIds.Parse(id);
        // A missing start is refused by the rules like one outside the video.
        var chapters = request.Chapters?.Select(c => new ChapterEdit(c?.Start ?? double.NaN, c?.Title)).ToList();
        return TypedResults.Ok(await mediator.Send(new ReplaceChaptersCommand(videoId, chapters), cancellationToken));
    }

    private static async Task<Ok<VideoDetails>> GetAsync(string id, IMediator mediator, CancellationToken cancellationToken) =>
        TypedResults.Ok(await mediator.Send(new GetVideoQuery(VideoIds.Parse(id)), cancellationToken));

    private static async Task<Ok<VideoJobsView>> ListJobsAsync(string id, IMediator mediator, CancellationToken cancellationToken) =>
        TypedResults.Ok(await mediator.Send(new ListVideoJobsQuery(VideoIds.Parse(id)), cancellationToken));

    private static async Task<Ok<VideoListPage>> ListAsync(string? status, string? q, string? cursor, int? limit, IMediator mediator, CancellationToken cancellationToken) =>
        TypedResults.Ok(await mediator.Send(new ListVideosQuery(status, cursor, limit ?? 20, q), cancellationToken));

    private static async Task<Accepted<DeleteVideoResult>> DeleteAsync(string id, IMediator mediator, CancellationToken cancellationToken)
    {
        var videoId = VideoIds.Parse(id);
        return TypedResults.Accepted($"/api/v1/videos/{videoId}", await mediator.Send(new DeleteVideoCommand(videoId), cancellationToken));
    }
}

/// <summary>Route ids are parsed here so a malformed id is a 400 that says so, not an unmatched route; the rules on ids are the validators'.</summary>
internal static class VideoIds
{
    public static Guid Parse(string id) =>
        Guid.TryParse(id, out var videoId)
            ? videoId
            : throw new FluentValidation.ValidationException([new FluentValidation.Results.ValidationFailure("id", $"'{Truncate(id)}' is not a video id (a UUID).")]);

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
