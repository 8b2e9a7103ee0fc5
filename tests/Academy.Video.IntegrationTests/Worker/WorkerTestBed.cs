using Academy.Video.Application.Jobs;
using Academy.Video.Application.Videos;
using Academy.Video.Application.Videos.CompleteUpload;
using Academy.Video.Application.Videos.CreateVideo;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using Academy.Video.Infrastructure;
using Academy.Video.Infrastructure.Persistence;
using Academy.Video.Application.Storage;
using Academy.Video.IntegrationTests.Persistence;
using Mediator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Academy.Video.IntegrationTests.Worker;

/// <summary>
/// A real database and a real local storage folder, shared by this process (to queue jobs and read
/// results through the product's own stores) and by the worker processes it starts.
/// </summary>
public class WorkerTestBed : IAsyncLifetime
{
    private readonly PostgresDatabase database = new();
    private ServiceProvider? services;

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "academy-video-worker-tests", Guid.NewGuid().ToString("N"));

    public string StorageRoot => Path.Combine(Root, "storage");

    public IServiceProvider Services => services ?? throw new InvalidOperationException("Not initialised.");

    public IReadOnlyDictionary<string, string> WorkerEnvironment(TimeSpan? heartbeat = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = database.ConnectionString,
            ["Worker__WorkDirectory"] = Path.Combine(Root, "work"),
            ["Worker__HeartbeatInterval"] = (heartbeat ?? TimeSpan.FromSeconds(1)).ToString("c"),
            ["DOTNET_ENVIRONMENT"] = "Production",
        };
        foreach (var (key, value) in StorageSettings())
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return environment;
    }

    /// <summary>Where the source and the ladders live, as settings the bed and its workers share.</summary>
    protected virtual IReadOnlyDictionary<string, string> StorageSettings() => new Dictionary<string, string>
    {
        ["Storage:Provider"] = "Local",
        ["Storage:Local:RootPath"] = StorageRoot,
    };

    /// <summary>Settings of the bed's own services (the job policy its scans use), beyond storage.</summary>
    protected virtual IReadOnlyDictionary<string, string> ExtraSettings() => new Dictionary<string, string>();

    public async Task InitializeAsync()
    {
        await database.InitializeAsync();
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = database.ConnectionString,
            // Jobs are run by the tests themselves, as Batch would: the runner only records a submission.
            ["Runner:Kind"] = "Local",
            ["Runner:Local:Command"] = "/bin/true",
            ["Runner:Local:LogDirectory"] = Path.Combine(Root, "runner-logs"),
        };
        foreach (var (key, value) in StorageSettings().Concat(ExtraSettings()))
        {
            settings[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        services = new ServiceCollection()
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning))
            .AddVideoCore(configuration)
            .AddJobSubmission(configuration)
            .BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        if (services is not null)
        {
            await services.DisposeAsync();
        }

        await database.DisposeAsync();
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    /// <summary>Creates a video through the use cases, uploads <paramref name="sourceFile"/> as its source, completes the upload.</summary>
    public async Task<(Guid VideoId, Guid JobId)> QueueJobAsync(string sourceFile)
    {
        await using var scope = Services.CreateAsyncScope();
        var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
        var created = await mediator.Send(new CreateVideoCommand("Worker test", Path.GetFileName(sourceFile), "video/mp4", Math.Max(1, new FileInfo(sourceFile).Length)));
        var key = (await Video(created.VideoId)).SourceKey;
        await Storage.UploadFileAsync(sourceFile, key, "video/mp4", default);

        var job = await mediator.Send(new CompleteUploadCommand(created.VideoId));
        return (created.VideoId, job.JobId);
    }

    public async Task<LectureVideo> Video(Guid id) =>
        await Services.GetRequiredService<IVideoStore>().FindAsync(id, default) ?? throw new InvalidOperationException($"No video {id}");

    public async Task<TranscodeJob> Job(Guid id) =>
        await Services.GetRequiredService<ITranscodeJobStore>().FindAsync(id, default) ?? throw new InvalidOperationException($"No job {id}");

    public Task<IReadOnlyList<JobAttempt>> Attempts(Guid jobId) => Services.GetRequiredService<ITranscodeJobStore>().ListAttemptsAsync(jobId, default);

    public async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting until {what}.");
            }

            await Task.Delay(100);
        }
    }

    public DatabaseMigrator Migrator => Services.GetRequiredService<DatabaseMigrator>();

    public IObjectStorage Storage => Services.GetRequiredService<IObjectStorage>();

    public async Task<TResponse> SendAsync<TResponse>(ICommand<TResponse> command)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(command);
    }
}
