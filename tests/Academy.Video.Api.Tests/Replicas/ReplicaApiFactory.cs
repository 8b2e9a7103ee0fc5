using System.Collections.Concurrent;
using Academy.Video.Api.Tests.Webhooks;
using Academy.Video.Application.Common;
using Academy.Video.Application.Jobs;
using Academy.Video.Application.Storage;
using Academy.Video.Infrastructure.Runners.Local;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Academy.Video.Api.Tests.Replicas;

/// <summary>
/// Two API hosts behind Kestrel, each with every background duty running on short intervals, on one
/// database, one storage folder and one webhook receiver; what both ask of the runner and storage is counted.
/// </summary>
public class TwoReplicas : IAsyncLifetime
{
    public TwoReplicas()
    {
        A = new ReplicaApiFactory("A", Calls, ShareRunLock);
        B = new ReplicaApiFactory("B", Calls, ShareRunLock);
        B.ShareStateWith(A);
        B.ShareReceiverOf(A);
    }

    public ReplicaCalls Calls { get; } = new();

    public ReplicaApiFactory A { get; }

    public ReplicaApiFactory B { get; }

    /// <summary>False: each replica's run lock always grants, so both run every duty at the same time.</summary>
    protected virtual bool ShareRunLock => true;

    public async Task InitializeAsync()
    {
        await A.InitializeAsync();
        await B.InitializeAsync();
        // Starts both hosts, and with them both sets of background duties.
        A.CreateClient().Dispose();
        B.CreateClient().Dispose();
    }

    public async Task DisposeAsync()
    {
        await B.DisposeAsync();
        await A.DisposeAsync();
    }
}

/// <summary>Both replicas run every duty at once, as when each believed itself alone (a run lock's connection lost).</summary>
public sealed class TwoReplicasWithoutRunLock : TwoReplicas
{
    protected override bool ShareRunLock => false;
}

/// <summary>Runner submissions per job and storage prefix deletions per prefix, across both replicas.</summary>
public sealed class ReplicaCalls
{
    public ConcurrentDictionary<Guid, int> Submissions { get; } = new();

    public ConcurrentDictionary<string, int> PrefixDeletions { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<string> Log { get; } = new();

    public int SubmissionsOf(Guid jobId) => Submissions.GetValueOrDefault(jobId);

    public int DeletionsOf(string prefix) => PrefixDeletions.GetValueOrDefault(prefix);
}

public sealed class ReplicaApiFactory : WebhookApiFactory
{
    /// <summary>A submission takes this long, as a Batch SubmitJob call may: the window in which a second scanner could submit again.</summary>
    public static readonly TimeSpan SubmitLatency = TimeSpan.FromSeconds(1);

    private readonly string name;
    private readonly ReplicaCalls calls;
    private readonly bool shareRunLock;
    private readonly int port;
    private ReplicaApiFactory? receiverOwner;

    public ReplicaApiFactory(string name, ReplicaCalls calls, bool shareRunLock)
    {
        this.name = name;
        this.calls = calls;
        this.shareRunLock = shareRunLock;
        // Local storage: upload and media URLs name the first replica's port; both replicas share its folder.
        port = ProductionApiFactory.FreePort();
        UseKestrel(port);
    }

    public override Uri SettingsEndpoint => (receiverOwner?.Receiver ?? Receiver).Url("/settings-hook");

