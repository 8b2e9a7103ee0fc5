using Academy.Video.Application.Common;
using FluentValidation;
using Mediator;

namespace Academy.Video.Application.Videos.RetryVideo;

/// <summary>A FAILED video (its job FAILED or DEAD) gets a fresh job with a fresh attempt budget.</summary>
public sealed record RetryVideoCommand(Guid VideoId) : ICommand<JobView>;

public sealed class RetryVideoValidator : AbstractValidator<RetryVideoCommand>
{
    public RetryVideoValidator() => RuleFor(c => c.VideoId).NotEmpty();
}

public sealed class RetryVideoHandler(IVideoStore videos, JobQueueing queueing) : ICommandHandler<RetryVideoCommand, JobView>
{
    public async ValueTask<JobView> Handle(RetryVideoCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var video = await videos.FindAsync(command.VideoId, cancellationToken) ?? throw new NotFoundException("Video", command.VideoId);
        return await queueing.QueueAndSubmitAsync(video.Retry(Guid.NewGuid(), queueing.Now), cancellationToken)
            ?? throw new ConflictException(ConflictException.InvalidVideoState, $"Video {video.Id} changed while it was being retried; reload it.");
    }
}
