using System.Globalization;
using System.Text.Json;
using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;
using Microsoft.Extensions.Options;
using Probe = Xabe.FFmpeg.Probe;

namespace Academy.Video.Infrastructure.Transcoding;

/// <summary>Reads a source's streams with ffprobe (run through Xabe.FFmpeg) and classifies what is not a video.</summary>
public sealed class FfprobeMediaProbe : IMediaProbe
{
    /// <summary>
    /// ffprobe reports failures as AVERROR codes: an errno (small negative number) is about the machine
    /// (I/O, memory), an FFERRTAG (large negative number, e.g. INVALIDDATA) is about the file's content.
    /// </summary>
    private const int LargestErrno = 4095;

    public FfprobeMediaProbe(IOptions<TranscodingOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        XabeExecutables.Use(options.Value);
    }

    public async Task<MediaInfo> ProbeAsync(string filePath, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        var file = new FileInfo(filePath);
        if (!file.Exists)
        {
            throw new FileNotFoundException("The file to probe does not exist.", filePath);
        }

        if (file.Length == 0)
        {
            throw new TranscodeFailedException(JobError.SourceEmpty(file.Name));
        }

        cancellationToken.ThrowIfCancellationRequested();
        // -show_error puts the failure into the JSON on stdout: Xabe's probe returns stdout only.
        // -show_data adds each stream's extradata, where the H.264 profile, constraints and level are.
        string[] arguments = ["-v", "quiet", "-print_format", "json", "-show_error", "-show_format", "-show_streams", "-show_data", file.FullName];
        var json = await Probe.New().Start(ProcessCommandLine.Join(arguments), cancellationToken).ConfigureAwait(false);
        // Xabe kills ffprobe on cancellation and returns what it had read: never parse that.
        cancellationToken.ThrowIfCancellationRequested();

        return Parse(json);
    }

    private static MediaInfo Parse(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            throw new TranscodeFailedException(JobError.Transient(JobErrorCodes.EncodeFailed, "ffprobe wrote nothing; it may have crashed."));
        }

        using var document = ParseJson(json);
        var root = document.RootElement;

        if (root.TryGetProperty("error", out var error))
        {
            var code = error.TryGetProperty("code", out var c) && c.TryGetInt32(out var value) ? value : 0;
            var message = error.TryGetProperty("string", out var s) ? s.GetString() ?? "unknown error" : "unknown error";
            throw new TranscodeFailedException(code < -LargestErrno
                ? JobError.SourceUndecodable(message)
                : JobError.Transient(JobErrorCodes.EncodeFailed, $"ffprobe could not read the source: {message} ({code})."));
        }

        var streams = root.TryGetProperty("streams", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().ToList()
            : [];
        if (streams.Count == 0)
        {
            throw new TranscodeFailedException(JobError.SourceUndecodable("no streams found."));
        }

        // An MP3's or M4A's cover art is a one-picture "video" stream: it does not make the file a video.
        var video = streams.FirstOrDefault(s => Text(s, "codec_type") == "video" && !IsAttachedPicture(s));
        if (video.ValueKind == JsonValueKind.Undefined)
        {
            throw new TranscodeFailedException(JobError.NoVideoStream());
        }

        var width = video.TryGetProperty("width", out var w) ? w.GetInt32() : 0;
        var height = video.TryGetProperty("height", out var h) ? h.GetInt32() : 0;
        if (width <= 0 || height <= 0)
        {
            throw new TranscodeFailedException(JobError.SourceUndecodable("the video stream has no picture size."));
        }

        var formatDuration = root.TryGetProperty("format", out var format) ? Number(format, "duration") : null;
        var seconds = formatDuration ?? Number(video, "duration") ?? 0;
        if (seconds <= 0)
        {
            throw new TranscodeFailedException(JobError.SourceUndecodable("the source has no duration."));
        }

        var audio = streams.FirstOrDefault(s => Text(s, "codec_type") == "audio");
        return new MediaInfo(
            TimeSpan.FromSeconds(seconds),
            width,
            height,
            Rotation(video),
            FrameRate(Text(video, "avg_frame_rate")) ?? FrameRate(Text(video, "r_frame_rate")) ?? 0,
            streams.Any(s => Text(s, "codec_type") == "audio"),
            Text(video, "codec_name") ?? "unknown")
        {
            PixelFormat = Text(video, "pix_fmt") ?? "unknown",
            FieldOrder = Text(video, "field_order") ?? "unknown",
            VideoBitrateKbps = Number(video, "bit_rate") is double bitsPerSecond && bitsPerSecond > 0 ? (int)Math.Round(bitsPerSecond / 1000) : null,
            VideoCodecString = Text(video, "codec_name") == "h264" ? AvcCodecString.FromExtradata(Text(video, "extradata")) : null,
            AudioCodec = audio.ValueKind == JsonValueKind.Undefined ? null : Text(audio, "codec_name") ?? "unknown",
            BitrateKbps = format.ValueKind == JsonValueKind.Object && Number(format, "bit_rate") is double fileBitsPerSecond && fileBitsPerSecond > 0
                ? (int)Math.Round(fileBitsPerSecond / 1000)
                : null,
        };
    }

    private static JsonDocument ParseJson(string json)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new TranscodeFailedException(JobError.Transient(JobErrorCodes.EncodeFailed, $"ffprobe wrote unreadable JSON: {e.Message}"), e);
        }
    }

    /// <summary>
    /// Counter-clockwise degrees in 0..359 as the display matrix states them (ffprobe's side data); older
    /// writers only leave a clockwise <c>rotate</c> tag, converted to the same convention.
    /// </summary>
    private static int Rotation(JsonElement video)
    {
        double? degrees = null;
        if (video.TryGetProperty("side_data_list", out var sideData) && sideData.ValueKind == JsonValueKind.Array)
        {
            degrees = sideData.EnumerateArray()
                .Select(d => d.TryGetProperty("rotation", out var r) && r.TryGetDouble(out var value) ? value : (double?)null)
                .FirstOrDefault(r => r is not null);
        }

        if (degrees is null && video.TryGetProperty("tags", out var tags))
        {
            degrees = -Number(tags, "rotate");
        }

        var rounded = (int)Math.Round(degrees ?? 0, MidpointRounding.AwayFromZero);
        return ((rounded % 360) + 360) % 360;
    }

    private static bool IsAttachedPicture(JsonElement stream) =>
        stream.TryGetProperty("disposition", out var disposition)
        && disposition.TryGetProperty("attached_pic", out var attached)
        && attached.TryGetInt32(out var flag)
        && flag == 1;

    private static double? FrameRate(string? fraction)
    {
        var parts = fraction?.Split('/');
        if (parts is not [var numerator, var denominator]
            || !double.TryParse(numerator, NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
            || !double.TryParse(denominator, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            || n <= 0 || d <= 0)
        {
            return null;
        }

        return n / d;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>ffprobe writes most numbers as strings ("3.000000").</summary>
    private static double? Number(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.GetDouble();
        }

        return double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
    }
}
