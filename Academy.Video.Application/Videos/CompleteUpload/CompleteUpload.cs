using Academy.Video.Application.Common;
using Academy.Video.Application.Jobs;
using Academy.Video.Application.Storage;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using FluentValidation;
using Mediator;

namespace Academy.Video.Application.Videos.CompleteUpload;

/// <summary>The client finished uploading: verify the object, queue one job, submit it (SPEC §1 step 2).</summary>
public sealed record CompleteUploadCommand(Guid VideoId) : ICommand<JobView>;

public sealed class CompleteUploadValidator : AbstractValidator<CompleteUploadCommand>
{
    public CompleteUploadValidator() => RuleFor(c => c.VideoId).NotEmpty();
}

public sealed class CompleteUploadHandler(
    IVideoStore videos,
    ITranscodeJobStore jobs,
    IObjectStorage storage,
    JobQueueing queueing,
    JobPolicy policy) : ICommandHandler<CompleteUploadCommand, JobView>
{
    public async ValueTask<JobView> Handle(CompleteUploadCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var video = await videos.FindAsync(command.VideoId, cancellationToken) ?? throw new NotFoundException("Video", command.VideoId);
        if (video.CurrentJobId is { } existingJobId)
        {
            return await CurrentJobAsync(existingJobId, cancellationToken);
        }

        if (video.Status != VideoStatus.PendingUpload)
        {
            throw new ConflictException("INVALID_VIDEO_STATE", $"Video {video.Id} is {video.Status.ToWire()}; only a PENDING_UPLOAD video can complete its upload.");
        }

        var source = await storage.HeadAsync(video.SourceKey, cancellationToken)
            ?? throw new ConflictException("UPLOAD_MISSING", $"Nothing was uploaded for video {video.Id}: upload the source to the upload URL first.");
        if (source.SizeBytes == 0)
        {
            throw new ConflictException("UPLOAD_EMPTY", $"The uploaded source of video {video.Id} is empty (0 bytes).");
        }

        // Videos created before the size was recorded have none to compare with.
        if (video.SourceSizeBytes is { } declared && source.SizeBytes != declared)
        {
            // The object can never be used (this check would refuse it every time) and holds bytes the
            // client was not granted, so it goes now; a PUT to the upload URL replaces it anyway.
            await storage.DeletePrefixAsync(video.SourceKey, cancellationToken);
            throw new ConflictException(
                "SOURCE_SIZE_MISMATCH",
                $"The uploaded source of video {video.Id} is {source.SizeBytes} bytes but {declared} were declared; it was deleted. Upload exactly {declared} bytes to the upload URL and complete again.");
        }

        var queued = await queueing.QueueAndSubmitAsync(video, v => v.CompleteUpload(Guid.NewGuid(), source.SizeBytes, queueing.Now), cancellationToken);
        return queued ?? await CurrentJobAsync(
            (await videos.FindAsync(video.Id, cancellationToken))?.CurrentJobId
                ?? throw new ConflictException("INVALID_VIDEO_STATE", $"Video {video.Id} changed while its upload was being completed."),
            cancellationToken);
    }

    private async Task<JobView> CurrentJobAsync(Guid jobId, CancellationToken cancellationToken)
    {
        var job = await jobs.FindAsync(jobId, cancellationToken) ?? throw new NotFoundException("Job", jobId);
        return JobView.From(job, policy);
    }
}
