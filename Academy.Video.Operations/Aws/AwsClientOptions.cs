using System.ComponentModel;

namespace Academy.Video.Operations.Aws;

/// <summary>
/// Endpoints and retries of the IAM, STS and CloudWatch Logs clients the operator checks use
/// (section <c>Operations:Aws</c>). The region is the Batch runner's unless set here.
/// </summary>
public sealed class AwsClientOptions
{
    public const string SectionName = "Operations:Aws";

    /// <summary>Empty means <c>Runner:Batch:Region</c>.</summary>
    [Description("Empty means Runner:Batch:Region.")]
    public string? Region { get; set; }

    /// <summary>Default <c>https://iam.amazonaws.com</c> (IAM is global; it signs for us-east-1).</summary>
    [Description("Default https://iam.amazonaws.com (IAM is global; it signs for us-east-1).")]
    public Uri? IamServiceUrl { get; set; }

    /// <summary>Default <c>https://sts.{Region}.amazonaws.com</c>.</summary>
    [Description("Default https://sts.{Region}.amazonaws.com.")]
    public Uri? StsServiceUrl { get; set; }

    /// <summary>Default <c>https://logs.{Region}.amazonaws.com</c>.</summary>
    [Description("Default https://logs.{Region}.amazonaws.com.")]
    public Uri? LogsServiceUrl { get; set; }

    /// <summary>IAM's signing region; only other partitions (China, GovCloud) change it.</summary>
    [Description("IAM's signing region; only other partitions (China, GovCloud) change it.")]
    public string IamSigningRegion { get; set; } = "us-east-1";

    public int MaxRetryAttempts { get; set; } = 3;

    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest pause between two retries of one of these calls.</summary>
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(10);

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public string ResolvedRegion(string batchRegion) => string.IsNullOrWhiteSpace(Region) ? batchRegion : Region;
}
