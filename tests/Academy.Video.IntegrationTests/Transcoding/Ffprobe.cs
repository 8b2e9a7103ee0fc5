using System.Diagnostics;
using System.Text.Json;

namespace Academy.Video.IntegrationTests.Transcoding;

/// <summary>The test's own look at a file with the ffprobe CLI, independent of the adapter under test.</summary>
internal static class Ffprobe
{
    public static JsonDocument Json(string path)
    {
        var start = new ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["-v", "error", "-print_format", "json", "-show_format", "-show_streams", path])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("ffprobe did not start.");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"ffprobe could not read {path}: {stderr.Result}");
        return JsonDocument.Parse(stdout);
    }

    /// <summary>The container duration ffprobe reads, in seconds.</summary>
    public static double DurationSeconds(string path)
    {
        using var json = Json(path);
        return double.Parse(json.RootElement.GetProperty("format").GetProperty("duration").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Where the first video stream starts, in seconds.</summary>
    public static double VideoStartSeconds(string path)
    {
        using var json = Json(path);
        var video = json.RootElement.GetProperty("streams").EnumerateArray().First(s => s.GetProperty("codec_type").GetString() == "video");
        return double.Parse(video.GetProperty("start_time").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
    }
}
