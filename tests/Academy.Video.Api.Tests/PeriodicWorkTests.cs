using Academy.Video.Api.Background;
using Academy.Video.Application.Common;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using NSubstitute;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Academy.Video.Api.Tests;

/// <summary>A background loop ends only when the host stops; every other failure waits for the next tick.</summary>
public sealed class PeriodicWorkTests
{
    [Fact]
    public async Task Timeouts_cancellations_and_an_open_circuit_are_retried_on_the_next_tick_and_only_the_host_s_stop_ends_the_loop()
    {
        Exception[] failures =
        [
            new TaskCanceledException("HttpClient.Timeout of 30 s elapsed", new TimeoutException()),
            new OperationCanceledException("a linked token of the runner call was cancelled"),
            new TimeoutRejectedException("The operation didn't complete within the allowed timeout of '00:00:50'."),
            new BrokenCircuitException("The circuit is now open and is not allowing calls."),
            new InvalidOperationException("the database went away"),
        ];
        var work = new FlakyWork(Services(), failures);

        await work.StartAsync(CancellationToken.None);
        await work.AllFailed.Task.WaitAsync(TimeSpan.FromMinutes(1));
        await work.RanAfterFailures.Task.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.False(work.ExecuteTask!.IsCompleted);
        await work.StopAsync(CancellationToken.None);
        Assert.True(work.ExecuteTask.IsCompletedSuccessfully || work.ExecuteTask.IsCanceled);
    }

    private static IServiceScopeFactory Services()
    {
        var runLock = Substitute.For<IExclusiveRunLock>();
        runLock.TryAcquireAsync(Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(Substitute.For<IAsyncDisposable>());
        return new ServiceCollection()
            .AddSingleton(runLock)
            .AddSingleton(Substitute.For<IMediator>())
            .BuildServiceProvider()
            .GetRequiredService<IServiceScopeFactory>();
    }

    /// <summary>Fails once with each given exception, then runs cleanly.</summary>
    private sealed class FlakyWork(IServiceScopeFactory scopes, Exception[] failures)
        : PeriodicWork(scopes, TimeProvider.System, NullLogger.Instance)
    {
        private int runs;

        public TaskCompletionSource AllFailed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource RanAfterFailures { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override string LockName => "test:flaky";

        protected override TimeSpan Interval => TimeSpan.FromMilliseconds(20);

        protected override Task RunOnceAsync(IMediator mediator, CancellationToken cancellationToken)
        {
            var run = runs++;
            if (run < failures.Length)
            {
                if (run == failures.Length - 1)
                {
                    AllFailed.TrySetResult();
                }

                throw failures[run];
            }

            RanAfterFailures.TrySetResult();
            return Task.CompletedTask;
        }
    }
}
