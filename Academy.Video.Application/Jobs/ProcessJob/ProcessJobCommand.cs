using Mediator;

namespace Academy.Video.Application.Jobs.ProcessJob;

/// <summary>The worker's whole attempt for one job (docs/contract.md §1 step 4).</summary>
public sealed record ProcessJobCommand(Guid JobId) : ICommand<ProcessJobResult>;

public enum ProcessJobOutcome
{
    Completed,
    IdempotentDone,
    IdempotentReady,
    JobNotFound,
    /// <summary>DEAD, FAILED, or another attempt RUNNING: nothing to do.</summary>
    NotRunnable,
    /// <summary>The job was waiting to start, but its video is being deleted: the job was ended FAILED (VIDEO_DELETED).</summary>
    VideoDeleted,
    /// <summary>Another worker started the same attempt first (a duplicate Batch run).</summary>
    LostStartRace,
    Failed,
    /// <summary>The attempt was taken away (stuck scan, deletion): stopped without touching state.</summary>
    Superseded,
    /// <summary>SIGTERM / Batch terminate: the attempt ended CANCELLED (RETRY_WAIT, or DEAD if it was the last).</summary>
    Cancelled,
    /// <summary>The run stored its chunk of a chunked job; the job waits for its other chunks (decision 0023).</summary>
    ChunkHandedOff,
}

public sealed record ProcessJobResult(ProcessJobOutcome Outcome, string Detail)
{
    /// <summary>docs/contract.md §3: 0 on success and idempotent exits, 1 on failure and cancellation.</summary>
    public int ExitCode => Outcome switch
    {
        ProcessJobOutcome.Completed or ProcessJobOutcome.IdempotentDone or ProcessJobOutcome.IdempotentReady
            or ProcessJobOutcome.NotRunnable or ProcessJobOutcome.VideoDeleted or ProcessJobOutcome.LostStartRace
            or ProcessJobOutcome.ChunkHandedOff => 0,
        _ => 1,
    };
}
