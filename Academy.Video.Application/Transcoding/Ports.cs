using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;

namespace Academy.Video.Application.Transcoding;

public interface IMediaProbe
{
    /// <exception cref="TranscodeFailedException">With a permanent error when the file is not a decodable video.</exception>
    Task<MediaInfo> ProbeAsync(string filePath, CancellationToken cancellationToken);
}

/// <summary>
/// Encodes the whole ladder in one process: decode once, encode every rendition (or copy the source's video as the
/// top one when it already fits), audio once for all of them, write HLS with a master that declares measured rates.
/// </summary>
public interface IHlsEncoder
{
    /// <param name="progress">Fraction done, 0..1, as the encoder reports it.</param>
    Task<HlsOutput> EncodeAsync(HlsEncodeRequest request, IProgress<double> progress, CancellationToken cancellationToken);
}

public sealed record HlsEncodeRequest(
    string SourcePath,
    MediaInfo Source,
    IReadOnlyList<Rendition> Renditions,
    string OutputDirectory,
    TimeSpan SegmentDuration);

/// <param name="Files">Every file written, relative to <see cref="OutputDirectory"/> with '/' separators, master playlist included.</param>
public sealed record HlsOutput(string OutputDirectory, string MasterPlaylist, IReadOnlyList<string> Files)
{
    /// <summary>Whether the top rung is the source's video copied, and why: to be logged and kept with the job.</summary>
    public SourceCopyDecision TopRung { get; init; } = SourceCopyDecision.Encode("NOT_REPORTED", "the encoder did not say");
}

/// <summary>An adapter's classified failure: the error says whether another attempt can help.</summary>
public sealed class TranscodeFailedException(JobError error, Exception? inner = null) : Exception(error.Message, inner)
{
    public JobError Error { get; } = error;
}
