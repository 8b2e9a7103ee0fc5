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
/// top one when it already fits), audio once for all of them, a poster and a storyboard from the same decode, and write
/// HLS with a master that declares measured rates. Each segment is reported as soon as it is complete on disk, so it
/// can be published while the rest is encoded; a resumed encode starts at a segment boundary and writes only the rest.
/// </summary>
public interface IHlsEncoder
{
    /// <summary>How the request will be encoded: whether the top rung is copied, and what identifies the output.</summary>
    /// <remarks>With <see cref="HlsEncodeRequest.MayDeferProfile"/>, a fast-path plan may come back before the slides-or-camera
    /// analysis ends (<see cref="HlsEncodePlan.PendingProfile"/>): <see cref="CompleteAsync"/> gives the whole plan.</remarks>
    Task<HlsEncodePlan> PlanAsync(HlsEncodeRequest request, CancellationToken cancellationToken);

    /// <summary>The plan with its profile decided and its fingerprint known: the plan itself when nothing was pending.</summary>
    Task<HlsEncodePlan> CompleteAsync(HlsEncodePlan plan, CancellationToken cancellationToken);

    /// <param name="resume">Null: encode everything. Otherwise the earlier segments this encode continues after: it writes
    /// the video segments from <see cref="HlsResumePoint.SegmentCount"/> on (audio, poster and storyboard whole) and
    /// playlists and a master that cover the whole, the reused segments included.</param>
    /// <param name="progress">Fraction done, 0..1, as the encoder reports it.</param>
    /// <param name="segments">Told of every segment this encode writes, once it is complete on disk.</param>
    Task<HlsOutput> EncodeAsync(HlsEncodePlan plan, HlsResumePoint? resume, IProgress<double> progress, IHlsSegmentSink segments, CancellationToken cancellationToken);

    /// <summary>
    /// The downloads (docs/encoding.md, Downloads; decision 0022): an MP4 of one rung at most 720p with the audio, and an M4A
    /// of the audio, remuxed from the finished tree's segments without a re-encode, written under <c>downloads/</c> of the
    /// output and added to its files (so they go up with the rest, before the master). Returns the output unchanged when
    /// downloads are off.
    /// </summary>
    /// <param name="fetchMissing">Brings the segments the playlists name that the output directory lacks (paths relative to
    /// it, where they must be written), in playlist order: a resumed encode's output lacks an earlier attempt's, a chunked
    /// job's assembler every other chunk's, and the MP4 is made from every segment. Not called when none is missing.</param>
    Task<HlsOutput> AddDownloadsAsync(HlsEncodePlan plan, HlsOutput output, Func<IReadOnlyList<string>, CancellationToken, Task> fetchMissing, CancellationToken cancellationToken);
}

/// <summary>Where segments go as the encoder closes them.</summary>
public interface IHlsSegmentSink
{
    /// <summary>A segment is complete on disk and listed in its variant's playlist. Called once per segment, in order within a variant.</summary>
    void SegmentClosed(HlsSegmentFile segment);
}

/// <param name="RelativePath">Under the output directory, '/'-separated: <c>&lt;variant&gt;/&lt;segment uri&gt;</c>.</param>
/// <param name="Last">The variant's final segment.</param>
public sealed record HlsSegmentFile(string Variant, HlsSegmentRecord Segment, string RelativePath, bool Last);

public sealed record HlsEncodeRequest(
    string SourcePath,
    MediaInfo Source,
    IReadOnlyList<Rendition> Renditions,
    string OutputDirectory,
    TimeSpan SegmentDuration)
{
    /// <summary>Where the poster is taken (the client's <c>posterAtSeconds</c>); null for the default.</summary>
    public double? PosterAtSeconds { get; init; }

    /// <summary>
    /// The loudness measurement the audio encode applies. On the way in, one an earlier attempt of the job recorded (reused,
    /// not measured again: a resumed encode must fingerprint alike); in the plan, what the encode will do.
    /// </summary>
    public LoudnessMeasurement? Loudness { get; init; }

    /// <summary>
    /// Whether the video is encoded as slides or camera (docs/encoding.md, Slides profile). On the way in, the decision an
    /// earlier attempt of the job recorded (reused, not analysed again: a resumed encode must fingerprint alike); in the
    /// plan, what the encode will do. Null encodes as a camera lecture.
    /// </summary>
    public LectureProfile? Profile { get; init; }

    /// <summary>
    /// Whether the plan may come back before the profile is decided when the top rung is copied (decision 0024): the copied
    /// rung and the audio do not depend on it and start at once. Only for an attempt with no earlier one to resume from,
    /// since a resume point is found by the whole plan's fingerprint.
    /// </summary>
    public bool MayDeferProfile { get; init; }
}

