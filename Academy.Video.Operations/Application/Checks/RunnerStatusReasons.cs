namespace Academy.Video.Operations.Application.Checks;

/// <summary>
/// Why a Batch job waits in RUNNABLE, decoded from the <c>statusReason</c> AWS Batch sets on a job
/// that blocks its queue (AWS Batch user guide, "Jobs stuck in a RUNNABLE status"), with the fix.
/// </summary>
public static class RunnerStatusReasons
{
    private static readonly (string Prefix, string Meaning)[] Known =
    [
        ("CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY",
            "EC2 has no capacity for the compute environment's instance types in its subnets: add instance types or subnets in other availability zones, or wait and retry"),
        ("MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE",
            "the compute environment's maxvCpus is below what one job needs: raise maxvCpus (the template sets 32) or lower the job definition's vCPUs"),
        ("MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT",
            "no instance type of the compute environment fits the job's vCPU/memory: lower the job definition's resourceRequirements or allow larger instance types"),
        ("MISCONFIGURATION:SERVICE_ROLE_PERMISSIONS",
            "the Batch service role lacks permissions (use the AWSServiceRoleForBatch service-linked role or the AWSBatchServiceRole policy)"),
        ("ACTION_REQUIRED",
            "a compute environment of the queue is INVALID: run diagnose-infra (CE_CHECK shows its statusReason), fix it and set it ENABLED"),
    ];

    /// <summary>The meaning and fix for a known reason; null for a reason this product does not know.</summary>
    public static string? Explain(string? statusReason)
    {
        if (string.IsNullOrWhiteSpace(statusReason))
        {
            return null;
        }

        foreach (var (prefix, meaning) in Known)
        {
            if (statusReason.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return $"{prefix}: {meaning}";
            }
        }

        return null;
    }
}
