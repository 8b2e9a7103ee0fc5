using Academy.Video.Application.Jobs;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;

namespace Academy.Video.Application.Videos;

/// <summary>
/// Stores a new QUEUED job together with its video change, then submits it. The stored job with
/// no Batch id is itself the submission intent: if the submit fails or this process dies right
/// after the commit, the recovery scan submits it (docs/contract.md §2, the QUEUED-without-id hole).
/// </summary>
public sealed class JobQueueing(IVideoStore videos, JobDispatcher dispatcher, JobPolicy policy, TimeProvider time)
{
    public DateTimeOffset Now => time.GetUtcNow();

    /// <returns>The queued job, or null when the video moved meanwhile (a concurrent identical call won).</returns>
    public async Task<JobView?> QueueAndSubmitAsync(QueueJob queued, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queued);
        var stored = await videos.TryQueueJobAsync(queued, cancellationToken);
        if (stored is null)
        {
            return null;
        }

        // The request may be gone, the job is stored: the submission must not be cut short by it.
        // The dispatcher bounds it in time, so a hanging runner costs this request that bound at most.
        var submitted = await dispatcher.SubmitAsync(stored.Job, CancellationToken.None);
        return JobView.From(submitted.Job ?? stored.Job, policy);
    }
}
