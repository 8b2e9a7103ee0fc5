using Academy.Video.Application.Common;
using Academy.Video.Application.Jobs;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using Mediator;

namespace Academy.Video.Application.Videos.ListVideoJobs;

/// <summary>Every job of a video, newest first: the video view shows only the current one, and a retry replaces it.</summary>
public sealed record ListVideoJobsQuery(Guid VideoId) : IQuery<VideoJobsView>;

public sealed record VideoJobsView(Guid VideoId, Guid? CurrentJobId, IReadOnlyList<JobHistoryView> Jobs);

/// <param name="Attempts">Oldest first, each as the video view shows its attempts.</param>
public sealed record JobHistoryView(
    Guid JobId,
    string State,
    int AttemptCount,
    int MaxAttempts,
    string? ErrorCode,
    string? ErrorMessage,
    string? TopRungCode,
    string? TopRungReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? FinishedAt,
    IReadOnlyList<AttemptView> Attempts)
{
    public static JobHistoryView From(JobHistory history, JobPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(history);
        var job = history.Job;
        return new(
            job.Id, job.State.ToWire(), job.AttemptCount, policy.MaxAttempts, job.ErrorCode, job.ErrorMessage,
            job.TopRungCode, job.TopRungReason, job.CreatedAt, job.UpdatedAt, job.FinishedAt,
            history.Attempts.Select(AttemptView.From).ToList());
    }
}

public sealed class ListVideoJobsHandler(IVideoStore videos, ITranscodeJobStore jobs, JobPolicy policy)
    : IQueryHandler<ListVideoJobsQuery, VideoJobsView>
{
    public async ValueTask<VideoJobsView> Handle(ListVideoJobsQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        // Found exactly as GET /videos/{id} finds it: a DELETED video is gone for clients.
        var video = await videos.FindAsync(query.VideoId, cancellationToken);
        if (video is null || video.Status == VideoStatus.Deleted)
        {
            throw new NotFoundException("Video", query.VideoId);
        }

        var history = await jobs.ListJobsOfVideoAsync(video.Id, cancellationToken);
        return new VideoJobsView(video.Id, video.CurrentJobId, history.Select(h => JobHistoryView.From(h, policy)).ToList());
    }
}
