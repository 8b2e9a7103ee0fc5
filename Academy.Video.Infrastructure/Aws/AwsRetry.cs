using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Academy.Video.Infrastructure.Aws;

/// <summary>
/// The retry rule of every AWS client: throttling, 5xx and network errors only, exponential with jitter. The named
/// pipelines <see cref="Resilience.ResiliencePipelines.Aws"/> and <see cref="Resilience.ResiliencePipelines.AwsBatch"/> are built with it.
/// </summary>
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

    /// <summary>Who a retry is reported as, and on which logger: set by the calling client on the execution's context (see <see cref="ExecuteAsync{T}"/>).</summary>
    public static readonly ResiliencePropertyKey<AwsCaller> Caller = new("academy.aws.caller");

    /// <summary>
    /// The one AWS retry rule, with a client's figures: <see cref="IsTransient"/> errors only, exponential backoff
    /// with jitter from <paramref name="retryBaseDelay"/> up to <paramref name="maxDelay"/>. No retry at all when
    /// <paramref name="maxRetryAttempts"/> is 0 (Polly wants at least one).
    /// </summary>
    public static ResiliencePipelineBuilder AddAwsRetry(
        this ResiliencePipelineBuilder builder, int maxRetryAttempts, TimeSpan retryBaseDelay, TimeSpan maxDelay, ILogger fallbackLogger)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return maxRetryAttempts < 1 ? builder : builder.AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            MaxRetryAttempts = maxRetryAttempts,
            Delay = retryBaseDelay,
            MaxDelay = maxDelay,
            OnRetry = arguments =>
            {
                var caller = arguments.Context.Properties.GetValue(Caller, new AwsCaller("AWS", fallbackLogger));
                LogRetry(caller.Logger, caller.Service, arguments.AttemptNumber + 1, arguments.RetryDelay, Describe(arguments.Outcome.Exception));
                LogTrace(caller.Logger, arguments.Outcome.Exception);
                return ValueTask.CompletedTask;
            },
        });
    }

    /// <summary>Runs one AWS call through a named pipeline; its retries are logged as the <paramref name="caller"/>'s.</summary>
    public static async Task<T> ExecuteAsync<T>(
        this ResiliencePipeline pipeline, AwsCaller caller, Func<CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(Caller, caller);
        try
        {
            return await pipeline.ExecuteAsync(static async (context, call) => await call(context.CancellationToken), context, call);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Service} call failed transiently ({Error}); retry {Attempt} in {Delay}")]
    private static partial void LogRetry(ILogger logger, string service, int attempt, TimeSpan delay, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The AWS call's failure in full")]
    private static partial void LogRetryTrace(ILogger logger, Exception exception);
}

/// <summary>An AWS client as its retries are reported: "<paramref name="Service"/> call failed transiently …" on its own logger.</summary>
public sealed record AwsCaller(string Service, ILogger Logger);
