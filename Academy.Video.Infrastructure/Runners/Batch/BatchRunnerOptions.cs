using System.ComponentModel;

namespace Academy.Video.Infrastructure.Runners.Batch;

/// <summary>Settings of the AWS Batch runner (section <c>Runner:Batch</c>).</summary>
public sealed class BatchRunnerOptions
{
    public const string SectionName = "Runner:Batch";

    /// <summary>Overrides <see cref="JobQueue"/> when set (docs/contract.md §1 setting name).</summary>
    public const string JobQueueVariable = "VIDEO_BATCH_JOB_QUEUE";

    /// <summary>Overrides <see cref="JobDefinition"/> when set (docs/contract.md §1 setting name).</summary>
    public const string JobDefinitionVariable = "VIDEO_BATCH_JOB_DEFINITION";

    public string JobQueue { get; set; } = "academy-video-batch-queue";

    public string JobDefinition { get; set; } = "academy-video-batch-jobdef";

    public string Region { get; set; } = "ap-northeast-2";

    /// <summary>Endpoint override (tests, VPC endpoints); default <c>https://batch.{Region}.amazonaws.com</c>.</summary>
    [Description("Endpoint override (tests, VPC endpoints); default https://batch.{Region}.amazonaws.com.")]
    public Uri? ServiceUrl { get; set; }

    /// <summary>Retries after the first attempt, for throttling and 5xx/network errors only.</summary>
    [Description("Retries after the first attempt, for throttling and 5xx/network errors only.")]
    public int MaxRetryAttempts { get; set; } = 4;

    /// <summary>Base delay of the exponential backoff (jittered).</summary>
    [Description("Base delay of the exponential backoff (jittered).")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>One HTTP request's limit.</summary>
    [Description("One HTTP request's limit.")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The circuit opens when at least this many calls in <see cref="CircuitSamplingDuration"/> saw half of them fail.</summary>
    [Description("The circuit opens when at least this many calls in CircuitSamplingDuration saw half of them fail.")]
    public int CircuitMinimumThroughput { get; set; } = 4;

    public TimeSpan CircuitSamplingDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long an open circuit fails calls at once before it lets one through to test Batch again.</summary>
    [Description("How long an open circuit fails calls at once before it lets one through to test Batch again.")]
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    public Uri ResolveEndpoint() => ServiceUrl ?? new Uri($"https://batch.{Region}.amazonaws.com");
}
