using Academy.Video.Application.Common;
using Academy.Video.Application.Jobs;
using Academy.Video.Application.Storage;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using FluentValidation;
using Mediator;
using Microsoft.Extensions.Logging;

namespace Academy.Video.Application.Videos.DeleteVideo;

/// <summary>
/// Deletes a video: DELETING and the removal of its objects are stored together, its unfinished
/// job is cancelled (its worker's next heartbeat finds the attempt gone and stops), a running
/// Batch job is terminated, and the cleanup processor empties storage with retries.
/// </summary>
public sealed record DeleteVideoCommand(Guid VideoId) : ICommand<DeleteVideoResult>;

public sealed record DeleteVideoResult(Guid VideoId, string Status);

public sealed class DeleteVideoValidator : AbstractValidator<DeleteVideoCommand>
{
    public DeleteVideoValidator() => RuleFor(c => c.VideoId).NotEmpty();
}

public sealed class DeleteVideoHandler(
    IVideoStore videos,
    ITranscodeJobStore jobs,
    IJobRunner runner,
    TimeProvider time,
    ILogger<DeleteVideoHandler> logger) : ICommandHandler<DeleteVideoCommand, DeleteVideoResult>
{
    private const int CompareAndSetRounds = 5;

    public async ValueTask<DeleteVideoResult> Handle(DeleteVideoCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var video = await StartDeletionAsync(command.VideoId, cancellationToken);
        if (video.CurrentJobId is { } jobId)
        {
            await CancelJobAsync(jobId, cancellationToken);
        }

        return new DeleteVideoResult(video.Id, VideoStatus.Deleting.ToWire());
    }

    private async Task<LectureVideo> StartDeletionAsync(Guid videoId, CancellationToken cancellationToken)
    {
        for (var round = 0; round < CompareAndSetRounds; round++)
        {
            var video = await videos.FindAsync(videoId, cancellationToken);
            if (video is null || video.Status == VideoStatus.Deleted)
            {
                throw new NotFoundException("Video", videoId);
            }

            var change = video.Delete(time.GetUtcNow());
            if (change is null)
            {
                return video;
            }

            var cleanup = new StorageCleanup(Guid.NewGuid(), StorageKeys.VideoPrefix(video.Id), video.Id, "video deleted", 0, change.At);
            if (await videos.TryStartDeletionAsync(change, cleanup, cancellationToken))
            {
                return change.ApplyTo(video);
            }
        }

        throw new ConflictException("CONCURRENT_UPDATE", $"Video {videoId} kept changing while it was being deleted; try again.");
    }

    private async Task CancelJobAsync(Guid jobId, CancellationToken cancellationToken)
    {
        for (var round = 0; round < CompareAndSetRounds; round++)
        {
            var job = await jobs.FindAsync(jobId, cancellationToken);
            var cancel = job?.CancelForDeletion(time.GetUtcNow());
            if (job is null || cancel is null)
            {
                return;
            }

            if (await jobs.TryTransitionAsync(cancel, cancellationToken))
            {
                await TerminateAsync(job);
                return;
            }
        }

        logger.LogWarning("Job {job_id} kept changing while its video was deleted; the worker stops when its attempt is superseded.", jobId);
    }

    private async Task TerminateAsync(TranscodeJob job)
    {
        if (job.BatchJobId is null)
        {
            return;
        }

        try
        {
            await runner.TerminateAsync(job.BatchJobId, "video deleted", CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The job row is FAILED already: the worker's fenced heartbeat stops it even if terminate never arrives.
            logger.LogWarning(ex, "Could not terminate {batch_job_id} of job {job_id}: {reason}", job.BatchJobId, job.Id, ex.Message);
        }
    }
}
