using Academy.Video.Application.Jobs;
using Academy.Video.Application.Jobs.ProcessJob;
using Academy.Video.Infrastructure;
using Mediator;
using Microsoft.Extensions.Logging.Console;

namespace Academy.Video.Worker;

public static class WorkerHost
{
    public const string InvalidJobIdEvent = "INVALID_JOB_ID";

    public static HostApplicationBuilder AddVideoWorker(this HostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(console => console.FormatterName = EventJsonConsoleFormatter.FormatterName)
            .AddConsoleFormatter<EventJsonConsoleFormatter, ConsoleFormatterOptions>();
        // Everything a job does goes to stdout (CloudWatch via awslogs); framework chatter stays out.
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Services.AddInfrastructure(builder.Configuration);
        return builder;
    }

    /// <summary>
    /// Runs the job's attempt under the host's lifetime: SIGTERM (Batch terminate or timeout)
    /// cancels it, the attempt is released, and the process exits 1 (SPEC §3).
    /// </summary>
    public static async Task<int> RunJobAsync(this IHost host, Guid jobId)
    {
        ArgumentNullException.ThrowIfNull(host);
        var stopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        await host.StartAsync(stopping);
        var exitCode = 1;
        try
        {
            await using var scope = host.Services.CreateAsyncScope();
            exitCode = (await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new ProcessJobCommand(jobId), stopping)).ExitCode;
        }
        catch (Exception ex)
        {
            // Before or outside an attempt (database or storage unreachable, bad settings): nothing was
            // claimed, so nothing is released; the recovery scan resubmits the job once Batch reports it failed.
            host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Academy.Video.Worker")
                .LogError(ex, "{event} job {job_id}: the worker could not run the job: {error_message}", JobEvents.JobFailed, jobId, ex.Message);
        }

        await host.StopAsync(CancellationToken.None);
        return exitCode;
    }

    public static void WriteStartupError(string message) =>
        Console.Out.WriteLine(EventJsonConsoleFormatter.Line(TimeProvider.System, "Error", InvalidJobIdEvent, message));
}
