namespace Academy.Video.Application.Jobs;

/// <summary>
/// Starts <c>Academy.Video.Worker &lt;job-id&gt; --chunk k</c>, one chunk of a chunked job (docs/decisions/0023-chunked-encoding.md),
/// through the runner the jobs use: a child process locally, one Batch job per chunk (the definition's command overridden).
/// </summary>
public interface IChunkRunner
{
    /// <returns>The runner's id for the submission.</returns>
    Task<string> SubmitChunkAsync(Guid jobId, int chunk, CancellationToken cancellationToken);
}
