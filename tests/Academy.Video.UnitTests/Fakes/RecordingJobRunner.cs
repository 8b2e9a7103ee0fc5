using System.Collections.Concurrent;
using Academy.Video.Application.Jobs;

namespace Academy.Video.UnitTests.Fakes;

/// <summary>Records submissions instead of starting containers; can be told to fail like an unreachable Batch.</summary>
public sealed class RecordingJobRunner : IJobRunner
{
    private readonly ConcurrentQueue<(Guid JobId, string JobName, string RunnerJobId)> submissions = new();
    private readonly ConcurrentQueue<string> terminated = new();
    private int sequence;

    public bool FailSubmissions { get; set; }

    /// <summary>Runner ids Describe still reports as RUNNABLE; every other id is unknown to the runner.</summary>
    public HashSet<string> Alive { get; } = [];

    /// <summary>When set, every submission is accepted and then sits RUNNABLE with this reason, never starting (a blocked queue).</summary>
    public string? BlockedReason { get; set; }

    public IReadOnlyList<(Guid JobId, string JobName, string RunnerJobId)> Submissions => submissions.ToList();

    public IReadOnlyList<string> Terminated => terminated.ToList();

    public Task<string> SubmitAsync(Guid jobId, string jobName, CancellationToken cancellationToken)
    {
        if (FailSubmissions)
        {
            throw new JobSubmissionException("Batch is unreachable (test).");
        }

        var id = $"batch-{Interlocked.Increment(ref sequence)}";
        submissions.Enqueue((jobId, jobName, id));
        if (BlockedReason is not null)
        {
            lock (Alive)
            {
                Alive.Add(id);
            }
        }

        return Task.FromResult(id);
    }

    public Task TerminateAsync(string runnerJobId, string reason, CancellationToken cancellationToken)
    {
        terminated.Enqueue(runnerJobId);
        lock (Alive)
        {
            Alive.Remove(runnerJobId);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<RunnerJobStatus>> DescribeAsync(IReadOnlyCollection<string> runnerJobIds, CancellationToken cancellationToken)
    {
        lock (Alive)
        {
            return Task.FromResult<IReadOnlyList<RunnerJobStatus>>(runnerJobIds
                .Where(Alive.Contains)
                .Select(id => new RunnerJobStatus(id, "video-x", "RUNNABLE", BlockedReason, null, null, null, null))
                .ToList());
        }
    }
}
