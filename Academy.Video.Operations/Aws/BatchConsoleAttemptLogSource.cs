using System.Globalization;
using Academy.Video.Infrastructure.Runners.Batch;
using Academy.Video.Operations.Application.AttemptLogs;
using Microsoft.Extensions.Options;

namespace Academy.Video.Operations.Aws;

/// <summary>
/// A Batch attempt's log is in CloudWatch Logs, behind the operator's AWS sign-in: the link is the AWS
/// console's page of the Batch job, which names its log stream and opens it. No AWS call is made here.
/// </summary>
public sealed class BatchConsoleAttemptLogSource(IOptions<BatchRunnerOptions> options) : IAttemptLogSource
{
    public Task<AttemptLog?> FindAsync(Guid jobId, string runnerJobId, CancellationToken cancellationToken)
    {
        var region = Uri.EscapeDataString(options.Value.Region);
        var url = new Uri(string.Create(CultureInfo.InvariantCulture,
            $"https://{region}.console.aws.amazon.com/batch/home?region={region}#jobs/detail/{Uri.EscapeDataString(runnerJobId)}"));
        return Task.FromResult<AttemptLog?>(new AttemptLog($"Batch job {runnerJobId} (its container's log stream in {CloudWatchJobLogReader.BatchDefaultLogGroup} or the job definition's awslogs group)", null, url));
    }
}
