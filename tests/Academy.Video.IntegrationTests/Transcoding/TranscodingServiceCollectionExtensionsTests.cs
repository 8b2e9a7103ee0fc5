using Academy.Video.Application.Transcoding;
using Academy.Video.Infrastructure.Transcoding;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Academy.Video.IntegrationTests.Transcoding;

public sealed class TranscodingServiceCollectionExtensionsTests
{
    [Fact]
    public void Registers_the_ffmpeg_adapters_with_options_from_the_Transcoding_section()
    {
        using var provider = Provider(new() { ["Transcoding:Preset"] = "faster", ["Transcoding:Threads"] = "2", ["Transcoding:FFmpegDirectory"] = "/usr/bin" });

        Assert.IsType<FfprobeMediaProbe>(provider.GetRequiredService<IMediaProbe>());
        Assert.IsType<FfmpegHlsEncoder>(provider.GetRequiredService<IHlsEncoder>());
        var options = provider.GetRequiredService<IOptions<TranscodingOptions>>().Value;
        Assert.Equal(("faster", 2, "/usr/bin"), (options.Preset, options.Threads, options.FFmpegDirectory));
    }

    [Fact]
    public void Defaults_to_veryfast_automatic_threads_and_PATH()
    {
        using var provider = Provider([]);

        var options = provider.GetRequiredService<IOptions<TranscodingOptions>>().Value;
        Assert.Equal(("veryfast", 0, null), (options.Preset, options.Threads, options.FFmpegDirectory));
    }

    [Theory]
    [InlineData("Transcoding:Preset", "fastest")]
    [InlineData("Transcoding:Threads", "-1")]
    [InlineData("Transcoding:FFmpegDirectory", "/no/such/ffmpeg/dir")]
    public void A_setting_that_would_fail_every_job_is_refused(string key, string value)
    {
        using var provider = Provider(new() { [key] = value });

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<TranscodingOptions>>().Value);
    }

    private static ServiceProvider Provider(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddFfmpegTranscoding(configuration).BuildServiceProvider();
    }
}