    public void ShareReceiverOf(ReplicaApiFactory replica) => receiverOwner = replica;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        var settings = new Dictionary<string, string?>
        {
            // One public URL for both, as behind a load balancer: the first replica's port.
            ["Storage:Local:PublicBaseUrl"] = $"http://127.0.0.1:{receiverOwner?.port ?? port}",
            ["Recovery:Interval"] = "00:00:00.5",
            ["Recovery:CleanupInterval"] = "00:00:00.5",
            ["Upload:Expiry"] = "00:00:03",
            ["Upload:ExpiryScanInterval"] = "00:00:00.5",
            ["Webhooks:PollInterval"] = "00:00:00.2",
            ["Webhooks:PruneInterval"] = "00:00:00.5",
            ["Webhooks:Retention"] = "01:00:00",
        };
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<IJobRunner>(sp => new CountingRunner(name, sp.GetRequiredService<LocalProcessJobRunner>(), calls));
            var storage = services.Last(d => d.ServiceType == typeof(IObjectStorage));
            services.AddSingleton<IObjectStorage>(sp => new CountingStorage(name, (IObjectStorage)storage.ImplementationFactory!(sp), calls));
            if (!shareRunLock)
            {
                services.AddSingleton<IExclusiveRunLock, AlwaysGrantedRunLock>();
            }
        });
    }

    private sealed class CountingRunner(string replica, IJobRunner inner, ReplicaCalls calls) : IJobRunner
    {
        public async Task<string> SubmitAsync(Guid jobId, string jobName, CancellationToken cancellationToken)
        {
            calls.Submissions.AddOrUpdate(jobId, 1, (_, n) => n + 1);
            calls.Log.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {replica} submit {jobId}");
            await Task.Delay(SubmitLatency, cancellationToken);
            return await inner.SubmitAsync(jobId, jobName, cancellationToken);
        }

        public Task TerminateAsync(string runnerJobId, string reason, CancellationToken cancellationToken) =>
            inner.TerminateAsync(runnerJobId, reason, cancellationToken);

        public Task<IReadOnlyList<RunnerJobStatus>> DescribeAsync(IReadOnlyCollection<string> runnerJobIds, CancellationToken cancellationToken) =>
            inner.DescribeAsync(runnerJobIds, cancellationToken);
    }

    private sealed class CountingStorage(string replica, IObjectStorage inner, ReplicaCalls calls) : IObjectStorage
    {
        public async Task<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
        {
            calls.PrefixDeletions.AddOrUpdate(prefix, 1, (_, n) => n + 1);
            calls.Log.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {replica} delete {prefix}");
            // Long enough for the other replica's cleanup loop to come round while this one works.
            await Task.Delay(TimeSpan.FromMilliseconds(600), cancellationToken);
            return await inner.DeletePrefixAsync(prefix, cancellationToken);
        }

        public Task<UploadTarget> CreateUploadTargetAsync(string key, string contentType, long sizeBytes, TimeSpan validFor, CancellationToken cancellationToken) =>
            inner.CreateUploadTargetAsync(key, contentType, sizeBytes, validFor, cancellationToken);

        public Task<StoredObject?> HeadAsync(string key, CancellationToken cancellationToken) => inner.HeadAsync(key, cancellationToken);

        public Task DownloadToFileAsync(string key, string filePath, CancellationToken cancellationToken) => inner.DownloadToFileAsync(key, filePath, cancellationToken);

        public Task UploadFileAsync(string filePath, string key, string contentType, CancellationToken cancellationToken) =>
            inner.UploadFileAsync(filePath, key, contentType, cancellationToken);

        public Task CopyAsync(string sourceKey, string destinationKey, CancellationToken cancellationToken) => inner.CopyAsync(sourceKey, destinationKey, cancellationToken);

        public IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

        public Uri GetPlaybackUrl(string key) => inner.GetPlaybackUrl(key);

        public Task<Uri> CreateDownloadUrlAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
            inner.CreateDownloadUrlAsync(key, expiresAt, cancellationToken);

        public Task<Uri> CreateAttachmentUrlAsync(string key, string fileName, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
            inner.CreateAttachmentUrlAsync(key, fileName, expiresAt, cancellationToken);

        public Task<string> ReadTextAsync(string key, int maxBytes, CancellationToken cancellationToken) => inner.ReadTextAsync(key, maxBytes, cancellationToken);

        public Task<byte[]> ReadStartAsync(string key, int maxBytes, CancellationToken cancellationToken) => inner.ReadStartAsync(key, maxBytes, cancellationToken);

        public Task<string> StartMultipartUploadAsync(string key, string contentType, CancellationToken cancellationToken) =>
            inner.StartMultipartUploadAsync(key, contentType, cancellationToken);

        public Task<UploadTarget> CreatePartUploadTargetAsync(string key, string uploadId, int partNumber, long sizeBytes, TimeSpan validFor, CancellationToken cancellationToken) =>
            inner.CreatePartUploadTargetAsync(key, uploadId, partNumber, sizeBytes, validFor, cancellationToken);

        public Task<IReadOnlyList<UploadedPart>> ListPartsAsync(string key, string uploadId, CancellationToken cancellationToken) =>
            inner.ListPartsAsync(key, uploadId, cancellationToken);

        public Task CompleteMultipartUploadAsync(string key, string uploadId, IReadOnlyList<CompletedPart> parts, CancellationToken cancellationToken) =>
            inner.CompleteMultipartUploadAsync(key, uploadId, parts, cancellationToken);
    }

    private sealed class AlwaysGrantedRunLock : IExclusiveRunLock
    {
        public Task<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken cancellationToken) =>
            Task.FromResult<IAsyncDisposable?>(new Nothing());

        private sealed class Nothing : IAsyncDisposable
        {
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
