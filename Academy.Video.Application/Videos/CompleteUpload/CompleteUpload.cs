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
/// submit it (SPEC §1 step 2). <see cref="Parts"/> is optional: without it the parts storage holds are used.
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
    JobPolicy policy) : ICommandHandler<CompleteUploadCommand, JobView>
{
    private const int PartsNamedInAnError = 20;

    public async ValueTask<JobView> Handle(CompleteUploadCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var video = await videos.FindAsync(command.VideoId, cancellationToken) ?? throw new NotFoundException("Video", command.VideoId);
        if (video.CurrentJobId is { } existingJobId)
        {
            return await CurrentJobAsync(existingJobId, cancellationToken);
        }

        if (video.Status == VideoStatus.Expired || video.IsUploadExpired(sourceUploads.Window, queueing.Now))
        {
            throw sourceUploads.Expired(video);
        }

        if (video.Status != VideoStatus.PendingUpload)
        {
            throw new ConflictException("INVALID_VIDEO_STATE", $"Video {video.Id} is {video.Status.ToWire()}; only a PENDING_UPLOAD video can complete its upload.");
        }

        var multipart = await uploads.FindMultipartAsync(video.Id, cancellationToken);
        if (multipart is not null)
        {
            await JoinPartsAsync(video, multipart, command.Parts, cancellationToken);
        }
        else if (command.Parts is not null)
        {
            throw new ConflictException("UPLOAD_NOT_MULTIPART", $"Video {video.Id} is uploaded with one PUT, not in parts: complete it without a body.");
        }

        var source = await storage.HeadAsync(video.SourceKey, cancellationToken);
        if (source is null)
        {
            if (multipart is not null)
            {
                // The multipart upload is gone without an object (aborted by storage): a new one lets the client start over.
                await sourceUploads.RestartAsync(video, multipart, cancellationToken);
                throw new ConflictException("UPLOAD_MISSING", $"The multipart upload of video {video.Id} no longer exists in storage; a new one was started. GET /api/v1/videos/{video.Id}/upload for its part URLs.");
            }

            throw new ConflictException("UPLOAD_MISSING", $"Nothing was uploaded for video {video.Id}: upload the source to the upload URL first.");
        }

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
            var next = $"Upload exactly {declared} bytes to the upload URL and complete again.";
            if (multipart is not null)
            {
                await sourceUploads.RestartAsync(video, multipart, cancellationToken);
                next = $"A new multipart upload was started: GET /api/v1/videos/{video.Id}/upload for its part URLs, upload the parts and complete again.";
            }

            throw new ConflictException(
                "SOURCE_SIZE_MISMATCH",
                $"The uploaded source of video {video.Id} is {source.SizeBytes} bytes but {declared} were declared; it was deleted. {next}");
        }

        var queued = await queueing.QueueAndSubmitAsync(video, v => v.CompleteUpload(Guid.NewGuid(), source.SizeBytes, queueing.Now), cancellationToken);
        return queued ?? await CurrentJobAsync(
            (await videos.FindAsync(video.Id, cancellationToken))?.CurrentJobId
                ?? throw new ConflictException("INVALID_VIDEO_STATE", $"Video {video.Id} changed while its upload was being completed."),
            cancellationToken);
    }

    /// <summary>
    /// Joins the parts storage holds once they are exactly the planned ones; with <paramref name="expected"/>,
    /// only if storage holds exactly those parts with those ETags. A multipart upload that is gone was joined
    /// by an earlier call (or aborted): the object check that follows decides.
    /// </summary>
    private async Task JoinPartsAsync(LectureVideo video, MultipartUpload multipart, IReadOnlyList<CompletedPart>? expected, CancellationToken cancellationToken)
    {
        IReadOnlyList<UploadedPart> held;
        try
        {
            held = await storage.ListPartsAsync(video.SourceKey, multipart.UploadId, cancellationToken);
        }
        catch (MultipartUploadNotFoundException)
        {
            return;
        }

        var plan = multipart.PlanFor(video.SourceSizeBytes ?? 0);
        var check = plan.Check(held.Select(part => (part.PartNumber, part.SizeBytes)));
        if (!check.IsComplete)
        {
            var problems = new List<string>();
            if (check.Missing.Count > 0)
            {
                problems.Add($"part(s) {Name(check.Missing)} of {plan.PartCount} are missing");
            }

            if (check.WrongSize.Count > 0)
            {
                problems.Add($"part(s) {Name(check.WrongSize)} are not their planned size (every part but the last is {multipart.PartSizeBytes} bytes)");
            }

            if (check.Unexpected.Count > 0)
            {
                problems.Add($"part(s) {Name(check.Unexpected)} are not in the plan of {plan.PartCount} parts");
            }

            throw new ConflictException("UPLOAD_INCOMPLETE",
                $"The upload of video {video.Id} is not complete: {string.Join("; ", problems)}. GET /api/v1/videos/{video.Id}/upload lists what storage holds, with fresh part URLs.");
        }

        if (expected is not null)
        {
            var stored = held.ToDictionary(part => part.PartNumber, part => part.ETag);
            var differing = expected.Where(part => !stored.TryGetValue(part.PartNumber, out var etag) || etag != part.ETag.Trim('"'))
                .Select(part => part.PartNumber).Order().ToList();
            if (expected.Count != held.Count || differing.Count > 0)
            {
                throw new ConflictException("UPLOAD_PARTS_INVALID",
                    $"The parts sent do not match what storage holds for video {video.Id}" +
                    (differing.Count > 0 ? $" (part(s) {Name(differing)} differ: sent again since?)" : $" ({expected.Count} sent, {held.Count} held)") +
                    ". Complete without a body to join the parts storage holds.");
            }
        }

        try
        {
            await storage.CompleteMultipartUploadAsync(
                video.SourceKey,
                multipart.UploadId,
                held.OrderBy(part => part.PartNumber).Select(part => new CompletedPart(part.PartNumber, part.ETag)).ToList(),
                cancellationToken);
        }
        catch (MultipartUploadNotFoundException)
        {
            // A concurrent call joined it first.
        }
        catch (MultipartUploadRejectedException rejected)
        {
            throw new ConflictException("UPLOAD_PARTS_INVALID", $"Storage refused to join the parts of video {video.Id}: {rejected.Code}: {rejected.Message}");
        }
    }

    private static string Name(IReadOnlyList<int> partNumbers) =>
        string.Join(", ", partNumbers.Take(PartsNamedInAnError)) + (partNumbers.Count > PartsNamedInAnError ? $" and {partNumbers.Count - PartsNamedInAnError} more" : "");

    private async Task<JobView> CurrentJobAsync(Guid jobId, CancellationToken cancellationToken)
    {
        var job = await jobs.FindAsync(jobId, cancellationToken) ?? throw new NotFoundException("Job", jobId);
        return JobView.From(job, policy);
    }
}
