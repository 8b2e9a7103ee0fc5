namespace Academy.Video.Application.Common;

/// <summary>
/// "Normally one of us at a time" across processes and replicas (Postgres: a lease row that expires).
/// Returns null when another holder has it; the same holder gets it again; disposing the handle releases it.
/// Nothing may rely on it alone: a lease outlived by its work lets a second holder in.
/// </summary>
public interface IExclusiveRunLock
{
    Task<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken cancellationToken);
}
