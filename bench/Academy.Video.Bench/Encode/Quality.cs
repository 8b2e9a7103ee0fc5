using System.Globalization;
using System.Text.RegularExpressions;
using Academy.Video.Application.Transcoding;
using Academy.Video.Bench.Common;
using Academy.Video.Domain.Media;
using Academy.Video.Infrastructure.Transcoding;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Academy.Video.Bench.Encode;

/// <summary>What a ladder costs and how close it stays to its source.</summary>
public sealed record LadderQuality(long Bytes, long VideoBytes, double MeanSsim, IReadOnlyList<(string Rendition, double Ssim)> PerRendition);

/// <summary>New ÷ before on one source.</summary>
public sealed record QualityComparison(LadderQuality New, LadderQuality Before)
{
    public double BytesRatio => (double)New.Bytes / Before.Bytes;

    public double VideoBytesRatio => (double)New.VideoBytes / Before.VideoBytes;

    public double SsimDelta => New.MeanSsim - Before.MeanSsim;

    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"{New.Bytes / 1024.0 / 1024.0:0.0} MiB vs {Before.Bytes / 1024.0 / 1024.0:0.0} MiB; SSIM per rung new {Format(New)}, before {Format(Before)}");

    private static string Format(LadderQuality quality) =>
        string.Join(" ", quality.PerRendition.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Rendition}={r.Ssim:0.0000}")));
}

/// <summary>
/// Encodes a source with the new encoder (capped CRF, one audio; copying off, so item 2 is what is measured) and with
/// the frozen command from before (<see cref="BaselineHlsArguments"/>), then measures both trees: bytes on disk, video
/// packet bytes, and each rendition's mean SSIM against the source scaled to its size, frame by frame.
/// </summary>
public sealed class Quality(FfprobeMediaProbe probe, TranscodingOptions options, string directory)
{
    public async Task<QualityComparison> CompareAsync(string source, TimeSpan segmentDuration)
    {
        var info = await probe.ProbeAsync(source, default);
        var renditions = HlsLadder.Plan(info.DisplayWidth, info.DisplayHeight, HlsLadder.DefaultRungs);
        var name = Path.GetFileNameWithoutExtension(source);

        var newDirectory = Fresh(Path.Combine(directory, name, "new"));
        var encoder = new FfmpegHlsEncoder(
            Options.Create(new TranscodingOptions { Preset = options.Preset, Crf = options.Crf, Threads = options.Threads, SourceCopy = false }),
            NullLogger<FfmpegHlsEncoder>.Instance);
        var plan = await encoder.PlanAsync(new HlsEncodeRequest(source, info, renditions, newDirectory, segmentDuration), default);
        await encoder.EncodeAsync(plan, null, new Progress<double>(), new LadderOutput.NoSegments(), default);

        var beforeDirectory = Fresh(Path.Combine(directory, name, "before"));
        await ProcessMeasure.RunCheckedAsync("ffmpeg", BaselineHlsArguments.Build(source, info, renditions, beforeDirectory, segmentDuration, options.Preset));

        return new QualityComparison(await MeasureAsync(source, newDirectory, renditions), await MeasureAsync(source, beforeDirectory, renditions));
    }

    private static async Task<LadderQuality> MeasureAsync(string source, string tree, IReadOnlyList<Rendition> renditions)
    {
        var bytes = Directory.EnumerateFiles(tree, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        long videoBytes = 0;
        var ssim = new List<(string, double)>();
        foreach (var rendition in renditions)
        {
            var playlist = Path.Combine(tree, rendition.Name, "index.m3u8");
            var sizes = await ProcessMeasure.RunCheckedAsync("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=size", "-of", "csv=p=0", playlist]);
            // One "size," line per packet (a program's stream gets a trailing separator).
            videoBytes += sizes.Split('\n', StringSplitOptions.RemoveEmptyEntries).Sum(l => long.Parse(l.Split(',')[0], CultureInfo.InvariantCulture));
            ssim.Add((rendition.Name, await SsimAsync(playlist, source, rendition)));
        }

        return new LadderQuality(bytes, videoBytes, ssim.Average(s => s.Item2), ssim);
    }

    /// <summary>Both streams restarted at 0 so frames pair by time (an HLS stream starts at 1.4 s), the source scaled to the rendition.</summary>
    private static async Task<double> SsimAsync(string playlist, string source, Rendition rendition)
    {
        var graph = $"[0:v]setpts=PTS-STARTPTS[encoded];[1:v]scale={rendition.Width}:{rendition.Height},setsar=1,setpts=PTS-STARTPTS[reference];[encoded][reference]ssim";
        var output = await ProcessMeasure.RunCheckedAsync("ffmpeg", ["-hide_banner", "-nostdin", "-i", playlist, "-i", source, "-lavfi", graph, "-f", "null", "-"]);
        var match = Regex.Match(output, @"SSIM .* All:([0-9.]+)");
        return match.Success
            ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"no SSIM in ffmpeg's output: {output}");
    }

    private static string Fresh(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }

        Directory.CreateDirectory(path);
        return path;
    }
}
