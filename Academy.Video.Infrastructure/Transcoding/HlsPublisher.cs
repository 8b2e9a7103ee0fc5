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
        ".m4a" => "audio/mp4",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".vtt" => "text/vtt",
        ".json" => "application/json",
        _ => "application/octet-stream",
    };
}

/// <param name="Prefix">The attempt's prefix (<c>videos/&lt;id&gt;/hls/&lt;job&gt;-a&lt;n&gt;/</c>).</param>
/// <param name="Plan">The encode plan's fingerprint, written into the progress record; empty while it is not known (a plan whose
/// profile is pending, decision 0024): no progress record is written until <see cref="HlsPublication.SetPlan"/>.</param>
/// <param name="OutputDirectory">Where the encoder writes the tree: the paths it reports are relative to it.</param>
/// <param name="ScratchDirectory">A local folder, outside the tree, for the progress record's file before it is uploaded.</param>
public sealed record HlsPublicationTarget(string Prefix, int Attempt, string Plan, string OutputDirectory, string ScratchDirectory)
{
    /// <summary>False for a chunk's run (decision 0023): a chunked tree has no progress record, its chunks' rows say what is stored.</summary>
    public bool RecordsProgress { get; init; } = true;
}

/// <summary>
/// What an attempt publishes before it is done, so its video plays while the rest is encoded (decision 0018): growing
/// EVENT playlists of <see cref="Video"/> and <see cref="Audio"/>, and once each has <see cref="HlsPublication.PlayableAfterSegments"/>
/// segments up, a master naming them; <see cref="MarkPlayable"/> is then told its key. The finished tree replaces every one of
/// these objects under the same key.
/// </summary>
/// <param name="Video">The video variants the early master names: every rung, or the copied top alone on the fast path
/// (the encoded rungs join the master when the tree is finished).</param>
/// <param name="TargetDuration">The EVENT playlists' <c>#EXT-X-TARGETDURATION</c>: the one the finished playlists will have, as far as it is known.</param>
/// <param name="CodecOf">The RFC 6381 codec string of a video segment this run wrote (a path under the output directory).</param>
/// <param name="MarkPlayable">Records the early master (its key) as the video's, fenced on the attempt; false when the attempt was superseded.</param>
public sealed record HlsLiveTree(
    IReadOnlyList<Rendition> Video,
    string? Audio,
    double FramesPerSecond,
    double TargetSeconds,
    int TargetDuration,
    Func<string, CancellationToken, Task<string?>> CodecOf,
    Func<string, CancellationToken, Task<bool>> MarkPlayable)
{
    /// <summary>Told of the steps to the first playable master (docs/performance.md): the first segment closed and up, the first EVENT playlists, the master.</summary>
    public Action<string, string>? OnStep { get; init; }

    /// <summary>
    /// Segments of these variants that other runs have uploaded, read every few seconds while live: chunk 0's run names the
    /// later chunks' in its EVENT playlists as soon as they continue its run (decision 0026). Null: this run's own only.
    /// </summary>
    public Func<CancellationToken, Task<IReadOnlyDictionary<string, IReadOnlyList<HlsSegmentRecord>>>>? Elsewhere { get; init; }

    /// <summary>
    /// What a plan publishes while the rest is encoded (decision 0018): on the fast path the copied top rung and the audio,
    /// whose master gains the encoded rungs when the tree is finished; otherwise every rung.
    /// </summary>
    public static HlsLiveTree Of(HlsEncodePlan plan, IMediaProbe probe, Func<string, CancellationToken, Task<bool>> markPlayable)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(probe);
        var request = plan.Request;
        var target = request.SegmentDuration.TotalSeconds;
        var video = plan.TopRung.Copy ? request.Renditions.Take(1).ToList() : request.Renditions.ToList();
        var longest = target;
        if (plan.TopRung.Copy)
        {
            // A copied rung is cut at the source's key frames, known before the encode: its longest segment is known too.
            var bounds = plan.TopRung.CutSeconds.Prepend(0).Append(request.Source.Duration.TotalSeconds).ToList();
            longest = Math.Max(longest, bounds.Zip(bounds.Skip(1), (a, b) => b - a).Max());
        }

        return new HlsLiveTree(
            video,
            plan.AudioVariant,
            request.Source.FramesPerSecond,
            target,
            Math.Max(1, (int)Math.Round(longest, MidpointRounding.AwayFromZero)),
            async (segment, token) => (await probe.ProbeAsync(Path.Combine(request.OutputDirectory, segment), token)).VideoCodecString,
            markPlayable);
    }
}

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
    private readonly CancellationTokenSource _liveStop = new();
    private readonly Channel<bool> _liveChanged = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Dictionary<string, string> _firstClosed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task<string?>> _codecs = new(StringComparer.Ordinal);
    private HlsLiveTree? _tree;
    private Task _liveLoop = Task.CompletedTask;
    private Task _liveTicker = Task.CompletedTask;

    /// <summary>Each live variant's entries in its EVENT playlist as last uploaded: they only ever grow (written by the live loop alone).</summary>
    private readonly Dictionary<string, IReadOnlyList<HlsSegmentRecord>> _livePublished = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, IReadOnlyList<HlsSegmentRecord>> _elsewhere = new Dictionary<string, IReadOnlyList<HlsSegmentRecord>>();
    private long? _elsewhereReadAt;
    private bool _liveSuperseded;
    private readonly TaskCompletionSource<string> _plan = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Action<string, string>? _onStep;
    private int _firstUploaded;
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
        if (target.Plan.Length > 0)
        {
            _plan.SetResult(target.Plan);
        }

        _workers = Enumerable.Range(0, _parallelism).Select(_ => Task.Run(WorkAsync)).ToArray();
        _progressLoop = target.RecordsProgress ? Task.Run(ProgressLoopAsync) : Task.CompletedTask;
    }

    /// <summary>Cancelled when the attempt is cancelled or an upload fails: the encoder stops with it.</summary>
    public CancellationToken Token => _scope.Token;

    /// <summary>The first upload, copy or progress write that failed (a <see cref="StorageOperationException"/>), if any.</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    public string ProgressKey => _target.Prefix + StorageKeys.ProgressName;

    /// <summary>
    /// Segments every variant of the early master has up before it is published: two give a player something to buffer
    /// while the next is encoded.
    /// </summary>
    public const int PlayableAfterSegments = 2;

    /// <summary>Whether the early master is up and the video was marked playable at it.</summary>
    public bool Playable { get; private set; }

    /// <summary>
    /// Publishes the tree as it grows (decision 0018): EVENT playlists of what is up, rewritten as segments land, and a master
    /// once there is enough to play. Stopped, before the finished playlists go up, by <see cref="FinishAsync"/>.
    /// </summary>
    public void GoLive(HlsLiveTree tree)
    {
        ArgumentNullException.ThrowIfNull(tree);
        _onStep = tree.OnStep;
        Volatile.Write(ref _tree, tree);
        _liveLoop = Task.Run(() => LiveLoopAsync(tree));
        if (tree.Elsewhere is not null)
        {
            // Other runs' uploads change nothing here: the loop is woken to read them.
            _liveTicker = Task.Run(async () =>
            {
                try
                {
                    while (true)
                    {
                        await Task.Delay(LiveInterval(tree), _time, _liveStop.Token);
                        _liveChanged.Writer.TryWrite(true);
                    }
                }
                catch (OperationCanceledException) when (_liveStop.IsCancellationRequested)
                {
                }
            });
        }
    }

    /// <summary>Every segment this publication has up so far, per variant in index order.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<HlsSegmentRecord>> UploadedSegments()
    {
        lock (_gate)
        {
            return _segments.ToDictionary(v => v.Key, v => (IReadOnlyList<HlsSegmentRecord>)v.Value.Values.ToList(), StringComparer.Ordinal);
        }
    }

    /// <summary>How many segments have gone up (or been copied in) so far: a record of them is worth rewriting only when it grew.</summary>
    public int Changes => Volatile.Read(ref _changes);

    /// <summary>The plan's fingerprint, once known, for a publication begun without it: the progress record waits for it.</summary>
    public void SetPlan(string fingerprint)
    {
        ArgumentException.ThrowIfNullOrEmpty(fingerprint);
        _plan.TrySetResult(fingerprint);
    }

    public void SegmentClosed(HlsSegmentFile segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        bool first;
        lock (_gate)
        {
            first = _firstClosed.Count == 0;
            if (_firstClosed.TryAdd(segment.Variant, segment.RelativePath) && Volatile.Read(ref _tree) is { } tree && tree.Video.Any(r => r.Name == segment.Variant))
            {
                // The early master names each video variant's codec, read from its first segment: read now, while the next
                // segments are encoded, rather than once they are up.
                _codecs[segment.Variant] = Task.Run(() => tree.CodecOf(segment.RelativePath, _scope.Token));
            }
        }

        if (first)
        {
            _onStep?.Invoke("first_segment_closed", segment.RelativePath);
        }

        Enqueue(async token =>
        {
            await UploadAsync(segment.RelativePath, token);
            if (Interlocked.Exchange(ref _firstUploaded, 1) == 0)
            {
                _onStep?.Invoke("first_segment_uploaded", segment.RelativePath);
            }

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
        var named = output.VariantPlaylists.Append(output.MasterPlaylist).ToHashSet(StringComparer.Ordinal);
        await UploadRestAndStopLiveAsync(output.Files.Where(f => !named.Contains(f)));
        await _progressStop.CancelAsync();
        await _progressLoop;
        ThrowIfStopped();
        await WriteProgressAsync(_scope.Token);

        await UploadAllAsync(output.VariantPlaylists);
        await UploadAsync(output.MasterPlaylist, _scope.Token);
        return _target.Prefix + output.MasterPlaylist;
    }

    /// <summary>
    /// A chunk run's end (decisions 0023 and 0026): waits for every segment, uploads <paramref name="files"/> not up yet, and
    /// stops the live playlists after a last rewrite of what is up here and elsewhere. No playlist of this run is written
    /// after it returns, so the chunk may be recorded DONE and the assembler's VOD playlists land last.
    /// </summary>
    public async Task FinishChunkAsync(IReadOnlyList<string> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        await UploadRestAndStopLiveAsync(files);
        ThrowIfStopped();
        if (Volatile.Read(ref _tree) is { } tree && !_liveSuperseded)
        {
            _elsewhereReadAt = null;
            await PublishLiveAsync(tree);
            _onStep?.Invoke("event_playlists_final", string.Join(',', _livePublished.Select(v => $"{v.Key}:{v.Value.Count}")));
        }
    }

    /// <summary>
    /// Uploads a tree's files written after the encode (a chunk's assembled playlists and downloads, decision 0023), at most
    /// <see cref="WorkerOptions.UploadParallelism"/> at a time; the first failure throws.
    /// </summary>
    public Task UploadFilesAsync(IReadOnlyCollection<string> relativePaths) => UploadAllAsync(relativePaths);

    /// <summary>Waits for every segment, uploads those of <paramref name="files"/> not up yet, then stops the live playlists.</summary>
    private async Task UploadRestAndStopLiveAsync(IEnumerable<string> files)
    {
        _work.Writer.TryComplete();
        await Task.WhenAll(_workers);
        ThrowIfStopped();
        List<string> rest;
        lock (_gate)
        {
            rest = files.Where(f => !_uploaded.Contains(f)).ToList();
        }

        await UploadAllAsync(rest);
        // No EVENT playlist may land after the finished one that replaces it.
        await StopLiveAsync();
    }

    private async Task StopLiveAsync()
    {
        await _liveStop.CancelAsync();
        await _liveLoop;
        await _liveTicker;
    }

    private void ThrowIfStopped()
    {
        if (Failure is { } failure)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        _scope.Token.ThrowIfCancellationRequested();
    }

    public async ValueTask DisposeAsync()
    {
        _work.Writer.TryComplete();
        await _scope.CancelAsync();
        await _progressStop.CancelAsync();
        await _liveStop.CancelAsync();
        await Task.WhenAll(_workers.Append(_progressLoop).Append(_liveLoop).Append(_liveTicker));
        _scope.Dispose();
        _progressStop.Dispose();
        _liveStop.Dispose();
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
        _liveChanged.Writer.TryWrite(true);
    }

    /// <summary>
    /// After changes: each live variant's EVENT playlist rewritten with the run of segments up from the first (a segment still
    /// uploading ends the run), then, once each has <see cref="PlayableAfterSegments"/>, the master, then the video marked playable.
    /// </summary>
    private async Task LiveLoopAsync(HlsLiveTree tree)
    {
        try
        {
            while (await _liveChanged.Reader.WaitToReadAsync(_liveStop.Token))
            {
                _liveChanged.Reader.TryRead(out _);
                if (!await PublishLiveAsync(tree))
                {
                    _liveSuperseded = true;
                    return;
                }

                if (Playable)
                {
                    // Rewrites are spaced once the master is up; before it, the next segment is looked at as soon as it lands.
                    await Task.Delay(LiveInterval(tree), _time, _liveStop.Token);
                }
            }
        }
        catch (OperationCanceledException) when (_liveStop.IsCancellationRequested || _scope.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            await FailAsync(e);
        }
    }

    /// <summary>How often what is up is published while live (decision 0018), and a later chunk's uploads recorded (decision 0026): a third of a segment, 0.5 to 2 s.</summary>
    public static TimeSpan LiveInterval(double segmentSeconds) => TimeSpan.FromSeconds(Math.Clamp(segmentSeconds / 3, 0.5, 2));

    private static TimeSpan LiveInterval(HlsLiveTree tree) => LiveInterval(tree.TargetSeconds);

    private static List<string> LiveVariants(HlsLiveTree tree) => tree.Video.Select(r => r.Name).Concat(tree.Audio is { } audio ? [audio] : []).ToList();

    /// <returns>False when the attempt was superseded: nothing more is published early.</returns>
    private async Task<bool> PublishLiveAsync(HlsLiveTree tree)
    {
        var variants = LiveVariants(tree);
        var elsewhere = await ReadElsewhereAsync(tree);
        Dictionary<string, IReadOnlyList<HlsSegmentRecord>> runs;
        Dictionary<string, string> closed;
        lock (_gate)
        {
            runs = variants.ToDictionary(v => v, v => (IReadOnlyList<HlsSegmentRecord>)Run(v, elsewhere), StringComparer.Ordinal);
            closed = new Dictionary<string, string>(_firstClosed, StringComparer.Ordinal);
        }

        var ready = Playable || (variants.All(v => runs[v].Count >= PlayableAfterSegments) && tree.Video.All(r => closed.ContainsKey(r.Name)));
        if (!ready)
        {
            return true;
        }

        var firstPlaylists = !Playable && _livePublished.Count == 0;
        foreach (var variant in variants.Where(v => runs[v].Count > PublishedCount(v)))
        {
            await UploadLiveAsync($"{variant}/{FfmpegHlsArguments.VariantPlaylistName}",
                HlsMediaPlaylist.RenderEvent(runs[variant].Select(r => new HlsPlaylistEntry(r.DurationSeconds, r.Uri)).ToList(), tree.TargetDuration));
            _livePublished[variant] = runs[variant];
        }

        if (firstPlaylists)
        {
            _onStep?.Invoke("event_playlists_published", string.Join(',', variants.Select(v => $"{v}:{PublishedCount(v)}")));
        }

        return Playable || await PublishMasterAsync(tree, runs, closed);

        int PublishedCount(string variant) => _livePublished.TryGetValue(variant, out var published) ? published.Count : 0;
    }

    /// <summary>
    /// The variant's entries as published, followed by the next segments in index order as long as they follow on: this
    /// run's, or another run's (<see cref="HlsLiveTree.Elsewhere"/>). What was published stays as it was: a player only ever
    /// sees entries appended, even when a later attempt of another chunk names the same segment apart.
    /// </summary>
    private List<HlsSegmentRecord> Run(string variant, IReadOnlyDictionary<string, IReadOnlyList<HlsSegmentRecord>> elsewhere)
    {
        var run = _livePublished.TryGetValue(variant, out var published) ? published.ToList() : [];
        _segments.TryGetValue(variant, out var own);
        var others = new Dictionary<int, HlsSegmentRecord>();
        foreach (var segment in elsewhere.GetValueOrDefault(variant) ?? [])
        {
            others.TryAdd(segment.Index, segment);
        }

        while ((own is not null && own.TryGetValue(run.Count, out var next)) || others.TryGetValue(run.Count, out next))
        {
            run.Add(next);
        }

        return run;
    }

    /// <summary>The other runs' segments, read at most once per live interval; a failed read is a round without them (playing early is a bonus).</summary>
    private async Task<IReadOnlyDictionary<string, IReadOnlyList<HlsSegmentRecord>>> ReadElsewhereAsync(HlsLiveTree tree)
    {
        var now = _time.GetTimestamp();
        if (tree.Elsewhere is not { } read || (_elsewhereReadAt is { } last && _time.GetElapsedTime(last, now) < LiveInterval(tree)))
        {
            return _elsewhere;
        }

        _elsewhereReadAt = now;
        try
        {
            _elsewhere = await read(_scope.Token);
        }
        catch (Exception) when (!_scope.IsCancellationRequested)
        {
        }

        return _elsewhere;
    }

    /// <returns>False when the attempt was superseded: nothing more is published early.</returns>
    private async Task<bool> PublishMasterAsync(HlsLiveTree tree, Dictionary<string, IReadOnlyList<HlsSegmentRecord>> runs, Dictionary<string, string> closed)
    {
        var token = _scope.Token;
        var codecs = await Task.WhenAll(tree.Video.Select(r =>
        {
            lock (_gate)
            {
                return _codecs.TryGetValue(r.Name, out var read) ? read : tree.CodecOf(closed[r.Name], token);
            }
        }));
        var variants = tree.Video
            .Select((r, i) => new MasterVariant(r, $"{r.Name}/{FfmpegHlsArguments.VariantPlaylistName}", codecs[i], Measure(runs[r.Name])))
            .ToList();
        (string, MeasuredRate)? audio = tree.Audio is { } a ? ($"{a}/{FfmpegHlsArguments.VariantPlaylistName}", Measure(runs[a])) : null;
        await UploadLiveAsync(FfmpegHlsArguments.MasterPlaylistName, HlsMasterPlaylist.Render(variants, audio, tree.FramesPerSecond));
        _onStep?.Invoke("master_published", $"{variants.Count} video variants");
        try
        {
            if (!await tree.MarkPlayable(_target.Prefix + FfmpegHlsArguments.MasterPlaylistName, token))
            {
                return false;
            }
        }
        catch (Exception) when (!token.IsCancellationRequested)
        {
            // Playing early is a bonus: a failed write is tried again after the next segment; READY is written all the same.
            return true;
        }

        Playable = true;
        return true;

        MeasuredRate Measure(IReadOnlyList<HlsSegmentRecord> run) =>
            HlsMasterPlaylist.Measure(run.Select(s => (s.DurationSeconds, s.Bytes)).ToList(), tree.TargetSeconds);
    }

    private async Task UploadLiveAsync(string relativePath, string content)
    {
        var file = Path.Combine(_target.ScratchDirectory, "live", relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        HlsMasterPlaylist.Write(file, content);
        var key = _target.Prefix + relativePath;
        await RunAsync("upload", key, _scope.Token, token => _storage.UploadFileAsync(file, key, HlsPublisher.ContentTypeOf(relativePath), token));
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
        var plan = await _plan.Task.WaitAsync(cancellationToken);
        HlsProgress progress;
        lock (_gate)
        {
            progress = new HlsProgress(
                plan,
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
