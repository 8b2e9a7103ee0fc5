using System.Text;
using Academy.Video.Domain.Captions;

namespace Academy.Video.UnitTests.Domain;

public sealed class CaptionParserTests
{
    private static CaptionTrackFile Parse(string text, bool bom = false) =>
        CaptionTrackFile.Parse((bom ? [0xEF, 0xBB, 0xBF] : Array.Empty<byte>()).Concat(Encoding.UTF8.GetBytes(text)).ToArray());

    private static int BrokenLine(string text) => Assert.Throws<CaptionFormatException>(() => Parse(text)).Line;

    [Fact]
    public void An_SRT_file_with_a_BOM_and_CRLF_becomes_WebVTT_with_dot_timings()
    {
        var file = Parse("1\r\n00:00:01,000 --> 00:00:02,500\r\n안녕하세요\r\n\r\n2\r\n00:00:03,000 --> 01:00:04,010\r\n<i>두 줄</i>\r\n둘째 줄\r\n", bom: true);

        Assert.True(file.WasSrt);
        Assert.Equal(
            "WEBVTT\n\n00:00:01.000 --> 00:00:02.500\n안녕하세요\n\n00:00:03.000 --> 01:00:04.010\n<i>두 줄</i>\n둘째 줄\n",
            file.ToWebVtt());
        Assert.Equal(TimeSpan.Parse("01:00:04.010", System.Globalization.CultureInfo.InvariantCulture), file.End);
    }

    [Fact]
    public void A_WebVTT_file_keeps_its_settings_and_style_drops_notes_and_gains_hours()
    {
        var file = Parse("WEBVTT - lecture\nKind: captions\n\nSTYLE\n::cue { color: yellow }\n\nNOTE written by hand\n\nintro\n00:01.000 --> 00:02.000 align:start line:0\nHello\n\n00:02.000 --> 00:03.000\nWorld\n");

        Assert.False(file.WasSrt);
        Assert.Equal(
            "WEBVTT\n\nSTYLE\n::cue { color: yellow }\n\n00:00:01.000 --> 00:00:02.000 align:start line:0\nHello\n\n00:00:02.000 --> 00:00:03.000\nWorld\n",
            file.ToWebVtt());
    }

    [Theory]
    [InlineData("1\n00:00:02,000 --> 00:00:01,000\nBackwards\n", 2)]
    [InlineData("1\n00:00:01,000 --> 00:00:02,000\nFine\n\n2\n00:00:03,000 -> 00:00:04,000\nNo arrow\n", 6)]
    [InlineData("1\n00:00:01,000 --> 00:00:02,000\nFine\n\n2\n00:00:03:000 --> 00:00:04,000\nColon\n", 6)]
    [InlineData("1\n00:00:01,000 --> 00:00:02,000\nFine\n2\n00:00:03,000 --> 00:00:04,000\nNo blank line\n", 5)]
    [InlineData("\n\nnot a caption file\n", 3)]
    [InlineData("WEBVTT\n\n00:01.000 --> 00:61.000\nBad seconds\n", 3)]
    [InlineData("WEBVTT\n\n00:00:01,000 --> 00:00:02,000\nSRT commas in VTT\n", 3)]
    [InlineData("WEBVTT\n\n00:01.000 --> 00:02.000\nA\n\nSTYLE\n::cue {}\n", 6)]
    public void A_broken_file_names_the_line_it_broke_on(string text, int line) =>
        Assert.Equal(line, BrokenLine(text));

    [Fact]
    public void Bytes_that_are_not_UTF8_are_refused_with_their_line()
    {
        var bytes = Encoding.UTF8.GetBytes("1\n00:00:01,000 --> 00:00:02,000\n").Concat(new byte[] { 0xC3, 0x28 }).ToArray();
        Assert.Equal(3, Assert.Throws<CaptionFormatException>(() => CaptionTrackFile.Parse(bytes)).Line);
    }

    [Fact]
    public void An_empty_file_is_refused() => Assert.Equal(1, BrokenLine("\n \n"));

    [Theory]
    [InlineData("ko", "ko")]
    [InlineData("EN-us", "en-US")]
    [InlineData("zh-hant-tw", "zh-Hant-TW")]
    [InlineData("es-419", "es-419")]
    public void Language_tags_are_normalised(string tag, string expected)
    {
        Assert.True(CaptionLanguage.TryNormalize(tag, out var normalized));
        Assert.Equal(expected, normalized);
    }

