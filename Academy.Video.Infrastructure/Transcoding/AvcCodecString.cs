using System.Globalization;

namespace Academy.Video.Infrastructure.Transcoding;

/// <summary>
/// The RFC 6381 codec string of an H.264 stream (<c>avc1.PPCCLL</c>: profile, constraint flags, level) from the
/// stream's extradata as <c>ffprobe -show_data</c> prints it. Hand-written because ffprobe names the profile but not
/// the constraint flags, and ffmpeg's HLS muxer leaves CODECS out for a copied MP4 stream (its extradata is avcC,
/// which the muxer does not read). Reads the avcC record (MP4) and an Annex B sequence parameter set (MPEG-TS).
/// </summary>
public static class AvcCodecString
{
    private const int SequenceParameterSet = 7;

    /// <param name="hexDump">ffprobe's dump: lines of <c>00000000: 0164 001f ffe1 ...  .d......</c>.</param>
    public static string? FromExtradata(string? hexDump)
    {
        var bytes = Parse(hexDump);
        if (bytes.Count >= 4 && bytes[0] == 1)
        {
            return Format(bytes[1], bytes[2], bytes[3]);
        }

        for (var i = 0; i + 6 < bytes.Count; i++)
        {
            // A start code (00 00 01; the 4-byte form ends the same way) then the NAL header byte.
            if (bytes[i] == 0 && bytes[i + 1] == 0 && bytes[i + 2] == 1 && (bytes[i + 3] & 0x1F) == SequenceParameterSet)
            {
                return Format(bytes[i + 4], bytes[i + 5], bytes[i + 6]);
            }
        }

        return null;
    }

    private static string Format(byte profile, byte constraints, byte level) =>
        string.Create(CultureInfo.InvariantCulture, $"avc1.{profile:x2}{constraints:x2}{level:x2}");

    private static List<byte> Parse(string? hexDump)
    {
        var bytes = new List<byte>();
        foreach (var line in (hexDump ?? string.Empty).Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }

            // After the offset: up to eight groups of four hex digits, then two spaces and the printable column.
            var hex = line[(colon + 1)..];
            var end = hex.IndexOf("  ", 1, StringComparison.Ordinal);
            foreach (var group in (end < 0 ? hex : hex[..end]).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                for (var i = 0; i + 1 < group.Length; i += 2)
                {
                    if (!byte.TryParse(group.AsSpan(i, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value))
                    {
                        return [];
                    }

                    bytes.Add(value);
                }
            }
        }

        return bytes;
    }
}
