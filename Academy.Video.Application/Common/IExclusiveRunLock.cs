namespace Academy.Video.Application.Common;

/// <summary>
/// "Only one of us at a time" across processes and replicas (Postgres: a session advisory lock).
/// Returns null when another holder has it; disposing the handle releases it.
/// </summary>
public interface IExclusiveRunLock
{
    Task<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken cancellationToken);
}