    [Theory]
    [InlineData("")]
    [InlineData("english")]
    [InlineData("en_US")]
    [InlineData("../ko")]
    [InlineData("en-US-x-private")]
    public void Other_language_tags_are_refused(string tag) => Assert.False(CaptionLanguage.TryNormalize(tag, out _));
}

public sealed class SubtitlePlaylistTests
{
    private const string Master = "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n"
        + "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"default\",DEFAULT=YES,AUTOSELECT=YES,CHANNELS=\"2\",URI=\"audio/index.m3u8\"\n"
        + "#EXT-X-STREAM-INF:BANDWIDTH=900000,RESOLUTION=640x360,CODECS=\"avc1.64001e,mp4a.40.2\",AUDIO=\"audio\"\n360p/index.m3u8\n"
        + "#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=426x240,CODECS=\"avc1.640015,mp4a.40.2\",AUDIO=\"audio\"\n240p/index.m3u8\n";

    private static readonly SubtitleRendition Korean = new("ko", CaptionKind.Subtitles, "한국어", "captions/ko-subtitles.m3u8");

    [Fact]
    public void The_master_gains_the_renditions_and_every_variant_names_the_group()
    {
        var master = SubtitlePlaylists.RewriteMaster(Master, [Korean, new("en", CaptionKind.Captions, "English", "captions/en-captions.m3u8")]);

        Assert.Contains("#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"한국어\",LANGUAGE=\"ko\",AUTOSELECT=YES,DEFAULT=NO,URI=\"captions/ko-subtitles.m3u8\"\n", master, StringComparison.Ordinal);
        Assert.Contains("LANGUAGE=\"en\",AUTOSELECT=YES,DEFAULT=NO,CHARACTERISTICS=", master, StringComparison.Ordinal);
        Assert.Equal(2, master.Split('\n').Count(l => l.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal) && l.EndsWith(",SUBTITLES=\"subs\"", StringComparison.Ordinal)));
        Assert.Contains("CODECS=\"avc1.64001e,mp4a.40.2\",AUDIO=\"audio\",SUBTITLES=\"subs\"\n360p/index.m3u8\n", master, StringComparison.Ordinal);
    }

    [Fact]
    public void Rewriting_is_idempotent_and_no_tracks_gives_the_transcoded_master_back()
    {
        var once = SubtitlePlaylists.RewriteMaster(Master, [Korean]);

        Assert.Equal(once, SubtitlePlaylists.RewriteMaster(once, [Korean]));
        Assert.Equal(Master, SubtitlePlaylists.RewriteMaster(once, []));
    }

    [Fact]
    public void A_track_playlist_is_one_segment_spanning_the_video() =>
        Assert.Equal(
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:5\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:4.200,\nko-subtitles.vtt\n#EXT-X-ENDLIST\n",
            SubtitlePlaylists.MediaPlaylist("ko-subtitles.vtt", 4.2));
}

public sealed class TranscriptCueTests
{
    [Fact]
    public void A_cue_is_searched_as_its_lines_joined_without_tags_with_references_decoded_and_times_in_milliseconds()
    {
        var file = CaptionTrackFile.Parse(Encoding.UTF8.GetBytes(
            "WEBVTT\n\n41:10.000 --> 01:41:14.250\n<v Prof. Kim>오늘은 <i>미분</i>을</v>\n<c.loud>a &lt; b &amp;&amp; c &gt; d</c>&nbsp;<00:41:12.000>end\n"));

        var cue = TranscriptCue.From(file.Cues.Single());

        Assert.Equal((2_470_000, 6_074_250), (cue.StartMs, cue.EndMs));
        Assert.Equal("오늘은 미분을 a < b && c > d\u00A0end", cue.Text);
    }

    [Fact]
    public void A_lone_angle_bracket_in_SRT_text_is_not_a_tag_that_swallows_the_rest() =>
        Assert.Equal("x > 3 and y < 4 or <b", TranscriptCue.From(new CaptionCue(TimeSpan.Zero, TimeSpan.FromSeconds(1), "", ["x > 3 and y <b>< 4", "or <b"])).Text);
}
