namespace Academy.Video.Domain.Media;

/// <summary>How a lecture's video is encoded (docs/encoding.md, Slides profile), as stored with the job.</summary>
public static class LectureProfileKind
{
    /// <summary>Mostly still pictures: encoded with the slides settings.</summary>
    public const string Slides = "slides";

    /// <summary>A moving picture (or one that could not be told apart): encoded with the usual settings.</summary>
    public const string Camera = "camera";

    /// <summary><c>Transcoding:SlidesProfile</c> is off: not analysed, encoded with the usual settings.</summary>
    public const string Disabled = "disabled";
}

/// <summary>
/// What the worker decided about a source's picture from a cheap analysis of a small grey copy at 2 frames a second:
/// <paramref name="StillShare"/> is the share of consecutive analysed frames that are near-identical (0–1),
/// <paramref name="Motion"/> the mean difference between consecutive analysed frames (luma, 0–255), and
/// <paramref name="AnalyzedSeconds"/> how much of the source was analysed. The figures are null when it was not analysed.
/// </summary>
public sealed record LectureProfile(string Kind, double? StillShare = null, double? Motion = null, double? AnalyzedSeconds = null)
{
    public static LectureProfile Disabled { get; } = new(LectureProfileKind.Disabled);

    /// <summary>Whether the encode uses the slides settings.</summary>
    public bool IsSlides => Kind == LectureProfileKind.Slides;
}
