using Academy.Video.Application.Storage;
using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;
using Academy.Video.Domain.Videos;
using Microsoft.Extensions.Logging;

namespace Academy.Video.Application.Jobs.ProcessJob;

/// <summary>An earlier attempt's segments a new attempt starts from, and the prefix they are copied from.</summary>
public sealed record AttemptResume(HlsResumePoint Point, string FromPrefix);

/// <summary>
/// Finds what earlier attempts of the same job left to reuse (decision 0011): their prefixes are held, not cleaned up,
/// while the job is unfinished (decision 0007). Each one's progress record is read and checked against a listing of its
/// prefix; <see cref="HlsResume"/> decides. Resuming is an optimisation: a record that cannot be read, or storage that
/// does not answer here, means a clean start, never a failed attempt.
/// </summary>
public sealed class ResumeFinder(IObjectStorage storage, ILogger<ResumeFinder> logger)
{
    public async Task<AttemptResume?> FindAsync(TranscodeJob job, HlsEncodePlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(plan);
        var candidates = new List<ResumeCandidate>();
        if (!plan.Resumable)
        {
            return null;
        }

        for (var attempt = job.AttemptCount - 1; attempt >= 1; attempt--)
        {
            var prefix = job.AttemptPrefix(attempt);
            try
            {
                if (await ReadAsync(prefix, plan, cancellationToken) is { } candidate)
                {
                    candidates.Add(candidate);
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Job {job_id}: attempt {from_attempt}'s stored segments could not be read; they are not reused: {reason}", job.Id, attempt, ex.Message);
            }
        }

        var point = HlsResume.Choose(plan.Fingerprint, plan.VideoVariants, plan.TopRung, plan.Request.SegmentDuration.TotalSeconds, candidates);
        return point is null ? null : new AttemptResume(point, job.AttemptPrefix(point.Attempt));
    }

    private async Task<ResumeCandidate?> ReadAsync(string prefix, HlsEncodePlan plan, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await storage.ReadTextAsync(prefix + StorageKeys.ProgressName, HlsProgressJson.MaxBytes, cancellationToken);
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }

        if (HlsProgressJson.Read(text) is not { } progress || progress.Plan != plan.Fingerprint)
        {
            return null;
        }

        var stored = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var item in storage.ListAsync(prefix, cancellationToken))
        {
            stored[item.Key[prefix.Length..]] = item.SizeBytes;
        }

        return new ResumeCandidate(progress, stored);
    }
}
