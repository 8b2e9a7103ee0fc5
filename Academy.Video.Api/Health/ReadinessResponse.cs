using Academy.Video.Api.Security;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Academy.Video.Api.Health;

/// <summary>
/// <c>/readyz</c> answers everyone (load balancers send no key) with the overall status and each check's status.
/// The reason a check failed can name hosts, buckets and database users, so only a caller holding an internal key
/// (X-Internal-Api-Key) gets each check's detail (docs/operations.md, Health).
/// </summary>
public static class ReadinessResponse
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(report);
        var status = report.Status.ToString();
        if (!ApiKeys.HoldsInternalKey(context))
        {
            return context.Response.WriteAsJsonAsync(new
            {
                status,
                checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString() }),
            });
        }

        return context.Response.WriteAsJsonAsync(new
        {
            status,
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), detail = e.Value.Description }),
        });
    }
}
