using System.Diagnostics;
using System.Globalization;
using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Media;
using Academy.Video.Infrastructure.Transcoding;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Academy.Video.IntegrationTests.Transcoding;

/// <summary>
/// The fast path against real ffmpeg: taken on an H.264 source that already is the top rung, refused on every kind of
/// source the issue names, and the segments of a copied top rung line up with the encoded ones.
/// </summary>
public sealed class SourceCopyEncodeTests : IDisposable
{
    private static readonly TimeSpan Segment = TimeSpan.FromSeconds(2);

    private readonly string _outputRoot = Path.Combine(Path.GetTempPath(), $"academy-video-copy-{Guid.NewGuid():N}");
    private readonly IOptions<TranscodingOptions> _options = Options.Create(new TranscodingOptions());
    private readonly FfprobeMediaProbe _probe;
    private readonly FfmpegHlsEncoder _encoder;

    public SourceCopyEncodeTests()
    {
        _probe = new FfprobeMediaProbe(_options);
        _encoder = new FfmpegHlsEncoder(_options, NullLogger<FfmpegHlsEncoder>.Instance);
    }

    public void Dispose()
    {
        if (Directory.Exists(_outputRoot))
        {
            Directory.Delete(_outputRoot, recursive: true);
        }
    }

    [Fact]
    public async Task A_718_line_H264_source_is_copied_as_a_718p_top_rung_and_the_rest_encoded()
    {
        var source = SourceClips.Make("fits-718", 1276, 718, 6);
        var (info, renditions) = await Plan(source);
        Assert.Equal(["718p", "480p", "360p"], renditions.Select(r => r.Name));

        var output = await Encode(source, info, renditions);

        Assert.True(output.TopRung.Copy, output.TopRung.Reason);
        Assert.Equal(SourceCopyCodes.Copied, output.TopRung.Code);
        HlsOutputAssert.Playable(output, info, renditions, Segment, maxSegmentSeconds: 3);
        // Copied: every decoded picture of the top rung is the source's own; the encoded rungs are not.
        Assert.Equal(DecodedFrameHashes(source), DecodedFrameHashes(Path.Combine(output.OutputDirectory, "718p", "index.m3u8")));
        var scaledBack = DecodedFrameHashes(Path.Combine(output.OutputDirectory, "480p", "index.m3u8"));
        Assert.Equal(180, scaledBack.Count);
    }

