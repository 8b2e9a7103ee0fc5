using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Media;

namespace Academy.Video.Infrastructure.Transcoding;

/// <summary>
/// Tells the sink of each segment ffmpeg closes while it runs. ffmpeg (<c>-hls_playlist_type event</c>,
/// <c>temp_file</c>) writes each segment under a temporary name, renames it once complete, and rewrites its playlist —
/// itself through a rename — after each segment: a segment is closed once the playlist lists it and its file is there.
/// The playlists are polled (a file watcher misses renames on some container file systems) and read again only when
/// they changed, so watching a 3-hour encode costs a few reads a minute.
/// </summary>
internal sealed class HlsSegmentWatcher
{
    private readonly string _outputDirectory;
    private readonly IHlsSegmentSink _sink;
    private readonly Dictionary<string, Variant> _variants;

    /// <param name="variants">Each variant's name and the index its first segment in this run has (the resume point for video).</param>
    public HlsSegmentWatcher(string outputDirectory, IEnumerable<(string Name, int FirstIndex)> variants, IHlsSegmentSink sink)
    {
        _outputDirectory = outputDirectory;
        _sink = sink;
        _variants = variants.ToDictionary(v => v.Name, v => new Variant(v.FirstIndex), StringComparer.Ordinal);
    }

    /// <summary>Polls until cancelled.</summary>
    public async Task WatchAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                Scan();
                await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Reports what ffmpeg has closed since the last scan. After ffmpeg has exited, one more scan reports the rest and marks
    /// each variant's last segment.
    /// </summary>
    public void Scan()
    {
        foreach (var (name, variant) in _variants)
        {
            var playlist = new FileInfo(Path.Combine(_outputDirectory, name, FfmpegHlsArguments.VariantPlaylistName));
            if (!playlist.Exists || (playlist.Length == variant.SeenLength && playlist.LastWriteTimeUtc == variant.SeenWrite))
            {
                continue;
            }

            string text;
            try
            {
                text = File.ReadAllText(playlist.FullName);
            }
            catch (IOException)
            {
                continue; // replaced while being opened: the next scan reads the new one
            }

            variant.SeenLength = playlist.Length;
            variant.SeenWrite = playlist.LastWriteTimeUtc;
            var parsed = HlsMediaPlaylist.Parse(text);
            variant.Entries = parsed.Entries;
            for (var i = variant.Reported; i < parsed.Entries.Count; i++)
            {
                var entry = parsed.Entries[i];
                var file = new FileInfo(Path.Combine(_outputDirectory, name, entry.Uri));
                if (!file.Exists)
                {
                    // Listed but not renamed into place yet: the next scan reports it (the playlist changes again after it).
                    variant.SeenLength = -1;
                    break;
                }

                var last = parsed.Ended && i == parsed.Entries.Count - 1;
                _sink.SegmentClosed(new HlsSegmentFile(
                    name,
                    new HlsSegmentRecord(variant.FirstIndex + i, entry.Uri, entry.DurationSeconds, file.Length),
                    $"{name}/{entry.Uri}",
                    last));
                variant.Reported = i + 1;
            }
        }
    }

    /// <summary>The entries of the variant's playlist as last read.</summary>
    public IReadOnlyList<HlsPlaylistEntry> Entries(string variant) => _variants[variant].Entries;

    private sealed class Variant(int firstIndex)
    {
        public int FirstIndex { get; } = firstIndex;

        public int Reported { get; set; }

        public long SeenLength { get; set; } = -1;

        public DateTime SeenWrite { get; set; }

        public IReadOnlyList<HlsPlaylistEntry> Entries { get; set; } = [];
    }
}
