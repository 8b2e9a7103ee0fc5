using Academy.Video.Application.Common;
using Academy.Video.Application.Videos.Uploads;
using Academy.Video.Domain.Videos;
using FluentValidation;
using Mediator;
using Microsoft.Extensions.Options;

namespace Academy.Video.Application.Videos.CreateVideo;

/// <summary>
/// Registers a video and returns where the client uploads its source directly: one URL below
/// <c>Upload:MultipartThreshold</c>, a URL per part at or above it. Each URL is good for exactly its
/// declared bytes (the whole <c>SizeBytes</c>, or the part's size): storage refuses a body of any other length.
/// </summary>
/// <param name="PosterAtSeconds">Where in the video the poster is taken; null: a tenth of the way in. Past the end: the last frames.</param>
public sealed record CreateVideoCommand(string Title, string FileName, string ContentType, long SizeBytes, double? PosterAtSeconds = null) : ICommand<CreateVideoResult>;

public sealed record CreateVideoResult(Guid VideoId, string Status, UploadView Upload);

public sealed class CreateVideoValidator : AbstractValidator<CreateVideoCommand>
{
    /// <summary>A day: no lecture is longer, and the Batch job timeout is four hours of encoding.</summary>
    public const double MaxPosterAtSeconds = 24 * 3600;

    public CreateVideoValidator(IOptions<UploadOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        RuleFor(c => c.Title).NotEmpty().MaximumLength(200).SingleLine();
        RuleFor(c => c.FileName).NotEmpty().MaximumLength(255).SingleLine();
        RuleFor(c => c.ContentType).Cascade(CascadeMode.Stop)
            .NotEmpty()
            .MaximumLength(SourceContentType.MaxLength)
            .SingleLine()
            .Must(type => SourceContentType.Parse(type) is not null)
            .WithMessage("'Content Type' must be one media type such as video/mp4, in HTTP Content-Type syntax.")
            .Must(type => SourceContentType.IsAccepted(SourceContentType.Parse(type)!))
            .WithMessage("'Content Type' must be a video type (video/<subtype>) or application/octet-stream.");
        RuleFor(c => c.SizeBytes).GreaterThan(0)
            .LessThanOrEqualTo(options.Value.MaxBytes)
            .WithMessage($"'Size Bytes' must be between 1 and {options.Value.MaxBytes} bytes (Upload:MaxBytes).");
        RuleFor(c => c.PosterAtSeconds).InclusiveBetween(0, MaxPosterAtSeconds)
            .WithMessage($"'Poster At Seconds' must be a time in the video, from 0 to {MaxPosterAtSeconds} seconds.")
            .When(c => c.PosterAtSeconds is not null);
    }
}

public sealed class CreateVideoHandler(IVideoStore videos, SourceUploads uploads, TimeProvider time)
    : ICommandHandler<CreateVideoCommand, CreateVideoResult>
{
    public async ValueTask<CreateVideoResult> Handle(CreateVideoCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        // The declared size is the source's size until upload-complete checks the stored object against it.
        var video = LectureVideo.Create(Guid.NewGuid(), command.Title.Trim(), command.FileName, SourceContentType.Normalize(command.ContentType), time.GetUtcNow())
            with { SourceSizeBytes = command.SizeBytes, PosterAtSeconds = command.PosterAtSeconds };
        await videos.AddAsync(video, cancellationToken);
        var upload = await uploads.StartAsync(video, cancellationToken);
        return new CreateVideoResult(video.Id, video.Status.ToWire(), upload);
    }
}
