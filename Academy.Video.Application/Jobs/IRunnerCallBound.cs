namespace Academy.Video.Application.Jobs;

/// <summary>
/// The bound on one call to the runner (<see cref="Common.RecoveryOptions.RunnerCallTimeout"/>), held even for a
/// runner that ignores its token. An adapter (Infrastructure's named <c>runner-call</c> resilience pipeline) keeps the
/// application free of the resilience library.
/// </summary>
public interface IRunnerCallBound
{
    /// <summary>
    /// Runs the call within the bound. When the bound elapses first the call is abandoned and an
    /// <see cref="OperationCanceledException"/> is thrown while <paramref name="cancellationToken"/> is not cancelled.
    /// </summary>
    Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken);
}
