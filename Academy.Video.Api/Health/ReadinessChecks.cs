using Academy.Video.Application.Jobs;
using Academy.Video.Application.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Academy.Video.Api.Health;

/// <summary>Ready means the database answers a real query of ours (so migrations ran), not just a ping.</summary>
public sealed class DatabaseReadinessCheck(ITranscodeJobStore jobs, TimeProvider time) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var backlog = await jobs.GetBacklogAsync(time.GetUtcNow(), cancellationToken);
            return HealthCheckResult.Healthy($"{backlog.CountsByState.Values.Sum()} jobs");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"The database query failed: {ex.Message}", ex);
        }
    }
}

/// <summary>Storage answers a metadata request for a key that need not exist (credentials, bucket and endpoint are right).</summary>
public sealed class StorageReadinessCheck(IObjectStorage storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await storage.HeadAsync("health/readiness-probe", cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"Storage did not answer: {ex.Message}", ex);
        }
    }
}
