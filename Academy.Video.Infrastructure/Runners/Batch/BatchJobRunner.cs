using System.Globalization;
using Academy.Video.Application.Captions;
using Academy.Video.Application.Jobs;
using Academy.Video.Infrastructure.Aws;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Academy.Video.Infrastructure.Runners.Batch;

/// <summary>
/// Runs the worker as an AWS Batch job (docs/contract.md §1): <c>parameters = { job_id }</c>, queue and job definition
/// from settings, no container overrides — the job definition's command passes <c>Ref::job_id</c> as argv[1].
/// A caption generation goes to the same queue and job definition with the command overridden to
/// <c>caption &lt;generation-id&gt;</c> (docs/decisions/0017-caption-generation-unit-of-work.md).
/// </summary>
public sealed class BatchJobRunner(AwsBatchClient client, IOptions<BatchRunnerOptions> options) : IJobRunner, ICaptionRunner, IChunkRunner
{
    public const string JobIdParameter = "job_id";

    public const string CaptionCommand = "caption";

    public Task<string> SubmitAsync(Guid jobId, string jobName, CancellationToken cancellationToken) =>
        SubmitAsync(jobId, jobName, null, cancellationToken);

    public Task<string> SubmitCaptionAsync(Guid generationId, CancellationToken cancellationToken)
    {
        var id = generationId.ToString("D", CultureInfo.InvariantCulture);
        return SubmitAsync(
            generationId,
            $"caption-{generationId.ToString("N", CultureInfo.InvariantCulture)[..8]}",
            new BatchContainerOverrides([CaptionCommand, id]),
            cancellationToken);
    }

    /// <summary>
    /// One Batch job per chunk (docs/decisions/0023-chunked-encoding.md), the definition's command overridden with
    /// <c>&lt;job-id&gt; --chunk k</c>: each chunk has its own runner id to describe, and a lost one is submitted again alone.
    /// </summary>
    public Task<string> SubmitChunkAsync(Guid jobId, int chunk, CancellationToken cancellationToken)
    {
        var id = jobId.ToString("D", CultureInfo.InvariantCulture);
        var index = chunk.ToString(CultureInfo.InvariantCulture);
        return SubmitAsync(jobId, $"video-{jobId.ToString("N", CultureInfo.InvariantCulture)[..8]}-c{index}", new BatchContainerOverrides([id, "--chunk", index]), cancellationToken);
    }

    private async Task<string> SubmitAsync(Guid id, string jobName, BatchContainerOverrides? overrides, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        // job_id is sent with the caption override too: the job definition's own command refers to Ref::job_id, and a
        // reference without a value is refused at submission.
        var request = new SubmitJobRequest(
            jobName,
            settings.JobQueue,
            settings.JobDefinition,
            new Dictionary<string, string> { [JobIdParameter] = id.ToString("D", CultureInfo.InvariantCulture) },
            overrides);
        try
        {
            var response = await client.SubmitJobAsync(request, cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrEmpty(response.JobId))
            {
                throw new JobSubmissionException($"AWS Batch accepted {jobName} but returned no jobId.");
            }

            return response.JobId;
        }
        catch (AwsServiceException error)
        {
            throw new JobSubmissionException(
                $"AWS Batch refused {jobName} on queue {settings.JobQueue} with job definition {settings.JobDefinition}: " +
                $"{error.ErrorCode}: {error.ErrorMessage}", error);
        }
        catch (HttpRequestException error)
        {
            throw new JobSubmissionException($"AWS Batch could not be reached to submit {jobName}: {error.Message}", error);
        }
        catch (System.Text.Json.JsonException error)
        {
            // Unreadable answer: no Batch id can be recorded, so the recovery scan must treat it as not submitted.
            throw new JobSubmissionException($"AWS Batch answered the submission of {jobName} with an unreadable body: {error.Message}", error);
        }
        catch (TaskCanceledException error) when (!cancellationToken.IsCancellationRequested)
        {
            throw new JobSubmissionException($"AWS Batch did not answer the submission of {jobName} in time.", error);
        }
        catch (TimeoutRejectedException error)
        {
            throw new JobSubmissionException($"AWS Batch did not answer the submission of {jobName} within {error.Timeout:c}, retries included.", error);
        }
        catch (BrokenCircuitException error)
        {
            throw new JobSubmissionException($"AWS Batch is failing; {jobName} was not sent (the circuit is open): {error.Message}", error);
        }
    }

    public Task TerminateAsync(string runnerJobId, string reason, CancellationToken cancellationToken) =>
        client.TerminateJobAsync(runnerJobId, reason, cancellationToken);

    public async Task<IReadOnlyList<RunnerJobStatus>> DescribeAsync(
        IReadOnlyCollection<string> runnerJobIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runnerJobIds);
        if (runnerJobIds.Count == 0)
        {
            return [];
        }

        var details = await client.DescribeJobsAsync(runnerJobIds, cancellationToken).ConfigureAwait(false);
        return details.Select(ToStatus).ToList();
    }

    private static RunnerJobStatus ToStatus(BatchJobDetail detail)
    {
        // While a job runs, Batch fills "container"; the last attempt carries the same data once it has stopped.
        var container = detail.Container ?? detail.Attempts?.LastOrDefault()?.Container;
        return new RunnerJobStatus(
            detail.JobId,
            detail.JobName,
            detail.Status,
            detail.StatusReason ?? container?.Reason,
            FromEpochMilliseconds(detail.StartedAt),
            FromEpochMilliseconds(detail.StoppedAt),
            container?.ExitCode,
            container?.LogStreamName);
    }

    private static DateTimeOffset? FromEpochMilliseconds(long? milliseconds) =>
        milliseconds is { } value ? DateTimeOffset.FromUnixTimeMilliseconds(value) : null;
}
