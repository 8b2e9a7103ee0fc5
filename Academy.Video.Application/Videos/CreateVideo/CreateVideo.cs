using Academy.Video.Application.Common;
using Academy.Video.Application.Storage;
using Academy.Video.Domain.Videos;
using FluentValidation;
using Mediator;
using Microsoft.Extensions.Options;

namespace Academy.Video.Application.Videos.CreateVideo;

/// <summary>Registers a video and returns where the client uploads its source directly.</summary>
public sealed record CreateVideoCommand(string Title, string FileName, string ContentType, long SizeBytes) : ICommand<CreateVideoResult>;

public sealed record CreateVideoResult(Guid VideoId, string Status, UploadTarget Upload);

public sealed class CreateVideoValidator : AbstractValidator<CreateVideoCommand>
{
    public CreateVideoValidator(IOptions<UploadOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        RuleFor(c => c.Title).NotEmpty().MaximumLength(200);
        RuleFor(c => c.FileName).NotEmpty().MaximumLength(255);
        RuleFor(c => c.ContentType).NotEmpty()
            .Must(type => type.StartsWith("video/", StringComparison.OrdinalIgnoreCase) || type == "application/octet-stream")
            .WithMessage("'Content Type' must be a video type (video/*) or application/octet-stream.");
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
        var video = LectureVideo.Create(Guid.NewGuid(), command.Title.Trim(), command.FileName, command.ContentType, time.GetUtcNow());
        await videos.AddAsync(video, cancellationToken);
        var target = await storage.CreateUploadTargetAsync(video.SourceKey, video.SourceContentType, options.Value.UploadUrlValidFor, cancellationToken);
        return new CreateVideoResult(video.Id, video.Status.ToWire(), target);
    }
}
