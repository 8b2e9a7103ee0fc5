using Academy.Video.Domain.Captions;

namespace Academy.Video.UnitTests.Domain;

public sealed class GeneratedCaptionTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public void Segments_become_normalised_webvtt_cues_with_reserved_characters_escaped_and_empty_ones_left_out()
    {
        var track = GeneratedCaptions.ToTrack(
        [
            new TranscriptSegment(S(2.5), S(4), " then a --> b & <c>\n on two lines "),
            new TranscriptSegment(S(0), S(1.25), " Hello"),
            new TranscriptSegment(S(1.25), S(2), "   "),
            new TranscriptSegment(S(4), S(4), "zero length"),
        ])!;

        Assert.Equal(
            "WEBVTT\n\n00:00:00.000 --> 00:00:01.250\nHello\n\n00:00:02.500 --> 00:00:04.000\nthen a --&gt; b &amp; &lt;c&gt; on two lines\n\n" +
            "00:00:04.000 --> 00:00:04.500\nzero length\n",
            track.ToWebVtt());
    }

    [Fact]
    public void No_recognised_speech_is_no_track()
    {
        Assert.Null(GeneratedCaptions.ToTrack([new TranscriptSegment(S(0), S(1), " ")]));
        Assert.Null(GeneratedCaptions.ToTrack([]));
    }

    [Theory]
    [InlineData("ko", "한국어 (auto)")]
    [InlineData("en", "English (auto)")]
    [InlineData("en-US", "English (auto)")]
    [InlineData("hy", "hy (auto)")]
    public void Labels_name_the_language_and_say_auto(string language, string label) =>
        Assert.Equal(label, GeneratedCaptions.Label(language));
}
