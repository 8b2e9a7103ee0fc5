using Academy.Video.Application.Common;
using FluentValidation;

namespace Academy.Video.Infrastructure.Transcoding;

/// <summary>Section <c>Transcoding</c>, checked at start: a preset or CRF ffmpeg refuses would fail every job.</summary>
public sealed class TranscodingOptionsValidator : AbstractValidator<TranscodingOptions>
{
    public TranscodingOptionsValidator()
    {
        RuleFor(o => o.Preset).Must(TranscodingOptions.X264Presets.Contains)
            .WithSettingsMessage($"Transcoding:Preset must be one of: {string.Join(", ", TranscodingOptions.X264Presets)}.");
        RuleFor(o => o.Threads).GreaterThanOrEqualTo(0).WithSettingsMessage("Transcoding:Threads must be 0 (automatic) or more.");
        RuleFor(o => o.Crf).InclusiveBetween(0, 51).WithSettingsMessage("Transcoding:Crf must be between 0 and 51.");
        // loudnorm's own ranges are wider (I -70..-5, TP -9..0); below -31 LUFS nothing a lecture is played on is intended.
        RuleFor(o => o.LoudnessTarget).InclusiveBetween(-31, -5).WithSettingsMessage("Transcoding:LoudnessTarget must be between -31 and -5 LUFS.");
        RuleFor(o => o.TruePeakCeiling).InclusiveBetween(-9, 0).WithSettingsMessage("Transcoding:TruePeakCeiling must be between -9 and 0 dBTP.");
        RuleFor(o => o.SlidesFrameRate).InclusiveBetween(5, 30).WithSettingsMessage("Transcoding:SlidesFrameRate must be between 5 and 30 frames a second.");
        RuleFor(o => o.ChunkThreshold).GreaterThanOrEqualTo(TimeSpan.Zero).WithSettingsMessage("Transcoding:ChunkThreshold must be 0 (off) or more.");
        RuleFor(o => o.ChunkLength).GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)).WithSettingsMessage("Transcoding:ChunkLength must be at least 1 second.");
        RuleFor(o => o.MaxChunks).InclusiveBetween(1, 64).WithSettingsMessage("Transcoding:MaxChunks must be between 1 and 64.");
        RuleFor(o => o.FFmpegDirectory).Must(d => string.IsNullOrWhiteSpace(d) || Directory.Exists(d))
            .WithSettingsMessage("Transcoding:FFmpegDirectory does not exist.");
    }
}
