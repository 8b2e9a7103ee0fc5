using Academy.Video.Application.Jobs;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;

namespace Academy.Video.Application.Videos;

/// <summary>
/// Stores a new QUEUED job together with its video change, then submits it. The stored job with
/// no Batch id is itself the submission intent: if the submit fails or this process dies right
/// after the commit, the recovery scan submits it (SPEC §2, the QUEUED-without-id hole).
/// </summary>
public sealed class JobQueueing(IVideoStore videos, ITranscodeJobStore jobs, JobDispatcher dispatcher, JobPolicy policy, TimeProvider time)
{
    public DateTimeOffset Now => time.GetUtcNow();

    /// <returns>The queued job, or null when the video moved meanwhile (a concurrent identical call won).</returns>
    public async Task<JobView?> QueueAndSubmitAsync(LectureVideo video, Func<LectureVideo, QueueJob?> queue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queue);
        var queued = queue(video);
        if (queued is null || !await videos.TryQueueJobAsync(queued, cancellationToken))
        {
            return null;
        }

        // The request may be gone, the job is stored: the submission must not be cut short by it.
        await dispatcher.SubmitAsync(queued.Job, CancellationToken.None);
        var submitted = await jobs.FindAsync(queued.Job.Id, CancellationToken.None) ?? queued.Job;
        return JobView.From(submitted, policy);
    }
}
