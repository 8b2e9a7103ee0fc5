using Academy.Video.Application.Jobs;
using Academy.Video.Application.Videos;
using Academy.Video.Application.Videos.CompleteUpload;
using Academy.Video.Application.Videos.CreateVideo;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using Academy.Video.Infrastructure;
using Academy.Video.Infrastructure.Persistence;
using Academy.Video.Infrastructure.Storage;
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
public sealed class WorkerTestBed : IAsyncLifetime
{
    private readonly PostgresDatabase database = new();
    private ServiceProvider? services;

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "academy-video-worker-tests", Guid.NewGuid().ToString("N"));

    public string StorageRoot => Path.Combine(Root, "storage");

    public IServiceProvider Services => services ?? throw new InvalidOperationException("Not initialised.");

    public IReadOnlyDictionary<string, string> WorkerEnvironment(TimeSpan? heartbeat = null) => new Dictionary<string, string>
    {
        ["ConnectionStrings__Postgres"] = database.ConnectionString,
        ["Storage__Provider"] = "Local",
        ["Storage__Local__RootPath"] = StorageRoot,
        ["Worker__WorkDirectory"] = Path.Combine(Root, "work"),
        ["Worker__HeartbeatInterval"] = (heartbeat ?? TimeSpan.FromSeconds(1)).ToString("c"),
        ["DOTNET_ENVIRONMENT"] = "Production",
    };

    public async Task InitializeAsync()
    {
        await database.InitializeAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = database.ConnectionString,
            ["Storage:Provider"] = "Local",
            ["Storage:Local:RootPath"] = StorageRoot,
            // Jobs are run by the tests themselves, as Batch would: the runner only records a submission.
            ["Runner:Kind"] = "Local",
            ["Runner:Local:Command"] = "/bin/true",
            ["Runner:Local:LogDirectory"] = Path.Combine(Root, "runner-logs"),
        }).Build();
        services = new ServiceCollection()
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning))
            .AddInfrastructure(configuration)
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
        await using (var source = File.OpenRead(sourceFile))
        {
            await scope.ServiceProvider.GetRequiredService<LocalFileObjectStorage>().WriteAsync(key, source, default);
        }

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
}
