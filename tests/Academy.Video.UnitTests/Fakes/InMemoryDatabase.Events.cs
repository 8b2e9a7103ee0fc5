using Academy.Video.Application.Webhooks;
using Academy.Video.Domain.Events;

namespace Academy.Video.UnitTests.Fakes;

/// <summary>The events the changes write, as the SQL writes them: with the change, or not at all.</summary>
public sealed partial class InMemoryDatabase : IVideoEventStore
{
    private readonly List<VideoEvent> events = [];

    public IReadOnlyList<VideoEvent> Events { get { lock (gate) { return events.ToList(); } } }

    Task<VideoEvent?> IVideoEventStore.FindAsync(Guid eventId, CancellationToken cancellationToken)
    {
        lock (gate) { return Task.FromResult(events.SingleOrDefault(e => e.Id == eventId)); }
    }

    Task<VideoEventPage> IVideoEventStore.ListAsync(VideoEventQuery query, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            var rows = events
                .Where(e => (query.VideoId is null || e.VideoId == query.VideoId) && (query.Type is null || e.Type == query.Type)
                    && (query.Before is null || e.Position < query.Before))
                .OrderByDescending(e => e.Position)
                .Take(query.Limit + 1)
                .ToList();
            var items = rows.Take(query.Limit).ToList();
            return Task.FromResult(new VideoEventPage(items, rows.Count > query.Limit ? items[^1].Position : null));
        }
    }

    private void AddEvent(VideoEventType? type, Guid videoId, Guid? jobId, DateTimeOffset at)
    {
        if (type is { } written)
        {
            events.Add(new VideoEvent(Guid.NewGuid(), events.Count + 1, written, videoId, jobId, at, null, null));
        }
    }
}
