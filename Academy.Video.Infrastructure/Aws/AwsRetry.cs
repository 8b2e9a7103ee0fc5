using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Academy.Video.Infrastructure.Aws;

/// <summary>The retry of the small AWS clients: throttling, 5xx and network errors only, exponential with jitter.</summary>
internal static partial class AwsRetry
{
    /// <summary>No retry at all when <see cref="AwsClientOptions.MaxRetryAttempts"/> is 0.</summary>
    public static ResiliencePipeline Pipeline(AwsClientOptions options, ILogger logger) =>
        options.MaxRetryAttempts < 1 ? ResiliencePipeline.Empty : new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder()
                    .Handle<AwsServiceException>(error => error.IsTransient)
                    .Handle<HttpRequestException>()
                    .Handle<TaskCanceledException>(error => error.InnerException is TimeoutException),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                MaxRetryAttempts = options.MaxRetryAttempts,
                Delay = options.RetryBaseDelay,
                MaxDelay = TimeSpan.FromSeconds(10),
                OnRetry = arguments =>
                {
                    LogRetry(logger, arguments.AttemptNumber + 1, arguments.RetryDelay, arguments.Outcome.Exception);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

    [LoggerMessage(Level = LogLevel.Warning, Message = "AWS call failed transiently; retry {Attempt} in {Delay}")]
    private static partial void LogRetry(ILogger logger, int attempt, TimeSpan delay, Exception? exception);
}
