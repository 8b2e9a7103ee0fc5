using System.Text;
using Academy.Video.Infrastructure.Runners.Local;
using Academy.Video.Operations.Application.AttemptLogs;
using Microsoft.Extensions.Options;

namespace Academy.Video.Operations.Infrastructure;

/// <summary>A local attempt's log: the file the local runner wrote for that submission; its last 256 KiB are returned.</summary>
public sealed class LocalAttemptLogSource(IOptions<LocalRunnerOptions> options) : IAttemptLogSource
{
    public const int MaxBytes = 256 * 1024;

    public async Task<AttemptLog?> FindAsync(Guid jobId, string runnerJobId, CancellationToken cancellationToken)
    {
        var path = LocalRunnerLogs.PathFor(options.Value.LogDirectory, jobId, runnerJobId);
        // The runner id comes from the database; a path that leaves the job's log folder is not a log of this job.
        if (!File.Exists(path) || Path.GetDirectoryName(path) != LocalRunnerLogs.JobDirectory(options.Value.LogDirectory, jobId))
        {
            return null;
        }

        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var skipped = Math.Max(0, file.Length - MaxBytes);
        file.Seek(skipped, SeekOrigin.Begin);
        using var reader = new StreamReader(file, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(cancellationToken);
        return new AttemptLog(path, skipped > 0 ? $"[… the first {skipped} bytes are not shown]\n{text}" : text, null);
    }
}
