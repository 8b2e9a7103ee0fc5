using System.Threading.Channels;
using Academy.Video.Application.Common;
using Academy.Video.Application.Jobs.ProcessJob;
using Academy.Video.Application.Storage;
using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Media;
using Academy.Video.Domain.Videos;
using Microsoft.Extensions.Options;

namespace Academy.Video.Infrastructure.Transcoding;

/// <summary>Starts the publication of one attempt's HLS tree under its prefix.</summary>
public sealed class HlsPublisher(IObjectStorage storage, IOptions<WorkerOptions> options, TimeProvider time)
{
    public HlsPublication Begin(HlsPublicationTarget target, CancellationToken attemptToken) =>
        new(storage, options.Value, time, target, attemptToken);

    public static string ContentTypeOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".m3u8" => "application/vnd.apple.mpegurl",
        ".ts" => "video/mp2t",
        ".m4s" => "video/iso.segment",
        ".mp4" => "video/mp4",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".vtt" => "text/vtt",
        ".json" => "application/json",
        _ => "application/octet-stream",
    };
}

/// <param name="Prefix">The attempt's prefix (<c>videos/&lt;id&gt;/hls/&lt;job&gt;-a&lt;n&gt;/</c>).</param>
/// <param name="Plan">The encode plan's fingerprint, written into the progress record.</param>
/// <param name="OutputDirectory">Where the encoder writes the tree: the paths it reports are relative to it.</param>
/// <param name="ScratchDirectory">A local folder, outside the tree, for the progress record's file before it is uploaded.</param>
public sealed record HlsPublicationTarget(string Prefix, int Attempt, string Plan, string OutputDirectory, string ScratchDirectory);

/// <summary>
/// One attempt's publication: segments go up as the encoder closes them, reused segments of an
/// earlier attempt are copied in, at most <see cref="WorkerOptions.UploadParallelism"/> at a time; the progress record
/// (decision 0011) is rewritten as they land; once the encoder is done, the rest (poster, storyboard), then the variant
/// playlists, then the master last, so a reader never finds a playlist whose parts are missing. The first failed upload
/// fails the publication and cancels <see cref="Token"/>, which the encoder runs under.
/// </summary>
public sealed class HlsPublication : IHlsSegmentSink, IAsyncDisposable
{
    private readonly IObjectStorage _storage;
    private readonly TimeProvider _time;
    private readonly HlsPublicationTarget _target;
    private readonly int _parallelism;
    private readonly TimeSpan _progressInterval;
    private readonly CancellationTokenSource _scope;
    private readonly CancellationTokenSource _progressStop = new();
    private readonly Channel<Func<CancellationToken, Task>> _work = Channel.CreateUnbounded<Func<CancellationToken, Task>>();
    private readonly Channel<bool> _progressChanged = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SortedDictionary<int, HlsSegmentRecord>> _segments = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _segmentCounts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _uploaded = new(StringComparer.Ordinal);
    private readonly Task[] _workers;
    private readonly Task _progressLoop;
    private int _changes;
    private Exception? _failure;

    internal HlsPublication(IObjectStorage storage, WorkerOptions options, TimeProvider time, HlsPublicationTarget target, CancellationToken attemptToken)
    {
        _storage = storage;
        _time = time;
        _target = target;
        _parallelism = Math.Max(1, options.UploadParallelism);
        _progressInterval = options.ProgressInterval;
        _scope = CancellationTokenSource.CreateLinkedTokenSource(attemptToken);
        _workers = Enumerable.Range(0, _parallelism).Select(_ => Task.Run(WorkAsync)).ToArray();
        _progressLoop = Task.Run(ProgressLoopAsync);
    }

    /// <summary>Cancelled when the attempt is cancelled or an upload fails: the encoder stops with it.</summary>
    public CancellationToken Token => _scope.Token;

    /// <summary>The first upload, copy or progress write that failed (a <see cref="StorageOperationException"/>), if any.</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    public string ProgressKey => _target.Prefix + StorageKeys.ProgressName;

    public void SegmentClosed(HlsSegmentFile segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        Enqueue(async token =>
        {
            await UploadAsync(segment.RelativePath, token);
            Record(segment.Variant, segment.Segment, segment.Last);
        });
    }

    /// <summary>Copies the resume point's segments of <paramref name="fromPrefix"/> (an earlier attempt's) under this attempt's prefix.</summary>
    public void Reuse(HlsResumePoint resume, string fromPrefix)
    {
        ArgumentNullException.ThrowIfNull(resume);
        foreach (var (variant, segments) in resume.Segments)
        {
            foreach (var segment in segments)
            {
                var path = $"{variant}/{segment.Uri}";
                Enqueue(async token =>
                {
                    await RunAsync("copy", _target.Prefix + path, token, t => _storage.CopyAsync(fromPrefix + path, _target.Prefix + path, t));
                    Record(variant, segment, last: false);
                });
            }
        }
    }