    [Fact]
    public async Task The_copy_and_audio_run_apart_from_the_ladder_and_write_what_one_process_writes()
    {
        var source = SourceClips.Make("fits-718", 1276, 718, 6);
        var (info, renditions) = await Plan(source);
        var plan = await _encoder.PlanAsync(Request(source, info, renditions), CancellationToken.None);
        Assert.True(plan.TopRung.Copy, plan.TopRung.Reason);

        // Two processes (docs/encoding.md, "Playable early"): the remux and the audio decode no video; the ladder has no audio.
        var commands = _encoder.Commands(plan, null);
        Assert.Equal(2, commands.Count);
        Assert.Contains("copy", commands[0]);
        Assert.DoesNotContain("libx264", commands[0]);
        Assert.DoesNotContain("-filter_complex", commands[0]);
        Assert.Contains("libx264", commands[1]);
        Assert.DoesNotContain("aac", commands[1]);

        var split = await _encoder.EncodeAsync(plan, null, new Progress<double>(), new RecordingSegments(), CancellationToken.None);
        var whole = Path.Combine(_outputRoot, "whole");
        foreach (var variant in FfmpegHlsArguments.Variants(plan.Request))
        {
            Directory.CreateDirectory(Path.Combine(whole, variant));
        }

        Run("ffmpeg", _encoder.Arguments(plan with { Request = plan.Request with { OutputDirectory = whole } }, null));

        var media = Directory.EnumerateFiles(whole, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(whole, f))
            .Where(f => f.EndsWith(".ts", StringComparison.Ordinal) || f.EndsWith(".jpg", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        // Poster, storyboard and at least three 2 s segments of each of the three rungs and the audio.
        Assert.True(media.Count >= 2 + (4 * 3), string.Join(", ", media));
        // The copied rung, the audio, poster and storyboard byte for byte. The encoded rungs packet for packet: x264's
        // frame threads under VBV caps do not promise the same bytes twice on a loaded machine, one process or two.
        var encoded = plan.Request.Renditions.Skip(1).Select(r => r.Name + Path.DirectorySeparatorChar).ToList();
        foreach (var file in media)
        {
            if (encoded.Any(e => file.StartsWith(e, StringComparison.Ordinal)))
            {
                Assert.Equal(MediaTools.VideoPackets(Path.Combine(whole, file)), MediaTools.VideoPackets(Path.Combine(split.OutputDirectory, file)));
                continue;
            }

            Assert.True(File.ReadAllBytes(Path.Combine(whole, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(split.OutputDirectory, file))), $"{file} differs");
        }

        Assert.Equal(media, split.Files.Where(f => f.EndsWith(".ts", StringComparison.Ordinal) || f.EndsWith(".jpg", StringComparison.Ordinal)).Select(f => f.Replace('/', Path.DirectorySeparatorChar)));
    }

    public static TheoryData<string, string> RefusedSources => new()
    {
        { "hevc", SourceCopyCodes.NotH264 },
        { "10-bit", SourceCopyCodes.Not8Bit420 },
        { "interlaced", SourceCopyCodes.NotProgressive },
        { "too-tall", SourceCopyCodes.SizeMismatch },
        { "sparse-keyframes", SourceCopyCodes.SparseKeyframes },
        { "over-cap", SourceCopyCodes.OverBitrateCap },
    };

    [Theory]
    [MemberData(nameof(RefusedSources))]
    public async Task A_source_the_top_rung_cannot_carry_is_encoded_and_says_why(string kind, string code)
    {
        var source = kind switch
        {
            "hevc" => SourceClips.Make("hevc-718", 1276, 718, 4, videoArguments: ["-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error", "-pix_fmt", "yuv420p"]),
            "10-bit" => SourceClips.Make("h264-10bit", 640, 360, 4, videoArguments: ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p10le"]),
            "interlaced" => SourceClips.Make("h264-interlaced", 640, 360, 4, filter: "setfield=tff", videoArguments: ["-c:v", "libx264", "-preset", "ultrafast", "-flags", "+ildct+ilme", "-pix_fmt", "yuv420p"]),
            "too-tall" => SourceClips.Make("h264-1440p", 2560, 1440, 3, withAudio: false),
            "sparse-keyframes" => SourceClips.Make("h264-sparse", 640, 360, 6, keyframeSeconds: [4]),
            _ => SourceClips.Make("h264-over-cap", 640, 360, 4, videoArguments: ["-c:v", "libx264", "-preset", "ultrafast", "-b:v", "2000k", "-minrate", "2000k", "-maxrate", "2000k", "-bufsize", "1000k", "-x264-params", "nal-hrd=cbr", "-pix_fmt", "yuv420p"]),
        };
        var (info, renditions) = await Plan(source);

        var output = await Encode(source, info, renditions);

        Assert.False(output.TopRung.Copy, output.TopRung.Reason);
        Assert.Equal(code, output.TopRung.Code);
        HlsOutputAssert.Playable(output, info, renditions, Segment);
        Assert.NotEqual(DecodedFrameHashes(source).Take(5), DecodedFrameHashes(Path.Combine(output.OutputDirectory, renditions[0].Name, "index.m3u8")).Take(5));
    }

    [Fact]
    public async Task A_copied_top_rung_is_cut_where_ffmpeg_cuts_and_every_encoded_rung_is_cut_there_too()
    {
        // Key frames at irregular times; with a 2 s target the muxer cuts at the first key frame past 2, 4 and 6.
        var source = SourceClips.Make("irregular-keyframes", 854, 480, 8, keyframeSeconds: [1.5, 2.5, 4.4, 6.1, 7]);
        var (info, renditions) = await Plan(source);

        var output = await Encode(source, info, renditions);

        Assert.True(output.TopRung.Copy, output.TopRung.Reason);
        Assert.Equal([2.5, 4.4, 6.1], output.TopRung.CutSeconds.Select(c => Math.Round(c, 3)));
        var top = Playlist.ReadMedia(Path.Combine(output.OutputDirectory, "480p", "index.m3u8"));
        Assert.Equal([2.5, 1.9, 1.7, 1.9], top.Segments.Select(s => Math.Round(s.Seconds, 2)));
        HlsOutputAssert.Playable(output, info, renditions, Segment, maxSegmentSeconds: 3);
    }

    [Fact]
    public async Task With_copying_off_a_qualifying_source_is_encoded()
    {
        var options = Options.Create(new TranscodingOptions { SourceCopy = false });
        var encoder = new FfmpegHlsEncoder(options, NullLogger<FfmpegHlsEncoder>.Instance);
        var source = SourceClips.Make("fits-360", 640, 360, 3);
        var (info, renditions) = await Plan(source);

        var output = await encoder.EncodeAsync(Request(source, info, renditions), new Progress<double>(), CancellationToken.None);

        Assert.Equal((false, SourceCopyCodes.Disabled), (output.TopRung.Copy, output.TopRung.Code));
        HlsOutputAssert.Playable(output, info, renditions, Segment);
    }

    [Fact]
    public async Task The_scanner_lists_key_frames_size_and_length_without_decoding()
    {
        var source = SourceClips.Make("irregular-keyframes", 854, 480, 8, keyframeSeconds: [1.5, 2.5, 4.4, 6.1, 7]);

        var scan = await new FfprobeKeyframeScanner(_options.Value).ScanAsync(source, CancellationToken.None);

        Assert.Equal([0, 1.5, 2.5, 4.4, 6.1, 7], scan.Index.KeyframeSeconds.Select(k => Math.Round(k, 3)));
        Assert.Equal(8, scan.Index.DurationSeconds, precision: 2);
        Assert.Equal(VideoStreamBytes(source), scan.Index.VideoBytes);
        Assert.Equal(0, scan.FirstPacketSeconds, precision: 3);
    }

    private async Task<(MediaInfo Info, IReadOnlyList<Rendition> Renditions)> Plan(string source)
    {
        var info = await _probe.ProbeAsync(source, CancellationToken.None);
        return (info, HlsLadder.Plan(info.DisplayWidth, info.DisplayHeight, HlsLadder.DefaultRungs));
    }

    private Task<HlsOutput> Encode(string source, MediaInfo info, IReadOnlyList<Rendition> renditions) =>
        _encoder.EncodeAsync(Request(source, info, renditions), new Progress<double>(), CancellationToken.None);

    private HlsEncodeRequest Request(string source, MediaInfo info, IReadOnlyList<Rendition> renditions) =>
        new(source, info, renditions, Path.Combine(_outputRoot, Guid.NewGuid().ToString("N")), Segment);

    /// <summary>The MD5 of every decoded picture of the first video stream, in order (ffmpeg's framemd5, hashes only).</summary>
    private static List<string> DecodedFrameHashes(string path)
    {
        var output = Run("ffmpeg", ["-hide_banner", "-nostdin", "-v", "error", "-i", path, "-map", "0:v:0", "-f", "framemd5", "-"]);
        return output.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split(',')[^1].Trim()).ToList();
    }

    private static long VideoStreamBytes(string path) =>
        Run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=size", "-of", "csv=p=0", path])
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Sum(l => long.Parse(l, CultureInfo.InvariantCulture));

    private static string Run(string command, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{command} failed: {stderr.Result}");
        return stdout;
    }
}
