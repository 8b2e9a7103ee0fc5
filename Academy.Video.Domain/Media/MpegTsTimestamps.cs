namespace Academy.Video.Domain.Media;

/// <summary>Bytes that are not an MPEG transport stream (no 0x47 sync byte every 188 bytes from the start).</summary>
public sealed class MpegTsFormatException(string reason) : Exception(reason);

/// <summary>
/// Presentation timestamps of an MPEG-2 transport stream (ISO/IEC 13818-1 §2.4.3, §2.4.3.7): 188-byte packets, each
/// starting with the sync byte 0x47; a packet whose payload_unit_start_indicator is set starts a PES packet, whose
/// optional header may carry a 33-bit PTS in 90 kHz units. Hand-written: no TS parsing library is available to the
/// build, the API image ships no ffmpeg, and only this one field of the worker's own segments is read.
/// </summary>
public static class MpegTsTimestamps
{
    public const int PacketSize = 188;

    private const byte SyncByte = 0x47;

    /// <summary>
    /// The lowest PTS of the PES packets starting in <paramref name="bytes"/> (the segment, or its first bytes: a
    /// trailing partial packet is ignored); null when none carries a PTS. With B-frames the first PES in decode order
    /// is not always the earliest shown, hence the lowest rather than the first.
    /// </summary>
    /// <exception cref="MpegTsFormatException">The bytes are not a transport stream.</exception>
    public static long? LowestPts(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < PacketSize)
        {
            throw new MpegTsFormatException($"{bytes.Length} bytes are less than one {PacketSize}-byte transport stream packet.");
        }

        long? lowest = null;
        for (var offset = 0; offset + PacketSize <= bytes.Length; offset += PacketSize)
        {
            var packet = bytes.Slice(offset, PacketSize);
            if (packet[0] != SyncByte)
            {
                throw new MpegTsFormatException($"no transport stream sync byte at offset {offset} (0x{packet[0]:X2}).");
            }

            if (PesPts(packet) is { } pts && (lowest is null || pts < lowest))
            {
                lowest = pts;
            }
        }

        return lowest;
    }

    private static long? PesPts(ReadOnlySpan<byte> packet)
    {
        var payloadUnitStart = (packet[1] & 0x40) != 0;
        var adaptation = (packet[3] >> 4) & 0x3;
        if (!payloadUnitStart || (adaptation & 0x1) == 0)
        {
            return null;
        }

        var start = 4;
        if ((adaptation & 0x2) != 0)
        {
            start += 1 + packet[4];
        }

        // The PES header up to the PTS: start code prefix 00 00 01, stream_id, length (2), flags (2), header length, PTS (5).
        if (start + 14 > packet.Length)
        {
            return null;
        }

        var pes = packet[start..];
        if (pes[0] != 0 || pes[1] != 0 || pes[2] != 1 || !HasOptionalHeader(pes[3]) || (pes[6] & 0xC0) != 0x80 || (pes[7] & 0x80) == 0)
        {
            return null;
        }

        var p = pes.Slice(9, 5);
        return ((long)(p[0] >> 1) & 0x7) << 30 | (long)p[1] << 22 | (long)(p[2] >> 1) << 15 | (long)p[3] << 7 | (long)(p[4] >> 1);
    }

    /// <summary>Streams whose PES packets have no optional header (ISO/IEC 13818-1 Table 2-21): maps, padding, private 2, ECM/EMM, DSM-CC, H.222.1 type E, directory.</summary>
    private static bool HasOptionalHeader(byte streamId) => streamId is not (0xBC or 0xBE or 0xBF or 0xF0 or 0xF1 or 0xF2 or 0xF8 or 0xFF);
}
