using Academy.Video.Domain.Jobs;
using Mediator;

namespace Academy.Video.Application.Jobs.GetBacklog;

/// <summary>Operators' view of the queue: counts by state and the oldest waits.</summary>
public sealed record GetBacklogQuery : IQuery<BacklogView>;

public sealed record BacklogView(
    IReadOnlyDictionary<string, int> CountsByState,
    double? OldestQueuedSeconds,
    double? OldestRetryWaitSeconds,
    double? OldestRunningHeartbeatSeconds,
    DateTimeOffset At);

public sealed class GetBacklogHandler(ITranscodeJobStore jobs, TimeProvider time) : IQueryHandler<GetBacklogQuery, BacklogView>
{
    public async ValueTask<BacklogView> Handle(GetBacklogQuery query, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var backlog = await jobs.GetBacklogAsync(now, cancellationToken);
        var counts = Enum.GetValues<JobState>().ToDictionary(s => s.ToWire(), s => backlog.CountsByState.GetValueOrDefault(s));
        return new BacklogView(
            counts,
            backlog.OldestQueuedAge?.TotalSeconds,
            backlog.OldestRetryWaitAge?.TotalSeconds,
            backlog.OldestRunningHeartbeatAge?.TotalSeconds,
            now);
    }
}
