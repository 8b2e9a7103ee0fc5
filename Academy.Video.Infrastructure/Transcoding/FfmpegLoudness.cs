using System.Globalization;
using System.Text.Json;
using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;

namespace Academy.Video.Infrastructure.Transcoding;

/// <summary>
/// Two-pass loudness normalisation with ffmpeg's <c>loudnorm</c> (EBU R128; docs/encoding.md, Loudness). The first pass
/// decodes the source's audio only and prints what it measured as JSON; the second is a filter on the one shared audio
/// encode that applies those figures, linearly where the true-peak ceiling allows it.
/// </summary>
public static class FfmpegLoudness
{
    /// <summary>Below this integrated loudness (LUFS) a source is treated as silence and left alone.</summary>
    public const double SilenceFloor = -70;

    /// <summary>The loudness range the second pass aims at when it has to fall back to dynamic normalisation (loudnorm's default).</summary>
    private const double LoudnessRange = 11;

    /// <summary>loudnorm works at 192 kHz; its output is resampled to this rate for the AAC encode.</summary>
    public const int OutputSampleRate = 48000;

    /// <summary>A source up to this long is measured whole; a longer one in <see cref="Windows"/> windows (decision 0024).</summary>
    public const double WholeSourceSeconds = 180;

    public const int Windows = 12;

    public const double WindowSeconds = 10;

    /// <summary>The parts of a source measured, as (start, length) in seconds: the whole, or windows spread evenly over it.</summary>
    public static IReadOnlyList<(double Start, double? Length)> Plan(double durationSeconds)
    {
        if (durationSeconds <= WholeSourceSeconds)
        {
            return [(0, null)];
        }

        var stride = durationSeconds / Windows;
        return Enumerable.Range(0, Windows).Select(i => (Math.Max(0, ((i + 0.5) * stride) - (WindowSeconds / 2)), (double?)WindowSeconds)).ToList();
    }

    /// <summary>The first pass over the whole source: its first audio stream decoded and measured, nothing written.</summary>
    public static IReadOnlyList<string> MeasureArguments(string sourcePath, TranscodingOptions options) =>
        MeasureArguments(sourcePath, [(0, null)], options);

    /// <summary>
    /// The first pass over the <paramref name="parts"/> of the source (<see cref="Plan"/>): one part is read as it is, several
    /// are each read from their start (an input seek, audio only) and joined end to end before loudnorm measures them as one.
    /// </summary>
    public static IReadOnlyList<string> MeasureArguments(string sourcePath, IReadOnlyList<(double Start, double? Length)> parts, TranscodingOptions options)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(options);
        var measure = $"loudnorm={Targets(options)}:print_format=json";
        var source = Path.GetFullPath(sourcePath);
        // loudnorm prints its JSON at the info level.
        List<string> args = ["-hide_banner", "-nostdin", "-nostats", "-loglevel", "info"];
        if (parts is [(0, null)])
        {
            args.AddRange(["-vn", "-sn", "-dn", "-i", source, "-map", "0:a:0", "-af", measure]);
        }
        else
        {
            foreach (var (start, length) in parts)
            {
                args.AddRange(["-vn", "-sn", "-dn", "-ss", HlsCuts.Seconds(start)]);
                if (length is { } l)
                {
                    args.AddRange(["-t", HlsCuts.Seconds(l)]);
                }

                args.AddRange(["-i", source]);
            }

            var inputs = string.Concat(Enumerable.Range(0, parts.Count).Select(i => $"[{i.ToString(CultureInfo.InvariantCulture)}:a:0]"));
            args.AddRange(["-filter_complex", $"{inputs}concat=n={parts.Count.ToString(CultureInfo.InvariantCulture)}:v=0:a=1,{measure}"]);
        }

