using Academy.Video.Application.Storage;
using Academy.Video.Application.Videos;
using Academy.Video.Application.Videos.CompleteUpload;
using Academy.Video.Application.Videos.CreateVideo;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using Academy.Video.Application.Jobs;
using Academy.Video.Infrastructure;
using Academy.Video.IntegrationTests.Persistence;
using Academy.Video.IntegrationTests.Storage;
using Mediator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Academy.Video.IntegrationTests.Deployment;

/// <summary>
/// The worker image, built by <c>build/worker-image.sh</c> (local base, offline SDK), and what a container
/// of it needs as Batch would give it: a database and S3 storage (the test PostgreSQL and s3rver, reached
/// over the host network). Jobs are queued through the product's own use cases.
/// </summary>
public sealed class WorkerImageBed : IAsyncLifetime
{
    public const string Image = "academy-video-worker:local-amd64";

    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(5);

    private readonly PostgresDatabase database = new();
    private ServiceProvider? services;

    /// <summary>Why no Docker engine can run here (the tests skip, saying so), or null.</summary>
    public string? DockerUnavailable { get; private set; }

    public IServiceProvider Services => services ?? throw new InvalidOperationException("Not initialised.");

    /// <summary>The job definition's environment, with this machine's database and S3 server.</summary>
    public IReadOnlyDictionary<string, string> ContainerEnvironment { get; private set; } = new Dictionary<string, string>();

    public async Task InitializeAsync()
    {
        var engine = await DockerCli.ScriptAsync("docker.sh", ["start"], TimeSpan.FromMinutes(10));
        if (engine.ExitCode != 0)
        {
            DockerUnavailable = "dockerd cannot start on this machine: " + engine.StandardError.Trim().Split('\n')[^1];
            return;
        }

        var build = await DockerCli.ScriptAsync("worker-image.sh", [], BuildTimeout);
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException("build/worker-image.sh failed:\n" + build);
        }

        await database.InitializeAsync();
        var storage = S3rver.Options();
        ContainerEnvironment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = database.ConnectionString,
            ["Storage__Provider"] = "S3",
            ["Storage__S3__ServiceUrl"] = storage.ServiceUrl,
            ["Storage__S3__Bucket"] = storage.Bucket,
            ["Storage__S3__AccessKey"] = storage.AccessKey,
            ["Storage__S3__SecretKey"] = storage.SecretKey,
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(
            ContainerEnvironment.Select(variable => KeyValuePair.Create(variable.Key.Replace("__", ":", StringComparison.Ordinal), (string?)variable.Value))
                .Append(KeyValuePair.Create("Runner:Kind", (string?)"Local"))
                .Append(KeyValuePair.Create("Runner:Local:Command", (string?)"/bin/true")))
            .Build();
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
            await database.DisposeAsync();
        }
    }

    /// <summary><c>docker run --rm --network host -e … image &lt;arguments&gt;</c>: what Batch runs, with the job id as the command.</summary>
    public Task<DockerCli.Result> RunWorkerAsync(params string[] arguments) =>
        DockerCli.DockerAsync(
            ["run", "--rm", "--network", "host",
                .. ContainerEnvironment.SelectMany(variable => new[] { "-e", $"{variable.Key}={variable.Value}" }),
                Image, .. arguments],
            RunTimeout);

    /// <summary>Creates a video, uploads the source to S3 through the product's storage, completes the upload.</summary>
    public async Task<(Guid VideoId, Guid JobId)> QueueJobAsync(string sourceFile)
    {
        await using var scope = Services.CreateAsyncScope();
        var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
        var created = await mediator.Send(new CreateVideoCommand("Image test", Path.GetFileName(sourceFile), "video/mp4", new FileInfo(sourceFile).Length));
        var video = await Video(created.VideoId);
        await Services.GetRequiredService<IObjectStorage>().UploadFileAsync(sourceFile, video.SourceKey, "video/mp4", default);
        var job = await mediator.Send(new CompleteUploadCommand(created.VideoId));
        return (created.VideoId, job.JobId);
    }

    public async Task<LectureVideo> Video(Guid id) =>
        await Services.GetRequiredService<IVideoStore>().FindAsync(id, default) ?? throw new InvalidOperationException($"No video {id}");

    public async Task<TranscodeJob> Job(Guid id) =>
        await Services.GetRequiredService<ITranscodeJobStore>().FindAsync(id, default) ?? throw new InvalidOperationException($"No job {id}");
}
