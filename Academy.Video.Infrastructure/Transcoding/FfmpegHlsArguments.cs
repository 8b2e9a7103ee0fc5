using System.Globalization;
using System.Text;
using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Media;

namespace Academy.Video.Infrastructure.Transcoding;

/// <summary>
/// The ffmpeg argument list for one HLS ladder: the source is decoded once (autorotated, so a phone video
/// comes out upright), split into one scaled stream per rendition and every rendition encoded in the same
/// process into <c>&lt;out&gt;/&lt;rendition&gt;/index.m3u8</c> plus <c>&lt;out&gt;/master.m3u8</c>.
/// </summary>
public static class FfmpegHlsArguments
{
    public const string MasterPlaylistName = "master.m3u8";
    public const string VariantPlaylistName = "index.m3u8";
    public const string SegmentPattern = "seg_%05d.ts";

    /// <summary>GOP length when the probe found no frame rate; the forced key frames keep segments aligned anyway.</summary>
    private const double FallbackFramesPerSecond = 30;

    /// <summary>Short side from which a rendition gets the High profile; smaller ones use Main for old, low-end players.</summary>
    private const int HighProfileMinShortSide = 720;

    public static IReadOnlyList<string> Build(HlsEncodeRequest request, TranscodingOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        Validate(request);

        var renditions = request.Renditions;
        var seconds = request.SegmentDuration.TotalSeconds;
        var segment = seconds.ToString("0.###", CultureInfo.InvariantCulture);
        var fps = request.Source.FramesPerSecond > 0 ? request.Source.FramesPerSecond : FallbackFramesPerSecond;
        var gop = Math.Max(1, (int)Math.Round(fps * seconds, MidpointRounding.AwayFromZero)).ToString(CultureInfo.InvariantCulture);
        var hasAudio = request.Source.HasAudio;

        var args = new List<string>
        {
            "-hide_banner",
            "-y",
            "-i", Path.GetFullPath(request.SourcePath),
            "-filter_complex", FilterGraph(renditions),
        };

        for (var i = 0; i < renditions.Count; i++)
        {
            args.AddRange(["-map", $"[v{i}]"]);
        }

        if (hasAudio)
        {
            // Every variant carries the same audio (HLS players switch variants, not separate audio groups here).
            for (var i = 0; i < renditions.Count; i++)
            {
                args.AddRange(["-map", "0:a:0"]);
            }
        }

        // Phone videos carry GPS and device tags in the container; none of it belongs in a public stream.
        args.AddRange(["-map_metadata", "-1"]);

        args.AddRange(
        [
            "-c:v", "libx264",
            "-preset", options.Preset,
            "-g", gop,
            "-keyint_min", gop,
            "-sc_threshold", "0",
            "-force_key_frames", $"expr:gte(t,n_forced*{segment})",
        ]);

        if (options.Threads > 0)
        {
            args.AddRange(["-threads", options.Threads.ToString(CultureInfo.InvariantCulture)]);
        }

        for (var i = 0; i < renditions.Count; i++)
        {
            var r = renditions[i];
            args.AddRange(
            [
                $"-profile:v:{i}", Math.Min(r.Width, r.Height) >= HighProfileMinShortSide ? "high" : "main",
                $"-b:v:{i}", Kbps(r.VideoBitrateKbps),
                $"-maxrate:v:{i}", Kbps(r.MaxVideoBitrateKbps),
                $"-bufsize:v:{i}", Kbps(r.BufferSizeKbps),
            ]);
        }

        if (hasAudio)
        {
            args.AddRange(["-c:a", "aac", "-ac", "2"]);
            for (var i = 0; i < renditions.Count; i++)
            {
                args.AddRange([$"-b:a:{i}", Kbps(renditions[i].AudioBitrateKbps)]);
            }
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
            "-master_pl_name", MasterPlaylistName,
            "-var_stream_map", StreamMap(renditions, hasAudio),
            Path.Combine(output, "%v", VariantPlaylistName),
        ]);

        return args;
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

    private static string StreamMap(IReadOnlyList<Rendition> renditions, bool hasAudio) =>
        string.Join(' ', renditions.Select((r, i) => hasAudio ? $"v:{i},a:{i},name:{r.Name}" : $"v:{i},name:{r.Name}"));

    private static string Kbps(int kbps) => kbps.ToString(CultureInfo.InvariantCulture) + "k";

    private static void Validate(HlsEncodeRequest request)
    {
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

            if (r.Width < 2 || r.Height < 2 || r.Width % 2 != 0 || r.Height % 2 != 0)
            {
                throw new ArgumentException($"Rendition {r.Name} is {r.Width}x{r.Height}; H.264 4:2:0 needs even sides.", nameof(request));
            }

            if (r.VideoBitrateKbps <= 0 || r.AudioBitrateKbps <= 0)
            {
                // ffmpeg leaves a variant without bandwidth out of the master playlist.
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
