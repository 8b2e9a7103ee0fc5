using System.Globalization;
using System.Text;
using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Media;

namespace Academy.Video.Infrastructure.Transcoding;

/// <summary>
/// The ffmpeg argument list for one HLS ladder, in one process: the source is decoded once (autorotated, so a phone
/// video comes out upright), split into one scaled stream per encoded rendition, each encoded at constant quality
/// under its bitrate cap, and the audio encoded once into an audio rendition that every variant refers to. Writes
/// <c>&lt;out&gt;/&lt;rendition&gt;/index.m3u8</c> and <c>&lt;out&gt;/audio/index.m3u8</c>; the master playlist is
/// written afterwards by <see cref="HlsMasterPlaylist"/> from the measured segments.
/// <para>
/// With <c>copyKeyframeSeconds</c> the top rendition is the source's video stream copied (the fast path): it is
/// cut at the source's key frames, and the encoded renditions get key frames at exactly those cuts so every
/// variant's segments line up.
/// </para>
/// </summary>
public static class FfmpegHlsArguments
{
    public const string MasterPlaylistName = "master.m3u8";
    public const string VariantPlaylistName = "index.m3u8";
    public const string SegmentPattern = "seg_%05d.ts";

    /// <summary>The audio rendition's directory and var_stream_map name.</summary>
    public const string AudioRenditionName = "audio";

    public const string AudioGroupId = "audio";

    /// <summary>GOP length when the probe found no frame rate; the forced key frames keep segments aligned anyway.</summary>
    private const double FallbackFramesPerSecond = 30;

    /// <summary>Short side from which a rendition gets the High profile; smaller ones use Main for old, low-end players.</summary>
    private const int HighProfileMinShortSide = 720;

    public static IReadOnlyList<string> Build(HlsEncodeRequest request, TranscodingOptions options) => Build(request, options, null);

    /// <param name="copyKeyframeSeconds">
    /// Null: every rendition is encoded. Otherwise the top rendition is copied from the source, and these are the
    /// output times (seconds) of the cuts it will get, where the encoded renditions must have key frames.
    /// </param>
    public static IReadOnlyList<string> Build(HlsEncodeRequest request, TranscodingOptions options, IReadOnlyList<double>? copyKeyframeSeconds)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        Validate(request);

        var renditions = request.Renditions;
        var copyTop = copyKeyframeSeconds is not null;
        var encoded = copyTop ? renditions.Skip(1).ToList() : renditions.ToList();
        var seconds = request.SegmentDuration.TotalSeconds;
        var segment = Seconds(seconds);
        var fps = request.Source.FramesPerSecond > 0 ? request.Source.FramesPerSecond : FallbackFramesPerSecond;
        var hasAudio = request.Source.HasAudio;

        var args = new List<string>
        {
            "-hide_banner",
            "-nostdin",
            "-y",
            // Warnings and errors only; progress comes as key=value lines on stdout.
            "-loglevel", "warning",
            "-nostats",
            "-progress", "pipe:1",
            "-i", Path.GetFullPath(request.SourcePath),
        };

        if (encoded.Count > 0)
        {
            args.AddRange(["-filter_complex", FilterGraph(encoded)]);
        }

        if (copyTop)
        {
            args.AddRange(["-map", "0:v:0"]);
        }

        for (var i = 0; i < encoded.Count; i++)
        {
            args.AddRange(["-map", $"[v{i}]"]);
        }

        if (hasAudio)
        {
            args.AddRange(["-map", "0:a:0"]);
        }

        // Phone videos carry GPS and device tags in the container; none of it belongs in a public stream.
        args.AddRange(["-map_metadata", "-1"]);

        // Copied, the cuts fall on the source's key frames (at most 1.5x the target apart): the encoded renditions get
        // key frames at those cuts and a GOP too long to add any of their own in between. Encoded, every rendition
        // gets a key frame on the same fixed clock.
        var gop = Math.Max(1, (int)Math.Round(fps * seconds * (copyTop ? 2 : 1), MidpointRounding.AwayFromZero)).ToString(CultureInfo.InvariantCulture);
        var keyframes = copyTop ? KeyframeList(copyKeyframeSeconds!) : $"expr:gte(t,n_forced*{segment})";

        for (var i = 0; i < renditions.Count; i++)
        {
            if (copyTop && i == 0)
            {
                args.AddRange(["-c:v:0", "copy"]);
                continue;
            }

            var r = renditions[i];
            var s = i.ToString(CultureInfo.InvariantCulture);
            args.AddRange(
            [
                $"-c:v:{s}", "libx264",
                $"-profile:v:{s}", r.ShortSide >= HighProfileMinShortSide ? "high" : "main",
                // Constant quality, capped: a still slide costs almost nothing, motion gets at most the rung's rate.
                $"-crf:v:{s}", options.Crf.ToString(CultureInfo.InvariantCulture),
                $"-maxrate:v:{s}", Kbps(r.VideoBitrateKbps),
                $"-bufsize:v:{s}", Kbps(r.BufferSizeKbps),
                $"-g:v:{s}", gop,
                $"-keyint_min:v:{s}", gop,
                $"-sc_threshold:v:{s}", "0",
                $"-force_key_frames:v:{s}", keyframes,
            ]);
        }

