using Academy.Video.Application;
using Academy.Video.Application.Common;
using Academy.Video.Application.Jobs;
using Academy.Video.Application.Storage;
using Academy.Video.Application.Transcoding;
using Academy.Video.Application.Videos;
using Academy.Video.Application.Videos.CompleteUpload;
using Academy.Video.Application.Videos.CreateVideo;
using Academy.Video.Domain.Jobs;
using Academy.Video.Infrastructure.Resilience;
using Academy.Video.Infrastructure.Transcoding;
using Mediator;
using NSubstitute;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Academy.Video.UnitTests.Fakes;

/// <summary>The application core wired to in-memory ports and a fake clock, driven through the mediator as a host would.</summary>
public sealed class ApplicationHarness : IAsyncDisposable
{
    private readonly ServiceProvider provider;

    public ApplicationHarness(JobPolicy? policy = null, TimeSpan? heartbeatInterval = null, Action<IServiceCollection>? configure = null)
    {
        Storage = new InMemoryObjectStorage(Time);
        var services = new ServiceCollection();
        services.AddSingleton(Logs);
        services.AddSingleton(typeof(ILogger<>), typeof(RecordingLogs.Logger<>));
        services.AddApplication();
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton(policy ?? JobPolicy.Default);
        services.Configure<WorkerOptions>(o =>
        {
            o.WorkDirectory = WorkDirectory;
            o.HeartbeatInterval = heartbeatInterval ?? TimeSpan.FromSeconds(30);
            // The progress record is rewritten after every segment here: the clock is fake, a pause would never end.
            o.ProgressInterval = TimeSpan.Zero;
        });
        // Some tests stand for a worker whose heartbeat never comes in time: a setting the worker
        // host refuses at start (WorkerOptionsValidator, tested on its own), allowed here on purpose.
        services.RemoveAll<IValidateOptions<WorkerOptions>>();
        services.AddSingleton(Database);
        services.AddSingleton<IVideoStore>(Database);
        services.AddSingleton<ITranscodeJobStore>(Database);
        services.AddSingleton<IRecoveryScanStore>(Database);
        services.AddSingleton<IStorageCleanupQueue>(Database);
        services.AddSingleton<Academy.Video.Application.Videos.Uploads.IVideoUploadStore>(Database);
        services.AddSingleton<Academy.Video.Application.Webhooks.IVideoEventStore>(Database);
        // Webhook delivery is tested against PostgreSQL and real receivers (integration and API tests).
        services.AddSingleton(Substitute.For<Academy.Video.Application.Webhooks.IWebhookEndpointStore>());
        services.AddSingleton(Substitute.For<Academy.Video.Application.Webhooks.IWebhookDeliveryStore>());
        services.AddSingleton(Substitute.For<Academy.Video.Application.Webhooks.IWebhookSender>());
        services.AddSingleton(Substitute.For<Academy.Video.Application.Webhooks.IWebhookTargetGuard>());
        // Chapter edits are tested against PostgreSQL and real storage (API tests).
        services.AddSingleton(Substitute.For<Academy.Video.Application.Chapters.IChapterStore>());
        // Caption tracks are tested against PostgreSQL and real storage (API tests); here a video has none.
        var captions = Substitute.For<Academy.Video.Application.Captions.ICaptionTrackStore>();
        captions.ListAsync(default, default).ReturnsForAnyArgs(Array.Empty<Academy.Video.Application.Captions.CaptionTrack>());
        services.AddSingleton(captions);
        services.AddSingleton(Substitute.For<Academy.Video.Application.Captions.IPublishedTextObjects>());
        services.AddSingleton(Substitute.For<Academy.Video.Application.Transcripts.ITranscriptStore>());
        // Caption generation runs on PostgreSQL, the real worker and the Whisper.net runtime (API tests); here none exists.
        services.AddSingleton(Substitute.For<Academy.Video.Application.Captions.ICaptionGenerationStore>());
        services.AddSingleton(Substitute.For<Academy.Video.Application.Captions.ICaptionTranscriber>());
        services.AddSingleton(Substitute.For<Academy.Video.Application.Captions.ICaptionRunner>());
        // Chunked encoding runs on PostgreSQL, real FFmpeg and worker processes (integration tests); here no job is chunked.
        services.AddSingleton(Substitute.For<IJobChunkStore>());
        services.AddSingleton(Substitute.For<Academy.Video.Application.Transcoding.IChunkAttempt>());
        services.AddSingleton(Substitute.For<IChunkRunner>());
        services.AddSingleton<IObjectStorage>(Storage);
        services.AddTransient<IJobRunner>(_ => RunnerOverride ?? Runner);
        services.AddSingleton<IMediaProbe>(Transcoder);
        services.AddSingleton<IHlsEncoder>(Transcoder);
        services.AddTranscodeAttempt();
        services.AddRunnerCallBound();
        configure?.Invoke(services);
        provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));

    public InMemoryDatabase Database { get; } = new();

    public InMemoryObjectStorage Storage { get; }

    public RecordingJobRunner Runner { get; } = new();

    /// <summary>When set, replaces <see cref="Runner"/> for the commands that follow (a runner that hangs or throws).</summary>
    public IJobRunner? RunnerOverride { get; set; }

    public RecordingLogs Logs { get; } = new();

    public static TimeSpan RunnerCallTimeout => new RecoveryOptions().RunnerCallTimeout;

    public ScriptedTranscoder Transcoder { get; } = new();

    public string WorkDirectory { get; } = Path.Combine(Path.GetTempPath(), "academy-video-unit", Guid.NewGuid().ToString("N"));

    public async Task<TResponse> Send<TResponse>(ICommand<TResponse> command)
    {
        await using var scope = provider.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(command);
    }

    public async Task<TResponse> Send<TResponse>(ICommand<TResponse> command, CancellationToken cancellationToken)
    {
        await using var scope = provider.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(command, cancellationToken);
    }

    public async Task<TResponse> Query<TResponse>(IQuery<TResponse> query)
    {
        await using var scope = provider.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(query);
    }

    /// <summary>Creates a video, "uploads" its source and completes the upload: the job is QUEUED (and submitted unless the runner fails).</summary>
    public async Task<(Guid VideoId, JobView Job)> UploadVideoAsync(string title = "Lecture 1")
    {
        var created = await Send(new CreateVideoCommand(title, "lecture.mp4", "video/mp4", 1024));
        var key = Database.Video(created.VideoId).SourceKey;
        Storage.Put(key, new byte[1024]);
        var job = await Send(new CompleteUploadCommand(created.VideoId));
        return (created.VideoId, job);
    }

    public async ValueTask DisposeAsync()
    {
        await provider.DisposeAsync();
        if (Directory.Exists(WorkDirectory))
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
    }
}
