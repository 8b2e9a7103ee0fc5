using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

using Academy.Video.IntegrationTests.Media;

namespace Academy.Video.IntegrationTests.Transcoding;

/// <summary>
/// Sources shaped like what lectures arrive as — camera and screen-recorder H.264, and what the fast path must refuse
/// (HEVC, 10-bit, interlaced, too tall, sparse key frames, over the bitrate cap) — made with the ffmpeg CLI, once per
/// test process. testsrc2 picture, 440 Hz sine; treat the files as read-only.
/// </summary>
internal static class SourceClips
{
    private static readonly ConcurrentDictionary<string, Lazy<string>> Cache = new();
    private static readonly Lazy<string> Directory = new(() =>
    {
        var directory = Path.Combine(Path.GetTempPath(), $"academy-video-sources-{Environment.ProcessId}");
        System.IO.Directory.CreateDirectory(directory);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: the OS cleans temp eventually.
            }
        };
        return directory;
    });

    /// <summary>
    /// A lavfi graph of a slide lecture (docs/encoding.md, Slides profile): a plain background, a title bar, a line of
    /// "text" that changes every <paramref name="slideSeconds"/>, a figure built in two thirds through each slide, and a
    /// small pointer moving all the time.
    /// </summary>
    public static string SlidesLavfi(int width, int height, double seconds, string rate = "30", int slideSeconds = 6)
    {
        var d = seconds.ToString(CultureInfo.InvariantCulture);
        var p = slideSeconds.ToString(CultureInfo.InvariantCulture);
        var build = (slideSeconds * 2 / 3).ToString(CultureInfo.InvariantCulture);
        return $"color=c=0xF4F1EA:s={width}x{height}:r={rate}:d={d},"
            + "drawbox=x=iw/16:y=ih/12:w=iw*7/8:h=ih/8:color=0x1F3A5F:t=fill,"
            + $"drawbox=x=iw/10:y=ih/3:w=iw/2:h=ih/20:color=black:t=fill:enable='eq(mod(floor(t/{p}),2),0)',"
            + $"drawbox=x=iw/10:y=ih/2:w=iw/3:h=ih/20:color=black:t=fill:enable='eq(mod(floor(t/{p}),2),1)',"
            + $"drawbox=x=iw*0.55:y=ih*0.55:w=iw/3:h=ih/3:color=0x3C8D2F:t=fill:enable='gte(mod(t,{p}),{build})'[bg];"
            + $"color=c=red:s=8x8:r={rate}:d={d}[p];[bg][p]overlay=x='W/4+W/6*sin(t/3)':y='H/2+H/8*cos(t/4)':shortest=1[out0]";
    }

    /// <param name="keyframeSeconds">Where the key frames are (beyond the first); null: every second.</param>
    /// <param name="videoArguments">Encoder arguments replacing the default: libx264, 8-bit 4:2:0 progressive, under 700 kbps.</param>
    /// <param name="lavfiVideo">A lavfi graph replacing the moving testsrc2 picture.</param>
    /// <param name="videoDelaySeconds">
    /// How much later than the audio the video starts, its frames then off the frame-rate grid (as in a camera or phone MP4
    /// whose audio priming shifts the video): the clip is encoded, then remuxed with the video's timestamps moved.
    /// </param>
    public static string Make(
        string name,
        int width,
        int height,
        double seconds,
        IReadOnlyList<double>? keyframeSeconds = null,
        IReadOnlyList<string>? videoArguments = null,
        string filter = "null",
        bool withAudio = true,
        string? lavfiVideo = null,
        double videoDelaySeconds = 0)
    {
        return Cache.GetOrAdd(name, n => new Lazy<string>(() =>
        {
            var path = Path.Combine(Directory.Value, n + ".mp4");
            var duration = seconds.ToString(CultureInfo.InvariantCulture);
            var keyframes = keyframeSeconds is null
                ? "expr:gte(t,n_forced*1)"
                : string.Join(',', keyframeSeconds.Select(k => k.ToString(CultureInfo.InvariantCulture)));
            List<string> args = ["-f", "lavfi", "-i", lavfiVideo ?? $"testsrc2=size={width}x{height}:rate=30:duration={duration}"];
            if (withAudio)
            {
                args.AddRange(["-f", "lavfi", "-i", $"sine=frequency=440:sample_rate=48000:duration={duration}", "-c:a", "aac", "-b:a", "96k"]);
            }

            args.AddRange(["-vf", filter]);
            // Under 700 kbps: within the cap of every rung from 360p up, as a camera or screen recording would be.
            args.AddRange(videoArguments ?? ["-c:v", "libx264", "-preset", "veryfast", "-crf", "30", "-maxrate", "700k", "-bufsize", "1400k", "-pix_fmt", "yuv420p"]);
            // No key frames but the listed ones: a GOP longer than the clip and no scene-cut key frames.
            var encoded = videoDelaySeconds > 0 ? Path.Combine(Directory.Value, n + ".grid.mp4") : path;
            args.AddRange(["-g", "100000", "-keyint_min", "100000", "-sc_threshold", "0", "-force_key_frames", keyframes, encoded]);
            TestClips.Ffmpeg(args);
            if (videoDelaySeconds > 0)
            {
                var delay = videoDelaySeconds.ToString(CultureInfo.InvariantCulture);
                TestClips.Ffmpeg(["-itsoffset", delay, "-i", encoded, "-i", encoded, "-map", "0:v", "-map", "1:a?", "-c", "copy", path]);
            }

            return path;
        })).Value;
    }
}
