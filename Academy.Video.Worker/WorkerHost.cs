using Academy.Video.Application.Captions;
using Academy.Video.Application.Common;
using Academy.Video.Application.Jobs;
using Academy.Video.Application.Jobs.ProcessJob;
using Academy.Video.Infrastructure;
using Mediator;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Academy.Video.Worker;

public static class WorkerHost
{
    public const string InvalidJobIdEvent = "INVALID_JOB_ID";

    public const string CaptionCommand = "caption";

    public static HostApplicationBuilder AddVideoWorker(this HostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(console => console.FormatterName = EventJsonConsoleFormatter.FormatterName)
            .AddConsoleFormatter<EventJsonConsoleFormatter, ConsoleFormatterOptions>();
        // Everything a job does goes to stdout (CloudWatch via awslogs); framework chatter stays out.
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        // The core and nothing else: no runner, no webhook delivery, no operator toolkit.
        builder.Services.AddVideoCore(builder.Configuration);
        // The generated mediator registers every core handler, the API's use cases too (webhook delivery, job
        // submission), whose adapters the worker leaves out on purpose; it only ever sends ProcessJobCommand.
        // So no build-time check of every registration, which the Development environment would otherwise add.
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions
        {
            ValidateScopes = builder.Environment.IsDevelopment(),
            ValidateOnBuild = false,
        }));
        // A worker that cannot run an attempt with these settings says so and exits before touching its job.
        builder.Services.AddOptions<WorkerOptions>().ValidateOnStart();
        return builder;
    }

    /// <summary>
    /// Runs the job's attempt under the host's lifetime: SIGTERM (Batch terminate or timeout)
    /// cancels it, the attempt ends CANCELLED (RETRY_WAIT, or DEAD if it was the last one), and the
    /// process exits 1 (docs/contract.md §3). Settings that cannot work end the process with 1 before the job is read.
    /// </summary>
    public static Task<int> RunJobAsync(this IHost host, Guid jobId) => host.RunUnderLifetimeAsync(
        (logger, failures) => logger.LogCritical("{event} job {job_id}: the worker's settings cannot work, so the job was left as it is: {error_message}",
            JobEvents.InvalidSettings, jobId, failures),
        async (mediator, stopping) => (await mediator.Send(new ProcessJobCommand(jobId), stopping)).ExitCode,
        // Before or outside an attempt (database or storage unreachable): nothing was claimed, so
        // nothing is released; the scan counts this submission as never started and resubmits the job.
        (logger, ex) => logger.LogError(ex, "{event} job {job_id}: the worker could not run the job: {error_message}", JobEvents.JobFailed, jobId, ex.Message));

    /// <summary>The option naming one chunk of a chunked job (docs/decisions/0023-chunked-encoding.md).</summary>
    public const string ChunkOption = "--chunk";

    /// <summary>The chunk the arguments name (<c>--chunk k</c>), none, or why the option cannot be read.</summary>
    public static (int? Index, string? Error) ChunkArgument(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var at = Array.IndexOf(args, ChunkOption);
        if (at < 0)
        {
            return (null, null);
        }

        return at + 1 < args.Length && int.TryParse(args[at + 1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)
            ? (index, null)
            : (null, $"{ChunkOption} needs a chunk number (0 or more).");
    }

    /// <summary>The arguments without <c>--chunk k</c>, so the job id is the first again.</summary>
    public static string[] WithoutChunkArgument(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var at = Array.IndexOf(args, ChunkOption);
        return at < 0 ? args : [.. args[..at], .. args[Math.Min(args.Length, at + 2)..]];
    }

    /// <summary>Runs one chunk attempt of a chunked job under the host's lifetime, like <see cref="RunJobAsync"/>.</summary>
    public static Task<int> RunChunkAsync(this IHost host, Guid jobId, int chunk) => host.RunUnderLifetimeAsync(
        (logger, failures) => logger.LogCritical("{event} job {job_id} chunk {chunk}: the worker's settings cannot work, so the chunk was left as it is: {error_message}",
            JobEvents.InvalidSettings, jobId, chunk, failures),
        async (mediator, stopping) => (await mediator.Send(new Academy.Video.Application.Jobs.ProcessChunk.ProcessChunkCommand(jobId, chunk), stopping)).ExitCode,
        (logger, ex) => logger.LogError(ex, "{event} job {job_id} chunk {chunk}: the worker could not run the chunk: {error_message}", JobEvents.JobFailed, jobId, chunk, ex.Message));

    /// <summary>
    /// Runs one attempt of a caption generation; SIGTERM cancels it and the generation is queued again (or FAILED when
    /// it was the last attempt). Like a job, a failure outside an attempt claims nothing and the dispatch resubmits.
    /// </summary>
    public static Task<int> RunCaptionAsync(this IHost host, Guid generationId) => host.RunUnderLifetimeAsync(
        (logger, failures) => logger.LogCritical("{event} caption generation {generation_id}: the worker's settings cannot work, so it was left as it is: {error_message}",
            JobEvents.InvalidSettings, generationId, failures),
        async (mediator, stopping) => await mediator.Send(new GenerateCaptionCommand(generationId), stopping),
        (logger, ex) => logger.LogError(ex, "{event} caption generation {generation_id}: the worker could not run it: {error_message}", "CAPTION_GENERATION_FAILED", generationId, ex.Message));

    /// <summary>One unit of work under the host's lifetime: start (settings that cannot work end it with 1), run, stop.</summary>
    private static async Task<int> RunUnderLifetimeAsync(
        this IHost host, Action<ILogger, string> invalidSettings, Func<IMediator, CancellationToken, Task<int>> run, Action<ILogger, Exception> failed)
    {
        ArgumentNullException.ThrowIfNull(host);
        var stopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Academy.Video.Worker");
        try
        {
            await host.StartAsync(stopping);
        }
        catch (Exception ex) when (InvalidSettings(ex) is { Count: > 0 } failures)
        {
            invalidSettings(logger, string.Join(" ", failures));
            return 1;
        }

        var exitCode = 1;
        try
        {
            await using var scope = host.Services.CreateAsyncScope();
            exitCode = await run(scope.ServiceProvider.GetRequiredService<IMediator>(), stopping);
        }
        catch (Exception ex)
        {
            failed(logger, ex);
        }

        await host.StopAsync(CancellationToken.None);
        return exitCode;
    }

    /// <summary>The validation failures in a start-up error (one options type fails alone, several together).</summary>
    private static List<string> InvalidSettings(Exception error) => error switch
    {
        OptionsValidationException invalid => invalid.Failures.ToList(),
        AggregateException all => all.InnerExceptions.SelectMany(InvalidSettings).ToList(),
        _ => [],
    };

    public static void WriteStartupError(string message) =>
        Console.Out.WriteLine(EventJsonConsoleFormatter.Line(TimeProvider.System, "Error", InvalidJobIdEvent, message));
}
