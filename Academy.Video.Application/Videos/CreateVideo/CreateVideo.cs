using Academy.Video.Application.Common;
using Academy.Video.Application.Storage;
using Academy.Video.Domain.Videos;
using FluentValidation;
using Mediator;
using Microsoft.Extensions.Options;

namespace Academy.Video.Application.Videos.CreateVideo;

/// <summary>
/// Registers a video and returns where the client uploads its source directly. The upload URL is
/// good for exactly <c>SizeBytes</c> bytes: storage refuses a body of any other length.
/// </summary>
public sealed record CreateVideoCommand(string Title, string FileName, string ContentType, long SizeBytes) : ICommand<CreateVideoResult>;

public sealed record CreateVideoResult(Guid VideoId, string Status, UploadTarget Upload);

public sealed class CreateVideoValidator : AbstractValidator<CreateVideoCommand>
{
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
            .LessThanOrEqualTo(options.Value.MaxSourceBytes)
            .WithMessage($"'Size Bytes' must be between 1 and {options.Value.MaxSourceBytes} bytes.");
    }
}

public sealed class CreateVideoHandler(IVideoStore videos, IObjectStorage storage, IOptions<UploadOptions> options, TimeProvider time)
    : ICommandHandler<CreateVideoCommand, CreateVideoResult>
{
    public async ValueTask<CreateVideoResult> Handle(CreateVideoCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        // The declared size is the source's size until upload-complete checks the stored object against it.
        var video = LectureVideo.Create(Guid.NewGuid(), command.Title.Trim(), command.FileName, SourceContentType.Normalize(command.ContentType), time.GetUtcNow())
            with { SourceSizeBytes = command.SizeBytes };
        await videos.AddAsync(video, cancellationToken);
        var target = await storage.CreateUploadTargetAsync(
            video.SourceKey, video.SourceContentType, command.SizeBytes, options.Value.UploadUrlValidFor, cancellationToken);
        return new CreateVideoResult(video.Id, video.Status.ToWire(), target);
    }
}