        if (encoded.Count > 0)
        {
            args.AddRange(["-preset", options.Preset]);
        }

        if (options.Threads > 0)
        {
            args.AddRange(["-threads", options.Threads.ToString(CultureInfo.InvariantCulture)]);
        }

        if (hasAudio)
        {
            // One encode at the highest rate any rung asks for, shared by every variant.
            args.AddRange(["-c:a", "aac", "-ac", "2", "-b:a", Kbps(renditions.Max(r => r.AudioBitrateKbps))]);
        }

        var output = Path.GetFullPath(request.OutputDirectory);
        args.AddRange(
        [
            "-f", "hls",
            "-hls_time", segment,
            "-hls_playlist_type", "vod",
            "-hls_flags", "independent_segments",
            "-hls_segment_type", "mpegts",
            "-hls_segment_filename", Path.Combine(output, "%v", SegmentPattern),
            "-var_stream_map", StreamMap(renditions, hasAudio),
            Path.Combine(output, "%v", VariantPlaylistName),
        ]);

        return args;
    }

    /// <summary>The variant playlists ffmpeg writes, relative to the output directory: every rendition, then the audio.</summary>
    public static IReadOnlyList<string> VariantPlaylists(HlsEncodeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var names = request.Renditions.Select(r => r.Name).ToList();
        if (request.Source.HasAudio)
        {
            names.Add(AudioRenditionName);
        }

        return names.Select(n => $"{n}/{VariantPlaylistName}").ToList();
    }

    private static string FilterGraph(IReadOnlyList<Rendition> renditions)
    {
        // One conversion to 8-bit 4:2:0 (what every H.264 player decodes) before the split, not one per rendition.
        var graph = new StringBuilder($"[0:v]format=yuv420p,split={renditions.Count}");
        for (var i = 0; i < renditions.Count; i++)
        {
            graph.Append(CultureInfo.InvariantCulture, $"[s{i}]");
        }

        for (var i = 0; i < renditions.Count; i++)
        {
            var r = renditions[i];
            graph.Append(CultureInfo.InvariantCulture, $";[s{i}]scale={r.Width}:{r.Height},setsar=1[v{i}]");
        }

        return graph.ToString();
    }

    /// <summary>
    /// One millisecond early. ffmpeg 6+ forces the first frame at or after each time; 5.1 rounds each time to the
    /// nearest frame of the encoder's clock. A time a hair before the cut's frame (less than half a frame up to
    /// 500 fps) selects that frame under both rules, even after six-decimal text rounding; a time between two frames
    /// would select the later frame under one and the earlier under the other.
    /// </summary>
    private static string KeyframeList(IReadOnlyList<double> seconds) =>
        string.Join(',', seconds.Select(t => Seconds(Math.Max(0, t - 0.001))));

    private static string StreamMap(IReadOnlyList<Rendition> renditions, bool hasAudio)
    {
        var group = hasAudio ? $",agroup:{AudioGroupId}" : string.Empty;
        var variants = renditions.Select((r, i) => $"v:{i}{group},name:{r.Name}");
        return string.Join(' ', hasAudio ? variants.Append($"a:0{group},name:{AudioRenditionName}") : variants);
    }

    private static string Seconds(double seconds) => seconds.ToString("0.######", CultureInfo.InvariantCulture);

    private static string Kbps(int kbps) => kbps.ToString(CultureInfo.InvariantCulture) + "k";

    /// <summary>Refuses a request ffmpeg could not write safely: no rendition, a bad segment duration, names or sizes.</summary>
    public static void Validate(HlsEncodeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Renditions.Count == 0)
        {
            throw new ArgumentException("At least one rendition is needed.", nameof(request));
        }

        if (request.SegmentDuration <= TimeSpan.Zero)
        {
            throw new ArgumentException($"Segment duration {request.SegmentDuration} is not positive.", nameof(request));
        }

        // '%' would be read by ffmpeg as part of the %v / %05d patterns.
        if (request.OutputDirectory.Contains('%', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The output directory '{request.OutputDirectory}' contains '%'.", nameof(request));
        }

        foreach (var r in request.Renditions)
        {
            // The name is a directory and a var_stream_map token: separators, spaces or ',' ':' would break both.
            if (r.Name.Length == 0 || !r.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                throw new ArgumentException($"Rendition name '{r.Name}' must be ASCII letters, digits, '_' or '-'.", nameof(request));
            }

            if (string.Equals(r.Name, AudioRenditionName, StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"Rendition name '{r.Name}' is the audio rendition's directory.", nameof(request));
            }

            if (r.Width < 2 || r.Height < 2 || r.Width % 2 != 0 || r.Height % 2 != 0)
            {
                throw new ArgumentException($"Rendition {r.Name} is {r.Width}x{r.Height}; H.264 4:2:0 needs even sides.", nameof(request));
            }

            if (r.VideoBitrateKbps <= 0 || r.AudioBitrateKbps <= 0)
            {
                throw new ArgumentException($"Rendition {r.Name} needs positive bitrates.", nameof(request));
            }
        }

        var duplicate = request.Renditions.GroupBy(r => r.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Rendition name '{duplicate.Key}' is used twice.", nameof(request));
        }
    }
}
