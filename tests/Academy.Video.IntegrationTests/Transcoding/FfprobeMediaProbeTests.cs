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
