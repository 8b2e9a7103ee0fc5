using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Media;
using Academy.Video.Infrastructure.Transcoding;

namespace Academy.Video.Bench.Common;

/// <summary>What the benchmarks need to run the worker's ffmpeg command without the worker.</summary>
public static class LadderOutput
{
    /// <summary>An empty output folder with one folder per variant: ffmpeg creates the ladder's folders, not the copied rung's or the audio's.</summary>
    public static void Recreate(string output, IEnumerable<Rendition> renditions)
    {
        if (Directory.Exists(output))
        {
            Directory.Delete(output, recursive: true);
        }

        foreach (var name in renditions.Select(r => r.Name).Append(FfmpegHlsArguments.AudioRenditionName))
        {
            Directory.CreateDirectory(Path.Combine(output, name));
        }
    }

    /// <summary>Segments go nowhere: the benchmarks that encode in process measure the tree afterwards.</summary>
    public sealed class NoSegments : IHlsSegmentSink
    {
        public void SegmentClosed(HlsSegmentFile segment)
        {
        }
    }
}
