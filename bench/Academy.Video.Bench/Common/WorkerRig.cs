using System.Text.Json;
using Academy.Video.Application.Jobs;
using Academy.Video.Application.Videos;
using Academy.Video.Application.Videos.CompleteUpload;
using Academy.Video.Application.Videos.CreateVideo;
using Academy.Video.Domain.Jobs;
using Academy.Video.Infrastructure;
using Academy.Video.Infrastructure.Persistence;
using Academy.Video.Application.Storage;
using Mediator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Academy.Video.Bench.Common;

/// <summary>One worker log line the benchmarks read: its event (empty when it has none), when it was written and its fields.</summary>
public sealed record WorkerLogLine(string Event, DateTimeOffset Timestamp, JsonElement Fields);

/// <summary>
/// What the worker binary needs to run one job as Batch runs it, on this machine: a fresh database on the local
/// PostgreSQL, local storage, and the source uploaded and queued through the application's own commands.
/// </summary>
public sealed class WorkerRig : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly string _connectionString;
    private readonly string _root;
    private readonly IReadOnlyDictionary<string, string> _storage;

    private WorkerRig(ServiceProvider services, string connectionString, string root, IReadOnlyDictionary<string, string> storage)
    {
        _services = services;
        _connectionString = connectionString;
        _root = root;
        _storage = storage;
    }

    public IServiceProvider Services => _services;

    /// <param name="storage">Storage settings (<c>Storage:*</c>) for the rig and its workers; null: a local folder under <paramref name="root"/>.</param>
    public static async Task<WorkerRig> CreateAsync(string databaseName, string root, IReadOnlyDictionary<string, string>? storage = null)
    {
        var connectionString = await RecreateDatabaseAsync(databaseName);
        storage ??= new Dictionary<string, string>
        {
            ["Storage:Provider"] = "Local",
            ["Storage:Local:RootPath"] = Path.Combine(root, "storage"),
        };
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = connectionString,
            ["Runner:Local:Command"] = "/bin/true",
        };
        foreach (var (key, value) in storage)
        {
            settings[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging().AddVideoCore(configuration).AddJobSubmission(configuration).BuildServiceProvider();
        await services.GetRequiredService<DatabaseMigrator>().MigrateAsync();
        return new WorkerRig(services, connectionString, root, storage);
    }

    /// <summary>The shared s3rver of <c>build/s3rver.sh</c> (port <c>ACADEMY_S3_PORT</c>, 54569): an S3 endpoint over HTTP.</summary>
    public static IReadOnlyDictionary<string, string> S3rverStorage() => new Dictionary<string, string>
    {
        ["Storage:Provider"] = "S3",
        ["Storage:S3:ServiceUrl"] = $"http://127.0.0.1:{Environment.GetEnvironmentVariable("ACADEMY_S3_PORT") ?? "54569"}",
        ["Storage:S3:Bucket"] = Environment.GetEnvironmentVariable("ACADEMY_S3_BUCKET") ?? "academy-video",
        ["Storage:S3:AccessKey"] = "S3RVER",
        ["Storage:S3:SecretKey"] = "S3RVER",
    };

    public IObjectStorage Storage => _services.GetRequiredService<IObjectStorage>();

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();

    /// <summary>Creates a video, puts the source in storage and completes the upload: one QUEUED job.</summary>
    public async Task<Guid> QueueAsync(string source)
    {
        await using var scope = _services.CreateAsyncScope();
        var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
        var created = await mediator.Send(new CreateVideoCommand("Benchmark lecture", "source.mp4", "video/mp4", new FileInfo(source).Length));
        var video = await scope.ServiceProvider.GetRequiredService<IVideoStore>().FindAsync(created.VideoId, default);
        await Storage.UploadFileAsync(source, video!.SourceKey, "video/mp4", default);

        return (await mediator.Send(new CompleteUploadCommand(created.VideoId))).JobId;
    }

    /// <summary>
    /// The worker binary with this rig's settings, exactly as the Batch job definition starts it, with the environment the
    /// worker image sets (<c>MALLOC_ARENA_MAX=2</c>, Academy.Video.Worker/Dockerfile; <c>ACADEMY_BENCH_MALLOC_ARENA_MAX</c>
    /// gives another value, <c>unset</c> none).
    /// </summary>
    /// <remarks>
    /// The worker is <c>ACADEMY_BENCH_WORKER_DLL</c> when set (another build, e.g. an older commit's), else <see cref="Worker"/>
    /// (the published worker when a benchmark has published it, else this checkout's build). A path ending in <c>.dll</c> runs
    /// through <c>dotnet</c>, any other is executed (a self-contained publish, as in the image).
    /// </remarks>
    /// <param name="workerDll">Another build of the worker to run (an older commit's); null: this one.</param>
    public Task<Measurement> RunWorkerAsync(Guid jobId, Action<string, TimeSpan, TimeSpan>? onOutputLine = null, CancellationToken kill = default, string? workerDll = null)
    {
        var worker = workerDll ?? (Environment.GetEnvironmentVariable("ACADEMY_BENCH_WORKER_DLL") is { Length: > 0 } other ? other : Worker);
        var environment = new Dictionary<string, string>(_storage.Select(s => KeyValuePair.Create(s.Key.Replace(":", "__", StringComparison.Ordinal), s.Value)))
        {
            ["ConnectionStrings__Postgres"] = _connectionString,
            ["Worker__WorkDirectory"] = Path.Combine(_root, "work"),
        };
        var arenas = Environment.GetEnvironmentVariable("ACADEMY_BENCH_MALLOC_ARENA_MAX") is { Length: > 0 } a ? a : "2";
        if (arenas != "unset")
        {
            environment["MALLOC_ARENA_MAX"] = arenas;
        }

        return worker.EndsWith(".dll", StringComparison.Ordinal)
            ? ProcessMeasure.RunAsync("dotnet", [worker, jobId.ToString()], environment, onOutputLine, kill)
            : ProcessMeasure.RunAsync(worker, [jobId.ToString()], environment, onOutputLine, kill);
    }

    /// <summary>The worker the rigs run by default: this checkout's build, or what <see cref="PublishWorkerAsync"/> published.</summary>
    public static string Worker { get; private set; } = Academy.Video.Testing.RepositoryLayout.WorkerDll;

    /// <summary>
    /// Publishes this checkout's worker as its image does (Academy.Video.Worker/Dockerfile: Release, self-contained for this
    /// machine's runtime, no symbols) under <paramref name="directory"/>, and makes it the rigs' default worker: start-up is
    /// then the image's (ReadyToRun code where the project asks for it), not that of the build output run through <c>dotnet</c>.
    /// </summary>
    public static async Task PublishWorkerAsync(string directory)
    {
        var project = Path.Combine(Academy.Video.Testing.RepositoryLayout.Root, "Academy.Video.Worker", "Academy.Video.Worker.csproj");
        var rid = System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;
        await ProcessMeasure.RunCheckedAsync("dotnet", ["publish", project, "-c", "Release", "-r", rid, "--self-contained", "-p:DebugType=none", "-o", directory, "-nologo", "-v", "quiet"]);
        Worker = Path.Combine(directory, "Academy.Video.Worker");
    }

    /// <summary>Removes everything the job's video has in storage (the benchmarks share s3rver with the tests).</summary>
    public async Task DeleteStoredAsync(Guid jobId) =>
        await Storage.DeletePrefixAsync(Academy.Video.Domain.Videos.StorageKeys.VideoPrefix((await JobAsync(jobId)).VideoId), default);

    public async Task<TranscodeJob> JobAsync(Guid jobId) =>
        await _services.GetRequiredService<ITranscodeJobStore>().FindAsync(jobId, default)
        ?? throw new InvalidOperationException($"job {jobId} is gone");

    /// <summary>What the recovery scan does to a RUNNING job whose worker died: RETRY_WAIT, attempt kept.</summary>
    public async Task MarkStuckAsync(Guid jobId)
    {
        var job = await JobAsync(jobId);
        var transition = job.MarkStuck(TimeProvider.System.GetUtcNow(), _services.GetRequiredService<JobPolicy>());
        if (await _services.GetRequiredService<ITranscodeJobStore>().TryTransitionAsync(transition, default) is null)
        {
            throw new InvalidOperationException($"job {jobId} could not be marked stuck from {job.State}");
        }
    }

    public static IReadOnlyList<WorkerLogLine> LogLines(string output)
    {
        var lines = new List<WorkerLogLine>();
        foreach (var line in output.Split('\n').Where(l => l.StartsWith('{')))
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            if (root.TryGetProperty("timestamp", out var at))
            {
                var name = root.TryGetProperty("event", out var e) ? e.GetString()! : string.Empty;
                lines.Add(new WorkerLogLine(name, at.GetDateTimeOffset(), root.Clone()));
            }
        }

        return lines;
    }

    /// <summary>An empty database of that name on the local PostgreSQL (<c>ACADEMY_BENCH_PG</c>); its connection string.</summary>
    public static async Task<string> RecreateDatabaseAsync(string databaseName)
    {
        var server = BenchCluster.Server;
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {databaseName} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {databaseName}", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(server) { Database = databaseName }.ConnectionString;
    }
}
