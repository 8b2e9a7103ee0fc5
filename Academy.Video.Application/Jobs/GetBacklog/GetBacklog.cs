using Academy.Video.Domain.Jobs;
using Mediator;

namespace Academy.Video.Application.Jobs.GetBacklog;

/// <summary>Operators' view of the queue: counts of the unfinished states and the oldest waits.</summary>
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
        // Finished jobs are history, not backlog: only the unfinished states are counted.
        var counts = Enum.GetValues<JobState>().Where(s => !s.IsTerminal()).ToDictionary(s => s.ToWire(), s => backlog.CountsByState.GetValueOrDefault(s));
        return new BacklogView(
            counts,
            backlog.OldestQueuedAge?.TotalSeconds,
            backlog.OldestRetryWaitAge?.TotalSeconds,
            backlog.OldestRunningHeartbeatAge?.TotalSeconds,
            now);
    }
}
