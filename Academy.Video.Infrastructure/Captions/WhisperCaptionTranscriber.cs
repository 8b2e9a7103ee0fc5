using Academy.Video.Application.Captions;
using Academy.Video.Application.Common;
using Academy.Video.Application.Storage;
using Academy.Video.Domain.Captions;
using Academy.Video.Infrastructure.Transcoding;
using Microsoft.Extensions.Options;
using Whisper.net;

namespace Academy.Video.Infrastructure.Captions;

/// <summary>
/// Whisper.net (MIT) over whisper.cpp: the source's first audio stream is extracted by ffmpeg to 16 kHz mono 16-bit
/// WAV (what whisper.cpp takes), then transcribed on the CPU by the native runtime Whisper.net.Runtime ships for the
/// platform (docs/operations.md, generated captions). The model is the operator's file; this class downloads nothing.
/// </summary>
public sealed class WhisperCaptionTranscriber(
    IOptions<CaptionOptions> captions, IOptions<TranscodingOptions> transcoding, IOptions<WorkerOptions> worker, IObjectStorage storage) : ICaptionTranscriber
{
    public async Task<Transcription> TranscribeAsync(string sourceKey, string workName, string language, CancellationToken cancellationToken)
    {
        var workDirectory = Path.Combine(worker.Value.WorkDirectory, workName);
        Directory.CreateDirectory(workDirectory);
        try
        {
            return await TranscribeInAsync(workDirectory, sourceKey, language, cancellationToken);
        }
        finally
        {
            try
            {
                Directory.Delete(workDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private async Task<Transcription> TranscribeInAsync(string workDirectory, string sourceKey, string language, CancellationToken cancellationToken)
    {
        var settings = captions.Value.Whisper;
        var modelPath = settings.ModelPath;
        // The model is checked before the audio is extracted: a missing model fails fast and names itself.
        if (string.IsNullOrWhiteSpace(modelPath) || !File.Exists(modelPath))
        {
            throw new CaptionTranscriptionException(CaptionGenerationCodes.ModelUnavailable, $"The Whisper model file '{modelPath}' does not exist (Captions:Whisper:ModelPath).");
        }

        WhisperFactory factory;
        try
        {
            factory = WhisperFactory.FromPath(modelPath);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            throw new CaptionTranscriptionException(CaptionGenerationCodes.ModelUnavailable,
                $"The Whisper model file '{modelPath}' could not be loaded: {error.Message}", error);
        }

        using (factory)
        {
            var sourcePath = Path.Combine(workDirectory, "source");
            await storage.DownloadToFileAsync(sourceKey, sourcePath, cancellationToken);
            var wavPath = Path.Combine(workDirectory, "audio-16k-mono.wav");
            await ExtractAudioAsync(sourcePath, wavPath, cancellationToken);
            var builder = factory.CreateBuilder().WithLanguage(language);
            if (settings.Threads > 0)
            {
                builder = builder.WithThreads(settings.Threads);
            }

            WhisperProcessor processor;
            try
            {
                processor = builder.Build();
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                throw new CaptionTranscriptionException(CaptionGenerationCodes.ModelUnavailable,
                    $"The Whisper model file '{modelPath}' could not be loaded: {error.Message}", error);
            }

            await using (processor)
            {
                var segments = new List<TranscriptSegment>();
                string? detected = null;
                await using var wav = File.OpenRead(wavPath);
                await foreach (var segment in processor.ProcessAsync(wav, cancellationToken))
                {
                    detected ??= segment.Language;
                    segments.Add(new TranscriptSegment(segment.Start, segment.End, segment.Text));
                }

                var spoken = language != WhisperCaptionOptions.AutoLanguage ? language : detected ?? "und";
                return new Transcription(spoken, segments);
            }
        }
    }

    private async Task ExtractAudioAsync(string sourcePath, string wavPath, CancellationToken cancellationToken)
    {
        string[] arguments = ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", sourcePath, "-map", "0:a:0", "-vn", "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le", "-f", "wav", wavPath];
        var exit = await ToolProcess.RunAsync(ToolProcess.Executable(transcoding.Value, "ffmpeg"), arguments, null, cancellationToken);
        if (exit.ExitCode == 0)
        {
            return;
        }

        if (exit.Tail.Contains("matches no streams", StringComparison.OrdinalIgnoreCase))
        {
            throw new CaptionTranscriptionException(CaptionGenerationCodes.NoAudio, "The source has no audio track.");
        }

        throw new InvalidOperationException($"ffmpeg could not extract the audio (exit {exit.ExitCode}): {exit.Tail}");
    }
}
