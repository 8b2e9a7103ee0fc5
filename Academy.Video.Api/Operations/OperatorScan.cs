using Academy.Video.Application.Jobs.ProcessChunk;
using Academy.Video.Application.Jobs.ScanStuckJobs;
using Mediator;

namespace Academy.Video.Api.Operations;

/// <summary>What the operator's scan did or, dry, would do: the jobs' recovery pass and then the chunks' (docs/operations.md).</summary>
/// <param name="Chunks">One entry per chunk of a chunked job that needed action (docs/decisions/0023-chunked-encoding.md).</param>
public sealed record OperatorScanReport(bool DryRun, DateTimeOffset At, IReadOnlyList<ScanEntry> Entries, IReadOnlyList<ChunkScanEntry> Chunks);

/// <summary>The operator's scan, from the command line (<c>scan-stuck-jobs</c>) and from HTTP alike: the recovery scan, then the chunk dispatch's pass.</summary>
public static class OperatorScan
{
    public static async Task<OperatorScanReport> RunAsync(IMediator mediator, bool dryRun, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mediator);
        var jobs = await mediator.Send(new ScanStuckJobsCommand(dryRun), cancellationToken);
        var chunks = await mediator.Send(new DispatchChunksCommand(dryRun), cancellationToken);
        return new OperatorScanReport(jobs.DryRun, jobs.At, jobs.Entries, chunks.Entries);
    }
}
