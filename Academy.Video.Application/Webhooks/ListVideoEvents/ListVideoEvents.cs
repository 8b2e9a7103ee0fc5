using Academy.Video.Domain.Events;
using FluentValidation;
using Mediator;

namespace Academy.Video.Application.Webhooks.ListVideoEvents;

/// <param name="Type">An event type (video.ready, ...) or null for all.</param>
public sealed record ListVideoEventsQuery(Guid? VideoId, string? Type, string? Cursor, int Limit = 50) : IQuery<VideoEventList>;

public sealed class ListVideoEventsValidator : AbstractValidator<ListVideoEventsQuery>
{
    public ListVideoEventsValidator()
    {
        RuleFor(q => q.Limit).InclusiveBetween(1, 200);
        RuleFor(q => q.Type)
            .Must(t => t is null || VideoEventTypeNames.TryParseVideoEventType(t, out _))
            .WithMessage(q => $"'{q.Type}' is not an event type; use one of {WebhookEventNames.List}.");
        RuleFor(q => q.Cursor).IsPositionCursor();
    }
}

public sealed class ListVideoEventsHandler(IVideoEventStore events) : IQueryHandler<ListVideoEventsQuery, VideoEventList>
{
    public async ValueTask<VideoEventList> Handle(ListVideoEventsQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        VideoEventType? type = query.Type is null ? null : VideoEventTypeNames.ParseVideoEventType(query.Type);
        var page = await events.ListAsync(new VideoEventQuery(query.VideoId, type, PositionCursor.Parse(query.Cursor), query.Limit), cancellationToken);
        return new VideoEventList(page.Items.Select(VideoEventView.From).ToList(), PositionCursor.Format(page.Next));
    }
}