    /// <summary>
    /// Waits for every segment, uploads what the encoder wrote besides (poster, storyboard), records the complete progress,
    /// then the variant playlists and the master. Returns the master's key.
    /// </summary>
    public async Task<string> FinishAsync(HlsOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _work.Writer.TryComplete();
        await Task.WhenAll(_workers);
        ThrowIfStopped();

        var named = output.VariantPlaylists.Append(output.MasterPlaylist).ToHashSet(StringComparer.Ordinal);
        List<string> rest;
        lock (_gate)
        {
            rest = output.Files.Where(f => !named.Contains(f) && !_uploaded.Contains(f)).ToList();
        }

        await UploadAllAsync(rest);
        await _progressStop.CancelAsync();
        await _progressLoop;
        ThrowIfStopped();
        await WriteProgressAsync(_scope.Token);

        await UploadAllAsync(output.VariantPlaylists);
        await UploadAsync(output.MasterPlaylist, _scope.Token);
        return _target.Prefix + output.MasterPlaylist;

        void ThrowIfStopped()
        {
            if (Failure is { } failure)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            }

            _scope.Token.ThrowIfCancellationRequested();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _work.Writer.TryComplete();
        await _scope.CancelAsync();
        await _progressStop.CancelAsync();
        await Task.WhenAll(_workers.Append(_progressLoop));
        _scope.Dispose();
        _progressStop.Dispose();
    }

    private void Enqueue(Func<CancellationToken, Task> work)
    {
        // After a failure nothing more goes up; the encoder is being stopped.
        _work.Writer.TryWrite(work);
    }

    private async Task WorkAsync()
    {
        try
        {
            while (await _work.Reader.WaitToReadAsync(_scope.Token))
            {
                while (_work.Reader.TryRead(out var work))
                {
                    await work(_scope.Token);
                }
            }
        }
        catch (OperationCanceledException) when (_scope.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            await FailAsync(e);
        }
    }

    private async Task UploadAllAsync(IReadOnlyCollection<string> paths) =>
        await Parallel.ForEachAsync(
            paths,
            new ParallelOptions { MaxDegreeOfParallelism = _parallelism, CancellationToken = _scope.Token },
            async (path, token) => await UploadAsync(path, token));

    private async Task UploadAsync(string relativePath, CancellationToken cancellationToken)
    {
        var key = _target.Prefix + relativePath;
        await RunAsync("upload", key, cancellationToken, token =>
            _storage.UploadFileAsync(Path.Combine(_target.OutputDirectory, relativePath), key, HlsPublisher.ContentTypeOf(relativePath), token));
        lock (_gate)
        {
            _uploaded.Add(relativePath);
        }
    }

    private static async Task RunAsync(string operation, string key, CancellationToken cancellationToken, Func<CancellationToken, Task> call)
    {
        try
        {
            await call(cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not StorageOperationException)
        {
            throw new StorageOperationException(operation, key, ex);
        }
    }

    private void Record(string variant, HlsSegmentRecord segment, bool last)
    {
        lock (_gate)
        {
            if (!_segments.TryGetValue(variant, out var segments))
            {
                _segments[variant] = segments = [];
            }

            segments[segment.Index] = segment;
            if (last)
            {
                _segmentCounts[variant] = segment.Index + 1;
            }

            _changes++;
        }

        _progressChanged.Writer.TryWrite(true);
    }

    /// <summary>Rewrites the progress record after changes, at most once per <see cref="WorkerOptions.ProgressInterval"/>.</summary>
    private async Task ProgressLoopAsync()
    {
        var written = 0;
        try
        {
            while (await _progressChanged.Reader.WaitToReadAsync(_progressStop.Token))
            {
                _progressChanged.Reader.TryRead(out _);
                var changes = Volatile.Read(ref _changes);
                if (changes == written)
                {
                    continue;
                }

                await WriteProgressAsync(_scope.Token);
                written = changes;
                if (_progressInterval > TimeSpan.Zero)
                {
                    await Task.Delay(_progressInterval, _time, _progressStop.Token);
                }
            }
        }
        catch (OperationCanceledException) when (_progressStop.IsCancellationRequested || _scope.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            await FailAsync(e);
        }
    }

    private async Task WriteProgressAsync(CancellationToken cancellationToken)
    {
        HlsProgress progress;
        lock (_gate)
        {
            progress = new HlsProgress(
                _target.Plan,
                _target.Attempt,
                _segments.ToDictionary(
                    v => v.Key,
                    v => new VariantProgress(v.Value.Values.ToList(), _segmentCounts.TryGetValue(v.Key, out var count) ? count : null),
                    StringComparer.Ordinal));
        }

        Directory.CreateDirectory(_target.ScratchDirectory);
        var file = Path.Combine(_target.ScratchDirectory, StorageKeys.ProgressName);
        await File.WriteAllTextAsync(file, HlsProgressJson.Write(progress), cancellationToken);
        await RunAsync("upload", ProgressKey, cancellationToken, token => _storage.UploadFileAsync(file, ProgressKey, HlsPublisher.ContentTypeOf(file), token));
    }

    private async Task FailAsync(Exception failure)
    {
        if (Interlocked.CompareExchange(ref _failure, failure, null) is null)
        {
            await _scope.CancelAsync();
        }
    }
}
