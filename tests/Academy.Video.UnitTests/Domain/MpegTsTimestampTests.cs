using System.Text;
using Academy.Video.Domain.Captions;
using Academy.Video.Domain.Media;

namespace Academy.Video.UnitTests.Domain;

public sealed class MpegTsTimestampTests
{
    /// <summary>A 188-byte packet; with <paramref name="pts"/> it starts a video PES carrying that PTS, after an adaptation field of <paramref name="stuffing"/> bytes when given.</summary>
    private static byte[] Packet(long? pts, int? stuffing = null, bool start = true, byte streamId = 0xE0)
    {
        var packet = new byte[MpegTsTimestamps.PacketSize];
        Array.Fill(packet, (byte)0xFF);
        packet[0] = 0x47;
        packet[1] = (byte)((start ? 0x40 : 0) | 0x01);
        packet[2] = 0x00;
        packet[3] = (byte)((stuffing is null ? 0x10 : 0x30) | 0x3);
        var at = 4;
        if (stuffing is { } length)
        {
            packet[4] = (byte)length;
            at += 1 + length;
        }

        if (pts is { } p)
        {
            byte[] pes = [0, 0, 1, streamId, 0, 0, 0x80, 0x80, 5,
                (byte)(0x21 | ((p >> 29) & 0x0E)), (byte)(p >> 22), (byte)(0x01 | ((p >> 14) & 0xFE)), (byte)(p >> 7), (byte)(0x01 | ((p << 1) & 0xFE))];
            pes.CopyTo(packet, at);
        }

        return packet;
    }

    [Fact]
    public void The_lowest_PTS_of_the_PES_starts_is_read_in_any_packet_order_and_across_33_bits()
    {
        byte[] stream = [.. Packet(126_000), .. Packet(null, start: false), .. Packet(120_000, stuffing: 7), .. Packet(123_000)];
        Assert.Equal(120_000, MpegTsTimestamps.LowestPts(stream));
        Assert.Equal((1L << 33) - 1, MpegTsTimestamps.LowestPts(Packet((1L << 33) - 1)));
        Assert.Equal(0x1_2345_6789, MpegTsTimestamps.LowestPts(Packet(0x1_2345_6789)));
    }

    [Fact]
    public void A_trailing_partial_packet_is_ignored_and_payloads_without_a_PES_start_or_header_carry_no_PTS()
    {
        Assert.Equal(90_000, MpegTsTimestamps.LowestPts([.. Packet(90_000), .. Packet(1)[..100]]));
        // Not a payload start, a padding stream (no optional header), an adaptation field filling the packet.
        Assert.Null(MpegTsTimestamps.LowestPts([.. Packet(5, start: false), .. Packet(6, streamId: 0xBE), .. Packet(null, stuffing: 183)]));
    }

    [Fact]
    public void Bytes_that_are_not_a_transport_stream_are_refused()
    {
        Assert.Throws<MpegTsFormatException>(() => MpegTsTimestamps.LowestPts(Encoding.ASCII.GetBytes("WEBVTT\n\n")));
        var shifted = new byte[2 * MpegTsTimestamps.PacketSize];
        Packet(1).CopyTo(shifted, 0);
        shifted[MpegTsTimestamps.PacketSize] = 0x00;
        Assert.Contains("offset 188", Assert.Throws<MpegTsFormatException>(() => MpegTsTimestamps.LowestPts(shifted)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_WebVTT_header_carries_the_timestamp_map_when_the_media_start_is_known_and_cue_times_stay_file_times()
    {
        var file = CaptionTrackFile.Parse(Encoding.UTF8.GetBytes("1\n00:00:04,000 --> 00:00:07,000\n오늘은\n"));
        Assert.Equal("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:120000,LOCAL:00:00:00.000\n\n00:00:04.000 --> 00:00:07.000\n오늘은\n", file.ToWebVtt(120_000));
        Assert.Equal("WEBVTT\n\n00:00:04.000 --> 00:00:07.000\n오늘은\n", file.ToWebVtt());
    }

    [Fact]
    public void The_lowest_bandwidth_variant_and_a_playlists_first_segment_are_found()
    {
        const string master = "#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\",URI=\"audio/index.m3u8\"\n" +
                              "#EXT-X-STREAM-INF:BANDWIDTH=2000000,CODECS=\"avc1.64001f,mp4a.40.2\",AUDIO=\"aud\"\n720p/index.m3u8\n" +
                              "#EXT-X-STREAM-INF:AVERAGE-BANDWIDTH=100,BANDWIDTH=800000,RESOLUTION=640x360\r\n360p/index.m3u8\r\n" +
                              "#EXT-X-STREAM-INF:BANDWIDTH=130000,AVERAGE-BANDWIDTH=128000,CODECS=\"mp4a.40.2\"\naudio/index.m3u8\n";
        // The audio-only variant is the lowest, but its segments carry no video timestamps: the lowest video variant is meant.
        Assert.Equal("360p/index.m3u8", SubtitlePlaylists.LowestBandwidthVariant(master));
        Assert.Null(SubtitlePlaylists.LowestBandwidthVariant("#EXTM3U\n"));
        Assert.Equal("seg_00000.ts", SubtitlePlaylists.FirstSegment("#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6.0,\nseg_00000.ts\n#EXTINF:6.0,\nseg_00001.ts\n"));
        Assert.Null(SubtitlePlaylists.FirstSegment("#EXTM3U\n#EXT-X-ENDLIST\n"));
    }
}
