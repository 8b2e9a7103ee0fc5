using Academy.Video.Application.Common;
using Academy.Video.Application.Jobs;
using Academy.Video.Domain.Videos;
using FluentValidation;
using Mediator;

namespace Academy.Video.Application.Videos.DeleteVideo;

/// <summary>
/// Deletes a video in one statement: its unfinished job ends FAILED (VIDEO_DELETED) — its worker's
/// next heartbeat finds the attempt gone and stops —, the video becomes DELETING and the removal of
/// its objects is queued. After the commit its runner job is terminated; the cleanup processor
/// empties storage with retries.
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
    JobDispatcher dispatcher,
    TimeProvider time) : ICommandHandler<DeleteVideoCommand, DeleteVideoResult>
{
    private const int CompareAndSetRounds = 5;

    public async ValueTask<DeleteVideoResult> Handle(DeleteVideoCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        for (var round = 0; round < CompareAndSetRounds; round++)
        {
            var video = await videos.FindAsync(command.VideoId, cancellationToken);
            if (video is null || video.Status == VideoStatus.Deleted)
            {
                throw new NotFoundException("Video", command.VideoId);
            }

            var job = video.CurrentJobId is { } jobId ? await jobs.FindAsync(jobId, cancellationToken) : null;
            var deletion = video.Delete(job, time.GetUtcNow());
            if (deletion is null)
            {
                return new DeleteVideoResult(video.Id, video.Status.ToWire());
            }

            var deleting = await videos.TryStartDeletionAsync(deletion, cancellationToken);
            if (deleting is not null)
            {
                if (deletion.EndJob is { } ended)
                {
                    await TerminateAsync(ended.JobId);
                }

                return new DeleteVideoResult(deleting.Id, deleting.Status.ToWire());
            }
        }

        throw new ConflictException("CONCURRENT_UPDATE", $"Video {command.VideoId} kept changing while it was being deleted; try again.");
    }

    /// <summary>
    /// After the commit, and best effort: the job row is FAILED already, so the worker's fenced
    /// heartbeat stops it even if the terminate never arrives.
    /// </summary>
    private async Task TerminateAsync(Guid jobId)
    {
        if ((await jobs.FindAsync(jobId, CancellationToken.None))?.BatchJobId is { } runnerJobId)
        {
            await dispatcher.TryTerminateAsync(runnerJobId, "video deleted", CancellationToken.None);
        }
    }
}
