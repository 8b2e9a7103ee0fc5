using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Media;
using Academy.Video.Infrastructure.Transcoding;
using Academy.Video.IntegrationTests.Media;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Academy.Video.IntegrationTests.Transcoding;

/// <summary>The MP4 and M4A for download, remuxed by real ffmpeg from a real encode's segments (docs/encoding.md, Downloads).</summary>
public sealed class DownloadsEncodeTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"academy-video-downloads-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task A_720p_ladder_gets_a_faststart_H264_AAC_MP4_of_its_720p_rung_and_an_AAC_M4A_listed_with_the_tree()
    {
        var encoder = Encoder(new TranscodingOptions());
        var (plan, output) = await EncodeAsync(encoder, TestClips.Generate(1280, 720, 4));

        var made = await encoder.AddDownloadsAsync(plan, output, NoFetch, CancellationToken.None);

        var downloads = Assert.IsType<HlsDownloads>(made.Downloads);
        Assert.Equal(("downloads/video.mp4", "720p", "downloads/audio.m4a"), (downloads.Video, downloads.Rendition, downloads.Audio));
        Assert.Contains("downloads/video.mp4", made.Files);
        Assert.Contains("downloads/audio.m4a", made.Files);
        // The rest of the tree is as it was, and the listing still matches the disk.
        HlsOutputAssert.Playable(made, plan.Request.Source, plan.Request.Renditions);
        var seconds = plan.Request.Source.Duration.TotalSeconds;
        DownloadAssert.Mp4(Path.Combine(made.OutputDirectory, downloads.Video), 1280, 720, seconds, withAudio: true);
        DownloadAssert.M4a(Path.Combine(made.OutputDirectory, downloads.Audio!), seconds);
        Assert.Equal(new FileInfo(Path.Combine(made.OutputDirectory, downloads.Video)).Length, downloads.VideoBytes);
        Assert.Equal(new FileInfo(Path.Combine(made.OutputDirectory, downloads.Audio!)).Length, downloads.AudioBytes);
        // A remux: the MP4's video packets are the 720p rung's, not a new encode.
        Assert.Equal(
            MediaTools.VideoPackets(Path.Combine(made.OutputDirectory, "720p", "index.m3u8")).Count,
            MediaTools.VideoPackets(Path.Combine(made.OutputDirectory, downloads.Video)).Count);
    }

    [Fact]
    public async Task A_source_without_audio_gets_the_MP4_alone()
    {
        var encoder = Encoder(new TranscodingOptions());
        var (plan, output) = await EncodeAsync(encoder, TestClips.Generate(854, 480, 3, withAudio: false));

        var made = await encoder.AddDownloadsAsync(plan, output, NoFetch, CancellationToken.None);

        var downloads = Assert.IsType<HlsDownloads>(made.Downloads);
        Assert.Equal(("480p", null), (downloads.Rendition, downloads.Audio));
        Assert.DoesNotContain(made.Files, f => f.EndsWith(".m4a", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(made.OutputDirectory, "downloads", "audio.m4a")));
        DownloadAssert.Mp4(Path.Combine(made.OutputDirectory, downloads.Video), 854, 480, plan.Request.Source.Duration.TotalSeconds, withAudio: false);
    }

    [Fact]
    public async Task With_downloads_off_nothing_is_made()
    {
        var encoder = Encoder(new TranscodingOptions { Downloads = false });
        var (plan, output) = await EncodeAsync(encoder, TestClips.Generate(854, 480, 3));

        var made = await encoder.AddDownloadsAsync(plan, output, NoFetch, CancellationToken.None);

        Assert.Same(output, made);
        Assert.False(Directory.Exists(Path.Combine(output.OutputDirectory, "downloads")));
    }

    private static Task NoFetch(IReadOnlyList<string> relativePaths, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"a clean encode has every segment, yet {string.Join(", ", relativePaths)} were fetched");

    private static FfmpegHlsEncoder Encoder(TranscodingOptions options) => new(Options.Create(options), NullLogger<FfmpegHlsEncoder>.Instance);

    private async Task<(HlsEncodePlan Plan, HlsOutput Output)> EncodeAsync(FfmpegHlsEncoder encoder, string source)
    {
        var info = await new FfprobeMediaProbe(Options.Create(new TranscodingOptions())).ProbeAsync(source, CancellationToken.None);
        var renditions = HlsLadder.Plan(info.DisplayWidth, info.DisplayHeight, HlsLadder.DefaultRungs);
        var request = new HlsEncodeRequest(source, info, renditions, Path.Combine(_root, Guid.NewGuid().ToString("N")[..8]), TimeSpan.FromSeconds(2));
        var plan = await encoder.PlanAsync(request, CancellationToken.None);
        return (plan, await encoder.EncodeAsync(plan, null, new Progress<double>(), new RecordingSegments(), CancellationToken.None));
    }
}
