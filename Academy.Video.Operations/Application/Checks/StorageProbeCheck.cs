using System.Security.Cryptography;
using Academy.Video.Application.Storage;
using Academy.Video.Domain.Videos;
using Microsoft.Extensions.Options;

namespace Academy.Video.Operations.Application.Checks;

/// <summary>
/// STORAGE_CHECK: a probe object under a reserved prefix is written, read back byte for byte and
/// deleted; the deletion outbox's backlog and its oldest entry show whether deletions keep up.
/// </summary>
public sealed class StorageProbeCheck(IObjectStorage storage, IStorageCleanupQueue cleanups, RuntimeProfile profile, IOptions<OperationsOptions> options, TimeProvider time)
{
    public const string Name = "STORAGE_CHECK";
    private const int ProbeBytes = 64 * 1024;

    public async Task<CheckResult> RunAsync(ReportBuilder report, int step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var lines = new List<string>();
        var problems = new List<string>();
        var hints = new List<string>();

        var probe = await ProbeAsync(cancellationToken);
        lines.Add($"Storage ({profile.Storage}): {probe}");
        if (probe.StartsWith("FAIL", StringComparison.Ordinal))
        {
            problems.Add(probe);
            hints.Add(profile.Storage.Equals("S3", StringComparison.OrdinalIgnoreCase)
                ? $"{Name}: the storage round trip failed ({probe}): check Storage:S3:ServiceUrl, Bucket and the keys, and that they may put, get, list and delete objects."
                : $"{Name}: the storage round trip failed ({probe}): check that Storage:Local:RootPath exists and is writable by this user.");
        }

        var now = time.GetUtcNow();
        var backlog = await cleanups.GetCleanupBacklogAsync(now, cancellationToken);
        var oldest = backlog.OldestCreatedAt is { } created ? now - created : (TimeSpan?)null;
        lines.Add(oldest is null
            ? "Cleanup outbox: empty"
            : $"Cleanup outbox: {backlog.Count} prefix(es) waiting, oldest {Durations.Format(oldest.Value)} ({backlog.OldestPrefix}, {backlog.OldestAttempts} attempt(s), last error: {backlog.OldestLastError ?? "none"})");
        if (oldest > options.Value.CleanupBacklogMaxAge)
        {
            problems.Add($"cleanup outbox entry waiting {Durations.Format(oldest.Value)}");
            hints.Add($"{Name}: deletions wait in the cleanup outbox for {Durations.Format(oldest.Value)} (last error: {backlog.OldestLastError ?? "none, never tried"}): " +
                      "storage refuses the deletes (credentials, permissions) or no API runs the cleanup loop (Recovery:RunInApi).");
        }

        report.Step(step, "Storage", lines);
        return problems.Count == 0
            ? CheckResult.Ok(Name, $"probe of {ProbeBytes} bytes written, read back identical and deleted; cleanup outbox {backlog.Count} waiting")
            : CheckResult.Fail(Name, string.Join("; ", problems), hints);
    }

    private async Task<string> ProbeAsync(CancellationToken cancellationToken)
    {
        var key = StorageKeys.OperationsProbe(Guid.NewGuid());
        var directory = Path.Combine(Path.GetTempPath(), "academy-video-ops");
        Directory.CreateDirectory(directory);
        var written = Path.Combine(directory, Path.GetRandomFileName());
        var read = written + ".read";
        var stage = "write";
        try
        {
            var bytes = RandomNumberGenerator.GetBytes(ProbeBytes);
            await File.WriteAllBytesAsync(written, bytes, cancellationToken);
            await storage.UploadFileAsync(written, key, "application/octet-stream", cancellationToken);
            stage = "read";
            await storage.DownloadToFileAsync(key, read, cancellationToken);
            var back = await File.ReadAllBytesAsync(read, cancellationToken);
            if (!back.AsSpan().SequenceEqual(bytes))
            {
                return $"FAIL {key}: read back {back.Length} bytes that differ from the {bytes.Length} written";
            }

            stage = "delete";
            await storage.DeletePrefixAsync(key, cancellationToken);
            if (await storage.HeadAsync(key, cancellationToken) is not null)
            {
                return $"FAIL {key}: still there after it was deleted";
            }

            return $"probe {key} written, read back identical and deleted ({bytes.Length} bytes)";
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return $"FAIL {key}: {stage} failed: {ex.Message}";
        }
        finally
        {
            File.Delete(written);
            File.Delete(read);
        }
    }
}