/// <summary>What an encode will be, decided before it runs.</summary>
/// <param name="TopRung">Whether the top rung is the source's video copied, and why: logged and kept with the job.</param>
/// <param name="Fingerprint">Identifies the output: two encodes with one fingerprint cut and encode alike, so one's segments can stand in for the other's.</param>
/// <param name="VideoVariants">The video variants' names, top first.</param>
/// <param name="AudioVariant">The audio rendition's name; null without audio.</param>
public sealed record HlsEncodePlan(
    HlsEncodeRequest Request,
    SourceCopyDecision TopRung,
    string Fingerprint,
    IReadOnlyList<string> VideoVariants,
    string? AudioVariant)
{
    /// <summary>Where the source's first video packet sits on the output's clock (a copied stream's cuts are shifted by it).</summary>
    public double VideoStartSeconds { get; init; }

    /// <summary>Whether an encode of this plan can start at a segment boundary (almost always; not for a ladder with too many boundaries to list).</summary>
    public bool Resumable { get; init; } = true;

    /// <summary>What the audio encode does about loudness (measured and normalised, or why not): kept with the job.</summary>
    public LoudnessMeasurement Loudness => Request.Loudness ?? LoudnessMeasurement.Disabled;

    /// <summary>Whether the video is encoded as slides or camera, with the analysis's figures: kept with the job.</summary>
    public LectureProfile Profile => Request.Profile ?? LectureProfile.Disabled;

    /// <summary>
    /// The profile analysis still running (decision 0024): the plan's <see cref="Profile"/> and <see cref="Fingerprint"/> are not
    /// known yet, only what the copied rung and the audio need. Null when the plan is whole.
    /// </summary>
    public Task<LectureProfile>? PendingProfile { get; init; }
}

/// <param name="Files">Every file this encode wrote, relative to <see cref="OutputDirectory"/> with '/' separators, master playlist
/// included. Segments reused from an earlier attempt are not here: they are in storage already.</param>
public sealed record HlsOutput(string OutputDirectory, string MasterPlaylist, IReadOnlyList<string> Files)
{
    /// <summary>Whether the top rung is the source's video copied, and why: to be logged and kept with the job.</summary>
    public SourceCopyDecision TopRung { get; init; } = SourceCopyDecision.Encode("NOT_REPORTED", "the encoder did not say");

    /// <summary>The variant playlists (video and audio): they name every segment, so they go up after all of them.</summary>
    public IReadOnlyList<string> VariantPlaylists { get; init; } = [];

    /// <summary>The poster JPEG, when the encode wrote one.</summary>
    public string? Poster { get; init; }

    /// <summary>The storyboard's WebVTT index, when the encode wrote one (its sprite is in <see cref="Files"/>).</summary>
    public string? Storyboard { get; init; }

    /// <summary>The MP4 and M4A made for download (in <see cref="Files"/>), when they were made.</summary>
    public HlsDownloads? Downloads { get; init; }

    /// <summary>The chapters found at the slide changes (thumbnail keys relative to the output directory); empty when none.</summary>
    public IReadOnlyList<VideoChapter> Chapters { get; init; } = [];

    /// <summary>The chapters' WebVTT track (kind chapters), when there are chapters.</summary>
    public string? ChaptersTrack { get; init; }
}

/// <param name="Video">The MP4's path under the output directory.</param>
/// <param name="Rendition">The rung it was made from.</param>
/// <param name="Audio">The M4A's path; null without audio.</param>
/// <param name="Elapsed">How long the remux took, fetching reused segments included.</param>
public sealed record HlsDownloads(string Video, string Rendition, long VideoBytes, string? Audio, long AudioBytes, TimeSpan Elapsed);

/// <summary>An adapter's classified failure: the error says whether another attempt can help.</summary>
public sealed class TranscodeFailedException(JobError error, Exception? inner = null) : Exception(error.Message, inner)
{
    public JobError Error { get; } = error;
}
