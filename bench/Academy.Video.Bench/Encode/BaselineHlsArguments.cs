using System.Globalization;
using System.Text;
using Academy.Video.Domain.Media;

namespace Academy.Video.Bench.Encode;

/// <summary>
/// The worker's ffmpeg command before the fast path and capped CRF, frozen as the baseline the new one is compared with: every rung
/// encoded at an average bitrate (b:v = the rung's rate, maxrate 1.07×, bufsize 1.5×) and each variant carrying its
/// own audio encode, with ffmpeg's own master playlist.
/// </summary>
public static class BaselineHlsArguments
{
    public static IReadOnlyList<string> Build(string source, MediaInfo info, IReadOnlyList<Rendition> renditions, string output, TimeSpan segmentDuration, string preset)
    {
        var seconds = segmentDuration.TotalSeconds;
        var segment = seconds.ToString("0.###", CultureInfo.InvariantCulture);
        var fps = info.FramesPerSecond > 0 ? info.FramesPerSecond : 30;
        var gop = Math.Max(1, (int)Math.Round(fps * seconds, MidpointRounding.AwayFromZero)).ToString(CultureInfo.InvariantCulture);

        var graph = new StringBuilder($"[0:v]format=yuv420p,split={renditions.Count}");
        for (var i = 0; i < renditions.Count; i++)
        {
            graph.Append(CultureInfo.InvariantCulture, $"[s{i}]");
        }

        for (var i = 0; i < renditions.Count; i++)
        {
            graph.Append(CultureInfo.InvariantCulture, $";[s{i}]scale={renditions[i].Width}:{renditions[i].Height},setsar=1[v{i}]");
        }

        var args = new List<string> { "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-i", Path.GetFullPath(source), "-filter_complex", graph.ToString() };
        for (var i = 0; i < renditions.Count; i++)
        {
            args.AddRange(["-map", $"[v{i}]"]);
        }

        if (info.HasAudio)
        {
            for (var i = 0; i < renditions.Count; i++)
            {
                args.AddRange(["-map", "0:a:0"]);
            }
        }

        args.AddRange(["-map_metadata", "-1", "-c:v", "libx264", "-preset", preset, "-g", gop, "-keyint_min", gop, "-sc_threshold", "0",
            "-force_key_frames", $"expr:gte(t,n_forced*{segment})"]);
        for (var i = 0; i < renditions.Count; i++)
        {
            var r = renditions[i];
            args.AddRange(
            [
                $"-profile:v:{i}", r.ShortSide >= 720 ? "high" : "main",
                $"-b:v:{i}", $"{r.VideoBitrateKbps}k",
                $"-maxrate:v:{i}", $"{r.VideoBitrateKbps * 107 / 100}k",
                $"-bufsize:v:{i}", $"{r.VideoBitrateKbps * 3 / 2}k",
            ]);
        }

        if (info.HasAudio)
        {
            args.AddRange(["-c:a", "aac", "-ac", "2"]);
            for (var i = 0; i < renditions.Count; i++)
            {
                args.AddRange([$"-b:a:{i}", $"{renditions[i].AudioBitrateKbps}k"]);
            }
        }

        var streamMap = string.Join(' ', renditions.Select((r, i) => info.HasAudio ? $"v:{i},a:{i},name:{r.Name}" : $"v:{i},name:{r.Name}"));
        args.AddRange(["-f", "hls", "-hls_time", segment, "-hls_playlist_type", "vod", "-hls_flags", "independent_segments", "-hls_segment_type", "mpegts",
            "-hls_segment_filename", Path.Combine(output, "%v", "seg_%05d.ts"), "-master_pl_name", "master.m3u8", "-var_stream_map", streamMap,
            Path.Combine(output, "%v", "index.m3u8")]);
        return args;
    }
}
