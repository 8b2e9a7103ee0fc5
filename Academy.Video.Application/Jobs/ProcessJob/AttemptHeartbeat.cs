using Academy.Video.Domain.Jobs;
using Microsoft.Extensions.Logging;

namespace Academy.Video.Application.Jobs.ProcessJob;

/// <summary>
/// Beats every interval with the latest progress, fenced on the attempt. When the store says the
/// attempt was superseded, it cancels the attempt so the worker stops without touching state.
/// </summary>
internal sealed class AttemptHeartbeat(
    Func<int, DateTimeOffset, CancellationToken, Task<HeartbeatResult>> beat,
    TimeProvider time,
    ILogger logger,
    Guid jobId,
    int attempt,
    TimeSpan interval,
    CancellationTokenSource attemptScope) : IProgress<double>
{
    public AttemptHeartbeat(ITranscodeJobStore jobs, TimeProvider time, ILogger logger, Guid jobId, int attempt, TimeSpan interval, CancellationTokenSource attemptScope)
        : this((progress, now, token) => jobs.HeartbeatAsync(jobId, attempt, progress, now, token), time, logger, jobId, attempt, interval, attemptScope)
    {
    }

    private readonly CancellationTokenSource stop = new();
    private int progressPercent;

    public bool Lost { get; private set; }

    public void Report(double value) =>
        Volatile.Write(ref progressPercent, (int)Math.Clamp(Math.Floor(value * 100), 0, 99));

    public async Task RunAsync()
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                await BeatAsync();
                if (Lost)
                {
                    await attemptScope.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    public async Task StopAsync(Task loop)
    {
        if (!stop.IsCancellationRequested)
        {
            await stop.CancelAsync();
        }

        await loop;
    }

    private async Task BeatAsync()
    {
        try
        {
            var result = await beat(Volatile.Read(ref progressPercent), time.GetUtcNow(), stop.Token);
            Lost = result == HeartbeatResult.Lost;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A missed beat is not fatal: the stuck threshold is six intervals long. If the database
            // stays unreachable the scan takes the attempt away and the next beat reports Lost.
            logger.LogWarning(ex, "Heartbeat of job {job_id} attempt {attempt} failed: {reason}", jobId, attempt, ex.Message);
        }
    }
}
