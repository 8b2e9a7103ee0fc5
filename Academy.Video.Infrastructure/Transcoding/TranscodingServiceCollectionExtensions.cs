using Academy.Video.Application.Transcoding;
using Academy.Video.Infrastructure.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Academy.Video.Infrastructure.Transcoding;

public static class TranscodingServiceCollectionExtensions
{
    /// <summary>Registers the ffprobe/ffmpeg adapters for <see cref="IMediaProbe"/> and <see cref="IHlsEncoder"/>, and the attempt that runs them.</summary>
    public static IServiceCollection AddFfmpegTranscoding(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddSettings<TranscodingOptions>(configuration, TranscodingOptions.SectionName);

        services.AddSingleton<IMediaProbe, FfprobeMediaProbe>();
        services.AddSingleton<FfmpegHlsEncoder>();
        services.AddSingleton<IHlsEncoder>(sp => sp.GetRequiredService<FfmpegHlsEncoder>());
        // Chunked encoding (docs/decisions/0023-chunked-encoding.md) runs FFmpeg's own chunk commands.
        services.AddScoped<ChunkWork>();
        services.AddScoped<IChunkAttempt, ChunkAttemptRunner>();
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
