using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Academy.Video.Infrastructure.Aws;

/// <summary>The retry of the AWS clients: throttling, 5xx and network errors only, exponential with jitter.</summary>
public static partial class AwsRetry
{
    /// <summary>
    /// Worth another attempt: AWS throttling or a server-side failure, a network error, or a request that
    /// timed out; never a client error (a bad request stays bad).
    /// </summary>
    public static bool IsTransient(Exception error) => error switch
    {
        AwsServiceException aws => aws.IsTransient,
        HttpRequestException => true,
        // HttpClient.Timeout surfaces as a cancellation whose inner exception is a TimeoutException.
        TaskCanceledException cancelled => cancelled.InnerException is TimeoutException,
        _ => false,
    };

    /// <summary>No retry at all when <paramref name="maxRetryAttempts"/> is 0.</summary>
    public static ResiliencePipeline Pipeline(int maxRetryAttempts, TimeSpan retryBaseDelay, ILogger logger) =>
        maxRetryAttempts < 1 ? ResiliencePipeline.Empty : new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                MaxRetryAttempts = maxRetryAttempts,
                Delay = retryBaseDelay,
                MaxDelay = TimeSpan.FromSeconds(10),
                OnRetry = arguments =>
                {
                    LogRetry(logger, arguments.AttemptNumber + 1, arguments.RetryDelay, Describe(arguments.Outcome.Exception));
                    LogTrace(logger, arguments.Outcome.Exception);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

    /// <summary>An error in one line for a warning: its type and message, with the innermost cause's message.</summary>
    public static string Describe(Exception? error)
    {
        if (error is null)
        {
            return "no exception";
        }

        var inner = error.GetBaseException();
        var text = inner == error || error.Message.Contains(inner.Message, StringComparison.Ordinal) ? $"{error.GetType().Name}: {error.Message}" : $"{error.GetType().Name}: {error.Message} ({inner.Message})";
        return text.ReplaceLineEndings(" ");
    }

    /// <summary>The full exception, at Debug only: operators see one line per retry, <c>--verbose</c> shows the trace.</summary>
    public static void LogTrace(ILogger logger, Exception? error)
    {
        if (error is not null && logger.IsEnabled(LogLevel.Debug))
        {
            LogRetryTrace(logger, error);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "AWS call failed transiently ({Error}); retry {Attempt} in {Delay}")]
    private static partial void LogRetry(ILogger logger, int attempt, TimeSpan delay, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The AWS call's failure in full")]
    private static partial void LogRetryTrace(ILogger logger, Exception exception);
}
