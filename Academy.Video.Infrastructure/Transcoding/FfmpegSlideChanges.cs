using System.Globalization;
using Academy.Video.Domain.Media;

namespace Academy.Video.Infrastructure.Transcoding;

/// <summary>
/// The ffmpeg side of chapters from slide changes (docs/encoding.md, Chapters; decision 0020): the small gray copy the
/// detector reads, taken from the encode's own decode, and the chapter thumbnails cut afterwards.
/// </summary>
public static class FfmpegSlideChanges
{
    /// <summary>The analysis copy: <see cref="SlideChanges.FramesPerSecond"/> frames a second, 64x36 gray (area-averaged, so text turns to gray lines).</summary>
    public static readonly string Filter = string.Create(CultureInfo.InvariantCulture,
        $"fps={SlideChanges.FramesPerSecond},scale={SlideChanges.Width}:{SlideChanges.Height}:flags=area,format=gray");

    /// <summary>The analysis file beside the output directory (never in it: everything there is published).</summary>
    public static string AnalysisPath(string outputDirectory) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(outputDirectory)) + ".slides.gray";

    /// <summary>The thumbnails' width; the height keeps the picture's aspect.</summary>
    public const int ThumbnailWidth = 320;

    /// <summary>A raw rawvideo output of the analysis copy, written once per run.</summary>
    public static IEnumerable<string> Output(string label, string path) =>
        ["-map", label, "-map_metadata", "-1", "-c:v", "rawvideo", "-f", "rawvideo", "-fps_mode", "passthrough", path];

    /// <summary>The change times in the analysis file (none when it is missing).</summary>
    public static async Task<IReadOnlyList<double>> DetectAsync(string analysisPath, CancellationToken cancellationToken)
    {
        if (!File.Exists(analysisPath))
        {
            return [];
        }

        var raw = await File.ReadAllBytesAsync(analysisPath, cancellationToken).ConfigureAwait(false);
        return SlideChanges.Detect(SlideChanges.Frames(raw));
    }

    /// <summary>
    /// One ffmpeg run writing a small JPEG per time: each time is its own input, seeked to (fast: from the key frame before
    /// it), so nothing else of the source is decoded.
    /// </summary>
    public static IReadOnlyList<string> ThumbnailArguments(string sourcePath, IReadOnlyList<(double Seconds, string Path)> thumbnails)
    {
        ArgumentNullException.ThrowIfNull(thumbnails);
        var args = new List<string> { "-hide_banner", "-nostdin", "-y", "-loglevel", "error" };
        foreach (var (seconds, _) in thumbnails)
        {
            args.AddRange(["-ss", seconds.ToString("0.###", CultureInfo.InvariantCulture), "-i", Path.GetFullPath(sourcePath)]);
        }

        for (var i = 0; i < thumbnails.Count; i++)
        {
            args.AddRange(["-map", $"{i}:v:0", "-map_metadata", "-1", "-vf", $"scale={ThumbnailWidth}:-2:out_range=full,setsar=1,format=yuv420p",
                "-c:v", "mjpeg", "-strict:v", "unofficial", "-q:v", "5", "-color_range", "pc", "-frames:v", "1", "-update", "1", thumbnails[i].Path]);
        }

        return args;
    }
}
