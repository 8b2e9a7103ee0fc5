using System.Globalization;
using System.Text;
using Academy.Video.Domain.Media;

namespace Academy.Video.Infrastructure.Transcoding;

/// <summary>A variant playlist's rates measured from its segments on disk, in bits per second.</summary>
public sealed record MeasuredRate(long PeakBitsPerSecond, long AverageBitsPerSecond);

/// <summary>A video variant as the master playlist declares it.</summary>
/// <param name="CodecString">The RFC 6381 string read from the variant's own first segment; null leaves CODECS out.</param>
public sealed record MasterVariant(Rendition Rendition, string PlaylistUri, string? CodecString, MeasuredRate Rate);

/// <summary>
/// Writes the master playlist from what was measured. ffmpeg's own master declares BANDWIDTH from the encoder's
/// settings (1.1 × maxrate under CRF) or, for a copied stream, from the container's average rate, and lists the audio
/// rendition as a variant of its own; RFC 8216 §4.3.4.2 asks for the peak segment bit rate of the variant plus the
/// peak of its audio rendition, and AVERAGE-BANDWIDTH for their averages.
/// </summary>
public static class HlsMasterPlaylist
{
    public const string AudioCodecString = "mp4a.40.2";

    /// <summary>Peak and average rate of a variant from its segments' durations and sizes.</summary>
    /// <param name="targetSeconds">
    /// The segment target. A final segment shorter than it is measured over the full target: a fraction of a second
    /// holding a key frame would otherwise declare a peak many times the real one, steering players to a lower rung
    /// for no reason, though that segment is fetched while a full buffer plays.
    /// </param>
    public static MeasuredRate Measure(IReadOnlyList<(double Seconds, long Bytes)> segments, double targetSeconds)
    {
        ArgumentNullException.ThrowIfNull(segments);
        if (segments.Count == 0)
        {
            throw new ArgumentException("A variant with no segment has no rate.", nameof(segments));
        }

        var peak = 0.0;
        for (var i = 0; i < segments.Count; i++)
        {
            var (seconds, bytes) = segments[i];
            var over = i == segments.Count - 1 && segments.Count > 1 ? Math.Max(seconds, targetSeconds) : seconds;
            peak = Math.Max(peak, bytes * 8 / Math.Max(over, 1e-3));
        }

        var totalSeconds = segments.Sum(s => s.Seconds);
        var average = segments.Sum(s => s.Bytes) * 8 / Math.Max(totalSeconds, 1e-3);
        return new MeasuredRate((long)Math.Ceiling(peak), (long)Math.Ceiling(average));
    }

    /// <param name="audio">The audio rendition's playlist and rate; null when the source has no audio.</param>
    public static string Render(IReadOnlyList<MasterVariant> variants, (string PlaylistUri, MeasuredRate Rate)? audio, double framesPerSecond)
    {
        ArgumentNullException.ThrowIfNull(variants);
        var text = new StringBuilder()
            .Append("#EXTM3U\n")
            .Append("#EXT-X-VERSION:6\n")
            .Append("#EXT-X-INDEPENDENT-SEGMENTS\n");
        if (audio is { } a)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"{FfmpegHlsArguments.AudioGroupId}\",NAME=\"default\",DEFAULT=YES,AUTOSELECT=YES,CHANNELS=\"2\",URI=\"{a.PlaylistUri}\"\n");
        }

        foreach (var v in variants)
        {
            var attributes = new List<string>
            {
                $"BANDWIDTH={v.Rate.PeakBitsPerSecond + (audio?.Rate.PeakBitsPerSecond ?? 0)}",
                $"AVERAGE-BANDWIDTH={v.Rate.AverageBitsPerSecond + (audio?.Rate.AverageBitsPerSecond ?? 0)}",
                $"RESOLUTION={v.Rendition.Width}x{v.Rendition.Height}",
            };
            if (framesPerSecond > 0)
            {
                attributes.Add(string.Create(CultureInfo.InvariantCulture, $"FRAME-RATE={framesPerSecond:0.000}"));
            }

            if (v.CodecString is not null)
            {
                attributes.Add(audio is null ? $"CODECS=\"{v.CodecString}\"" : $"CODECS=\"{v.CodecString},{AudioCodecString}\"");
            }

            if (audio is not null)
            {
                attributes.Add($"AUDIO=\"{FfmpegHlsArguments.AudioGroupId}\"");
            }

            text.Append(CultureInfo.InvariantCulture, $"#EXT-X-STREAM-INF:{string.Join(',', attributes)}\n{v.PlaylistUri}\n");
        }

        if (audio is { } only && variants.Count > 0)
        {
            // The audio-only variant of Apple's HLS authoring spec: listed last, so a player that starts on the first variant
            // (Safari, hls.js without a start level) starts on video; one that measures too little bandwidth for the lowest
            // video rung may step down to it. No RESOLUTION or AUDIO: its URI is the audio rendition's own playlist.
            text.Append(CultureInfo.InvariantCulture,
                $"#EXT-X-STREAM-INF:BANDWIDTH={only.Rate.PeakBitsPerSecond},AVERAGE-BANDWIDTH={only.Rate.AverageBitsPerSecond},CODECS=\"{AudioCodecString}\"\n{only.PlaylistUri}\n");
        }

        return text.ToString();
    }

    /// <summary>Written beside and renamed over, so a reader never sees half a master.</summary>
    public static void Write(string path, string content)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        File.Move(temporary, path, overwrite: true);
    }
}
