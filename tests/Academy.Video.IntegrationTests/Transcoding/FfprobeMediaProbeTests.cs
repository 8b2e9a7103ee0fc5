using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Jobs;
using Academy.Video.Infrastructure.Transcoding;
using Academy.Video.IntegrationTests.Media;
using Microsoft.Extensions.Options;

namespace Academy.Video.IntegrationTests.Transcoding;

public sealed class FfprobeMediaProbeTests
{
    private readonly FfprobeMediaProbe _probe = new(Options.Create(new TranscodingOptions()));

    [Fact]
    public async Task Reads_size_duration_rate_audio_and_codec_of_a_video()
    {
        var info = await _probe.ProbeAsync(TestClips.Generate(640, 360, 3), CancellationToken.None);

        Assert.Equal((640, 360), (info.Width, info.Height));
        Assert.Equal(0, info.RotationDegrees);
        Assert.InRange(info.Duration.TotalSeconds, 2.9, 3.1);
        Assert.Equal(30, info.FramesPerSecond, precision: 3);
        Assert.True(info.HasAudio);
        Assert.Equal("h264", info.VideoCodec);
    }

    [Fact]
    public async Task Reads_what_the_fast_path_needs_pixel_format_field_order_bitrate_and_codec_string()
    {
        var info = await _probe.ProbeAsync(TestClips.Generate(640, 360, 3), CancellationToken.None);
        var interlaced = await _probe.ProbeAsync(
            SourceClips.Make("probe-interlaced-10bit", 640, 360, 2, filter: "setfield=tff", videoArguments: ["-c:v", "libx264", "-preset", "ultrafast", "-flags", "+ildct+ilme", "-pix_fmt", "yuv420p10le"]),
            CancellationToken.None);

        Assert.Equal(("yuv420p", "progressive"), (info.PixelFormat, info.FieldOrder));
        Assert.InRange(info.VideoBitrateKbps!.Value, 1, 5000);
        // ultrafast writes Constrained Baseline (profile 66 with constraint_set1): avc1.42c0 + the level.
        Assert.Matches("^avc1\\.42c0[0-9a-f]{2}$", info.VideoCodecString);
        Assert.Equal(("yuv420p10le", "tt"), (interlaced.PixelFormat, interlaced.FieldOrder));
        // High 10 is profile 110 (0x6e).
        Assert.StartsWith("avc1.6e", interlaced.VideoCodecString, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\n00000000: 0164 001f ffe1 0019 6764 001f acd9 4050  .d......gd....@P\n", "avc1.64001f")]
    [InlineData("\n00000000: 0000 0167 6400 1fac d940 5005 bb01 1000  ...gd....@P.....\n00000010: 0003 0010 0000 0303 c0f1 8319 6000 0000  ............`...\n", "avc1.64001f")]
    [InlineData("\n00000000: 0000 0001 6742 c028 da01 e008 9f97 0110  ....gB.(........\n", "avc1.42c028")]
    [InlineData("\n00000000: 0000 0001 4001 0c01 ffff 0160 0000 0300  ....@......`....\n", null)] // HEVC VPS: no SPS of H.264's
    [InlineData("", null)]
    [InlineData(null, null)]
    public void The_codec_string_is_read_from_avcC_and_from_Annex_B_extradata(string? dump, string? expected) =>
        Assert.Equal(expected, AvcCodecString.FromExtradata(dump));

    [Fact]
    public async Task Reads_the_rotation_of_a_phone_video_so_the_display_size_is_portrait()
    {
        var info = await _probe.ProbeAsync(TestClips.Generate(1280, 720, 3, withAudio: true, rotationDegrees: 90), CancellationToken.None);

        Assert.Equal((1280, 720), (info.Width, info.Height));
        Assert.Contains(info.RotationDegrees, (int[])[90, 270]);
        Assert.Equal((720, 1280), (info.DisplayWidth, info.DisplayHeight));
    }

    [Fact]
    public async Task A_video_without_audio_is_reported_so()
    {
        var info = await _probe.ProbeAsync(TestClips.Generate(640, 360, 3, withAudio: false), CancellationToken.None);

        Assert.False(info.HasAudio);
    }

    public static TheoryData<string, string> NotAVideo => new()
    {
        { nameof(TestClips.ZeroByte), JobErrorCodes.SourceEmpty },
        { nameof(TestClips.RandomBytes), JobErrorCodes.SourceUndecodable },
        { nameof(TestClips.TruncatedMp4), JobErrorCodes.SourceUndecodable },
        { nameof(TestClips.AudioOnly), JobErrorCodes.NoVideoStream },
    };

    [Theory]
    [MemberData(nameof(NotAVideo))]
    public async Task A_file_that_is_not_a_video_fails_permanently_with_its_code(string clip, string expectedCode)
    {
        var path = clip switch
        {
            nameof(TestClips.ZeroByte) => TestClips.ZeroByte(),
            nameof(TestClips.RandomBytes) => TestClips.RandomBytes(),
            nameof(TestClips.TruncatedMp4) => TestClips.TruncatedMp4(),
            _ => TestClips.AudioOnly(2),
        };

        var failure = await Assert.ThrowsAsync<TranscodeFailedException>(() => _probe.ProbeAsync(path, CancellationToken.None));

        Assert.Equal(expectedCode, failure.Error.Code);
        Assert.True(failure.Error.IsPermanent);
    }

    [Fact]
    public async Task A_missing_file_is_not_blamed_on_the_source()
    {
        await Assert.ThrowsAsync<FileNotFoundException>(() =>
            _probe.ProbeAsync(Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.mp4"), CancellationToken.None));
    }

    [Fact]
    public async Task A_cancelled_probe_throws_OperationCanceledException()
    {
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _probe.ProbeAsync(TestClips.Generate(640, 360, 3), cancellation.Token));
    }
}
