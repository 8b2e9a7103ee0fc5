using Academy.Video.Application.Common;
using Academy.Video.Application.Jobs.ScanStuckJobs;
using Academy.Video.Application.Storage.ProcessStorageCleanups;
using Mediator;
using Microsoft.Extensions.Options;

namespace Academy.Video.Api.Background;

/// <summary>
/// Runs one unit of work every interval, normally on one replica at a time: the run is skipped when another
/// process holds the named lease (docs/operations.md, running several replicas); nothing is held while it runs. The loop ends only when the host stops. Any other failure — a
/// database away, a runner timing out (HttpClient and Polly timeouts are cancellations too), an open
/// circuit — is logged with the loop's name and the next tick tries again.
/// </summary>
public abstract class PeriodicWork(IServiceScopeFactory scopes, TimeProvider time, ILogger logger) : BackgroundService
{
    protected abstract string LockName { get; }

    protected abstract TimeSpan Interval { get; }

    protected abstract Task RunOnceAsync(IMediator mediator, CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await using var held = await scope.ServiceProvider.GetRequiredService<IExclusiveRunLock>().TryAcquireAsync(LockName, stoppingToken);
                if (held is not null)
                {
                    await RunOnceAsync(scope.ServiceProvider.GetRequiredService<IMediator>(), stoppingToken);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(ex, "{work} failed; retrying in {interval}: {reason}", LockName, Interval, ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}

/// <summary>The recovery scan every minute (docs/contract.md §2), one replica at a time.</summary>
public sealed class RecoveryScanService(IServiceScopeFactory scopes, IOptions<RecoveryOptions> options, TimeProvider time, ILogger<RecoveryScanService> logger)
    : PeriodicWork(scopes, time, logger)
{
    protected override string LockName => "academy-video:recovery-scan";

    protected override TimeSpan Interval => options.Value.Interval;

    protected override async Task RunOnceAsync(IMediator mediator, CancellationToken cancellationToken) =>
        await mediator.Send(new ScanStuckJobsCommand(), cancellationToken);
}

/// <summary>Empties deleted videos' and abandoned attempts' prefixes, retrying until storage holds nothing.</summary>
public sealed class StorageCleanupService(IServiceScopeFactory scopes, IOptions<RecoveryOptions> options, TimeProvider time, ILogger<StorageCleanupService> logger)
    : PeriodicWork(scopes, time, logger)
{
    protected override string LockName => "academy-video:storage-cleanup";

    protected override TimeSpan Interval => options.Value.CleanupInterval;

    protected override async Task RunOnceAsync(IMediator mediator, CancellationToken cancellationToken)
    {
        while ((await mediator.Send(new ProcessStorageCleanupsCommand(), cancellationToken)).Completed > 0)
        {
        }
    }
}

/// <summary>Submits the chunks of chunked jobs and releases silent ones (docs/decisions/0023-chunked-encoding.md), one replica at a time.</summary>
public sealed class ChunkDispatchService(IServiceScopeFactory scopes, IOptions<RecoveryOptions> options, TimeProvider time, ILogger<ChunkDispatchService> logger)
    : PeriodicWork(scopes, time, logger)
{
    protected override string LockName => "academy-video:chunk-dispatch";

    protected override TimeSpan Interval => options.Value.ChunkDispatchInterval;

    protected override async Task RunOnceAsync(IMediator mediator, CancellationToken cancellationToken) =>
        await mediator.Send(new Application.Jobs.ProcessChunk.DispatchChunksCommand(), cancellationToken);
}

/// <summary>
/// With <c>Captions:Engine=Whisper</c>: queues a caption generation for each READY video without one, ends those that
/// cannot go on, and submits queued and stuck ones (docs/decisions/0017-caption-generation-unit-of-work.md).
/// </summary>
public sealed class CaptionDispatchService(IServiceScopeFactory scopes, IOptions<Application.Captions.CaptionOptions> options, TimeProvider time, ILogger<CaptionDispatchService> logger)
    : PeriodicWork(scopes, time, logger)
{
    protected override string LockName => "academy-video:caption-dispatch";

    protected override TimeSpan Interval => options.Value.Whisper.DispatchInterval;

    protected override async Task RunOnceAsync(IMediator mediator, CancellationToken cancellationToken) =>
        await mediator.Send(new Application.Captions.DispatchCaptionGenerationsCommand(), cancellationToken);
}
