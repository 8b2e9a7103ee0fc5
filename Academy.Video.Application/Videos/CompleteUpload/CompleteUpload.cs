using Academy.Video.Application.Common;
using Academy.Video.Application.Jobs;
using Academy.Video.Application.Storage;
using Academy.Video.Application.Videos.Uploads;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using FluentValidation;
using Mediator;

namespace Academy.Video.Application.Videos.CompleteUpload;

/// <summary>
/// The client finished uploading: join the parts of a multipart upload, verify the object, queue one job,
/// submit it (docs/contract.md §1 step 2). <see cref="Parts"/> is optional: without it the parts storage holds are used.
/// </summary>
public sealed record CompleteUploadCommand(Guid VideoId, IReadOnlyList<CompletedPart>? Parts = null) : ICommand<JobView>;

public sealed class CompleteUploadValidator : AbstractValidator<CompleteUploadCommand>
{
    public CompleteUploadValidator()
    {
        RuleFor(c => c.VideoId).NotEmpty();
        When(c => c.Parts is not null, () =>
        {
            RuleFor(c => c.Parts!).NotEmpty()
                .Must(parts => parts.Select(part => part.PartNumber).Distinct().Count() == parts.Count)
                .WithMessage("'Parts' must name each part number once.");
            RuleForEach(c => c.Parts!).ChildRules(part =>
            {
                part.RuleFor(p => p.PartNumber).InclusiveBetween(1, UploadPlan.MaxParts);
                part.RuleFor(p => p.ETag).NotEmpty().MaximumLength(1024).SingleLine();
            });
        });
    }
}

public sealed class CompleteUploadHandler(
    IVideoStore videos,
    ITranscodeJobStore jobs,
    IObjectStorage storage,
    IVideoUploadStore uploads,
    SourceUploads sourceUploads,
    JobQueueing queueing,
    JobPolicy policy,
    TimeProvider time) : ICommandHandler<CompleteUploadCommand, JobView>
{
    public async ValueTask<JobView> Handle(CompleteUploadCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var video = await videos.FindAsync(command.VideoId, cancellationToken) ?? throw new NotFoundException("Video", command.VideoId);
        var now = time.GetUtcNow();
        if (video.CheckUploadCompletion(sourceUploads.Window, now) is { } refused)
        {
            return await AnswerAsync(video, refused, null, cancellationToken);
        }

        var multipart = await uploads.FindMultipartAsync(video.Id, cancellationToken);
        if (multipart is null && command.Parts is not null)
        {
            throw new ConflictException("UPLOAD_NOT_MULTIPART", $"Video {video.Id} is uploaded with one PUT, not in parts: complete it without a body.");
        }

        var stored = await storage.JoinUploadedSourceAsync(video, multipart, command.Parts, cancellationToken);
        return await AnswerAsync(video, video.CompleteUpload(Guid.NewGuid(), stored, sourceUploads.Window, now), multipart, cancellationToken);
    }

    private async Task<JobView> AnswerAsync(LectureVideo video, UploadCompletion completion, MultipartUpload? multipart, CancellationToken cancellationToken)
    {
        switch (completion)
        {
            case UploadCompletion.Queue queue:
                return await queueing.QueueAndSubmitAsync(queue.Job, cancellationToken) ?? await AnswerLostRaceAsync(video, cancellationToken);
            case UploadCompletion.AlreadyQueued queued:
                return await CurrentJobAsync(queued.JobId, cancellationToken);
            case UploadCompletion.Expired:
                throw sourceUploads.Expired(video);
            case UploadCompletion.NotUploading notUploading:
                throw new ConflictException(ConflictException.InvalidVideoState, $"Video {video.Id} is {notUploading.Status.ToWire()}; only a PENDING_UPLOAD video can complete its upload.");
            case UploadCompletion.NothingUploaded when multipart is not null:
                // The multipart upload is gone without an object (aborted by storage): a new one lets the client start over.
                await sourceUploads.RestartAsync(video, multipart, cancellationToken);
                throw new ConflictException(ConflictException.UploadMissing, $"The multipart upload of video {video.Id} no longer exists in storage; a new one was started. GET /api/v1/videos/{video.Id}/upload for its part URLs.");
            case UploadCompletion.NothingUploaded:
                throw new ConflictException(ConflictException.UploadMissing, $"Nothing was uploaded for video {video.Id}: upload the source to the upload URL first.");
            case UploadCompletion.EmptySource:
                throw new ConflictException("UPLOAD_EMPTY", $"The uploaded source of video {video.Id} is empty (0 bytes).");
            case UploadCompletion.WrongSize wrongSize:
                // A PUT to the upload URL replaces the object anyway; a multipart upload starts over.
                await storage.DeletePrefixAsync(video.SourceKey, cancellationToken);
                var next = $"Upload exactly {wrongSize.DeclaredBytes} bytes to the upload URL and complete again.";
                if (multipart is not null)
                {
                    await sourceUploads.RestartAsync(video, multipart, cancellationToken);
                    next = $"A new multipart upload was started: GET /api/v1/videos/{video.Id}/upload for its part URLs, upload the parts and complete again.";
                }

                throw new ConflictException(
                    "SOURCE_SIZE_MISMATCH",
                    $"The uploaded source of video {video.Id} is {wrongSize.StoredBytes} bytes but {wrongSize.DeclaredBytes} were declared; it was deleted. {next}");
            default:
                throw new InvalidOperationException($"Unknown upload completion {completion.GetType().Name}.");
        }
    }

    /// <summary>A concurrent identical call queued the job first: the answer is its job.</summary>
    private async Task<JobView> AnswerLostRaceAsync(LectureVideo video, CancellationToken cancellationToken) =>
        await CurrentJobAsync(
            (await videos.FindAsync(video.Id, cancellationToken))?.CurrentJobId
                ?? throw new ConflictException(ConflictException.InvalidVideoState, $"Video {video.Id} changed while its upload was being completed."),
            cancellationToken);

    private async Task<JobView> CurrentJobAsync(Guid jobId, CancellationToken cancellationToken)
    {
        var job = await jobs.FindAsync(jobId, cancellationToken) ?? throw new NotFoundException("Job", jobId);
        return JobView.From(job, policy);
    }
}
