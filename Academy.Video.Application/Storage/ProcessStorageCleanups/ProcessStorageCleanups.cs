using Mediator;
using Microsoft.Extensions.Logging;

namespace Academy.Video.Application.Storage.ProcessStorageCleanups;

/// <summary>Empties due prefixes from the deletion outbox; a failure is retried with backoff, never dropped.</summary>
public sealed record ProcessStorageCleanupsCommand(int Limit = 20) : ICommand<StorageCleanupReport>;

public sealed record StorageCleanupReport(int Completed, int Failed, int ObjectsDeleted);

public sealed class ProcessStorageCleanupsHandler(
    IStorageCleanupQueue queue,
    IObjectStorage storage,
    TimeProvider time,
    ILogger<ProcessStorageCleanupsHandler> logger) : ICommandHandler<ProcessStorageCleanupsCommand, StorageCleanupReport>
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(1);

    public async ValueTask<StorageCleanupReport> Handle(ProcessStorageCleanupsCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var due = await queue.ClaimDueAsync(time.GetUtcNow(), command.Limit, Lease, cancellationToken);
        int completed = 0, failed = 0, deleted = 0;
        foreach (var cleanup in due)
        {
            try
            {
                deleted += await storage.DeletePrefixAsync(cleanup.Prefix, cancellationToken);
                await queue.CompleteAsync(cleanup, time.GetUtcNow(), cancellationToken);
                completed++;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failed++;
                var backoff = TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, 15 * Math.Pow(2, Math.Min(cleanup.Attempts, 12))));
                logger.LogWarning(ex, "Deleting {prefix} failed (attempt {attempt}); retrying in {backoff}: {reason}", cleanup.Prefix, cleanup.Attempts, backoff, ex.Message);
                await queue.RescheduleAsync(cleanup.Id, ex.Message, time.GetUtcNow() + backoff, cancellationToken);
            }
        }

        return new StorageCleanupReport(completed, failed, deleted);
    }
}
