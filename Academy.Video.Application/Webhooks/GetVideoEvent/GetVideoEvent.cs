using Academy.Video.Application.Common;
using Academy.Video.Domain.Events;
using Mediator;

namespace Academy.Video.Application.Webhooks.GetVideoEvent;

public sealed record GetVideoEventQuery(Guid EventId) : IQuery<VideoEventDetails>;

public sealed class GetVideoEventHandler(IVideoEventStore events) : IQueryHandler<GetVideoEventQuery, VideoEventDetails>
{
    public async ValueTask<VideoEventDetails> Handle(GetVideoEventQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var e = await events.FindAsync(query.EventId, cancellationToken) ?? throw new NotFoundException("Event", query.EventId);
        return new VideoEventDetails(e.Id, e.Type.ToWire(), e.VideoId, e.JobId, e.OccurredAt, e.DispatchedAt, e.Body);
    }
}