        args.AddRange(["-f", "null", "-"]);
        return args;
    }

    /// <summary>The second pass's filter for the shared audio encode, from the first pass's figures.</summary>
    public static string Filter(LoudnessMeasurement measurement, TranscodingOptions options)
    {
        ArgumentNullException.ThrowIfNull(measurement);
        ArgumentNullException.ThrowIfNull(options);
        if (!measurement.Applies)
        {
            throw new ArgumentException($"A {measurement.Status} measurement is not applied.", nameof(measurement));
        }

        return $"loudnorm={Targets(options)}"
            + $":measured_I={Number(measurement.InputIntegrated!.Value)}"
            + $":measured_TP={Number(measurement.InputTruePeak!.Value)}"
            + $":measured_LRA={Number(measurement.InputLoudnessRange!.Value)}"
            + $":measured_thresh={Number(measurement.InputThreshold!.Value)}"
            + $":offset={Number(measurement.TargetOffset!.Value)}"
            + ":linear=true:print_format=none"
            + $",aresample={OutputSampleRate.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>
    /// Reads the first pass's JSON from its stderr: the last <c>{ … }</c> block, every value a string
    /// (<c>"input_i" : "-23.54"</c>, <c>"-inf"</c> for silence).
    /// </summary>
    /// <exception cref="FormatException">No loudnorm JSON, or a figure missing or not a number.</exception>
    public static LoudnessMeasurement Parse(string stderr)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        var end = stderr.LastIndexOf('}');
        var start = end < 0 ? -1 : stderr.LastIndexOf('{', end);
        if (start < 0)
        {
            throw new FormatException("loudnorm printed no JSON.");
        }

        using var json = JsonDocument.Parse(stderr.AsMemory(start, end - start + 1));
        double Figure(string name) =>
            json.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
                ? ParseFigure(value.GetString()!, name)
                : throw new FormatException($"loudnorm's JSON has no {name}.");

        var integrated = Figure("input_i");
        var truePeak = Figure("input_tp");
        var range = Figure("input_lra");
        var threshold = Figure("input_thresh");
        var offset = Figure("target_offset");
        double? Finite(double v) => double.IsFinite(v) ? v : null;
        var silent = !double.IsFinite(integrated) || integrated < SilenceFloor
            || !double.IsFinite(truePeak) || !double.IsFinite(range) || !double.IsFinite(threshold) || !double.IsFinite(offset);
        return new LoudnessMeasurement(silent ? LoudnessStatus.Silent : LoudnessStatus.Normalized,
            Finite(integrated), Finite(truePeak), Finite(range), Finite(threshold), Finite(offset));
    }

    /// <summary>Runs the first pass (audio decoded only) over the parts of the source <see cref="Plan"/> picks for its length, and reads its figures.</summary>
    public static async Task<LoudnessMeasurement> MeasureAsync(string sourcePath, double durationSeconds, TranscodingOptions options, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        var collecting = false;
        var exit = await ToolProcess.RunAsync(
            ToolProcess.Executable(options, "ffmpeg"),
            MeasureArguments(sourcePath, Plan(durationSeconds), options),
            onOutputLine: null,
            cancellationToken,
            onErrorLine: line =>
            {
                // Only loudnorm's block is kept: the rest of stderr grows with the source.
                collecting |= line.StartsWith("[Parsed_loudnorm", StringComparison.Ordinal) || line.TrimStart().StartsWith('{');
                if (collecting)
                {
                    lock (lines)
                    {
                        lines.Add(line);
                    }
                }
            }).ConfigureAwait(false);
        if (exit.ExitCode != 0)
        {
            throw new TranscodeFailedException(JobError.Transient(JobErrorCodes.EncodeFailed, $"ffmpeg failed with exit code {exit.ExitCode} measuring the loudness\n{exit.Tail}"));
        }

        try
        {
            lock (lines)
            {
                return Parse(string.Join('\n', lines));
            }
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw new TranscodeFailedException(JobError.Transient(JobErrorCodes.EncodeFailed, $"loudness measurement unreadable: {e.Message}\n{exit.Tail}"), e);
        }
    }

    private static string Targets(TranscodingOptions options) =>
        $"I={Number(options.LoudnessTarget)}:TP={Number(options.TruePeakCeiling)}:LRA={Number(LoudnessRange)}";

    private static string Number(double value) => value.ToString("0.0##", CultureInfo.InvariantCulture);

    private static double ParseFigure(string text, string name)
    {
        var t = text.Trim();
        if (t.EndsWith("inf", StringComparison.OrdinalIgnoreCase))
        {
            return t.StartsWith('-') ? double.NegativeInfinity : double.PositiveInfinity;
        }

        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new FormatException($"loudnorm's {name} '{text}' is not a number.");
    }
}
