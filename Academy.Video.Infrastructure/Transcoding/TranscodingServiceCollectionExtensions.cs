using Academy.Video.Application.Transcoding;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Academy.Video.Infrastructure.Transcoding;

public static class TranscodingServiceCollectionExtensions
{
    /// <summary>Registers the ffprobe/ffmpeg adapters for <see cref="IMediaProbe"/> and <see cref="IHlsEncoder"/>, and the attempt that runs them.</summary>
    public static IServiceCollection AddFfmpegTranscoding(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<TranscodingOptions>()
            .Bind(configuration.GetSection(TranscodingOptions.SectionName))
            .Validate(o => TranscodingOptions.X264Presets.Contains(o.Preset), $"Transcoding:Preset must be one of: {string.Join(", ", TranscodingOptions.X264Presets)}.")
            .Validate(o => o.Threads >= 0, "Transcoding:Threads must be 0 (automatic) or more.")
            .Validate(o => o.Crf is >= 0 and <= 51, "Transcoding:Crf must be between 0 and 51.")
            .Validate(o => string.IsNullOrWhiteSpace(o.FFmpegDirectory) || Directory.Exists(o.FFmpegDirectory), "Transcoding:FFmpegDirectory does not exist.")
            .ValidateOnStart();

        services.AddSingleton<IMediaProbe, FfprobeMediaProbe>();
        services.AddSingleton<IHlsEncoder, FfmpegHlsEncoder>();
        return services.AddTranscodeAttempt();
    }

    /// <summary>Registers <see cref="ITranscodeAttempt"/>: it runs whichever <see cref="IMediaProbe"/> and <see cref="IHlsEncoder"/> are registered.</summary>
    public static IServiceCollection AddTranscodeAttempt(this IServiceCollection services)
    {
        services.AddScoped<HlsPublisher>();
        services.AddScoped<ITranscodeAttempt, TranscodeAttemptRunner>();
        return services;
    }
}
