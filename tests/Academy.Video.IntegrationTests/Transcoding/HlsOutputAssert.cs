using System.Diagnostics;
using System.Globalization;
using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Media;

namespace Academy.Video.IntegrationTests.Transcoding;

/// <summary>Checks a published HLS tree the way a player would meet it, with ffprobe, ffmpeg and the playlists' own text.</summary>
internal static class HlsOutputAssert
{
    /// <param name="maxSegmentSeconds">The longest segment allowed; null: the target, as forced key frames make it.</param>
    public static void Playable(HlsOutput output, MediaInfo source, IReadOnlyList<Rendition> renditions, TimeSpan? segmentTarget = null, double? maxSegmentSeconds = null)
    {
        Assert.Equal("master.m3u8", output.MasterPlaylist);
        Assert.Contains("master.m3u8", output.Files);
        Assert.All(output.Files, f =>
        {
            Assert.DoesNotContain('\\', f);
            Assert.False(Path.IsPathRooted(f), f);
            Assert.True(File.Exists(Path.Combine(output.OutputDirectory, f)), $"listed file {f} does not exist");
        });
        var onDisk = Directory.EnumerateFiles(output.OutputDirectory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(output.OutputDirectory, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal);
        Assert.Equal(onDisk, output.Files.Order(StringComparer.Ordinal));

        var master = Playlist.ReadMaster(Path.Combine(output.OutputDirectory, output.MasterPlaylist));
        // Every rendition, then, with audio, the audio-only variant last (so players start on video).
        Assert.Equal(renditions.Count + (source.HasAudio ? 1 : 0), master.Variants.Count);
        var target = (segmentTarget ?? TimeSpan.FromSeconds(2)).TotalSeconds;

        // One audio encode: one audio rendition, which every variant names; no variant carries audio of its own.
        Playlist.Media? audio = null;
        if (source.HasAudio)
        {
            var rendition = Assert.Single(master.Audio);
            Assert.Equal("audio/index.m3u8", rendition.Uri);
            Assert.Contains(rendition.Uri, output.Files);
            audio = Playlist.ReadMedia(Path.Combine(output.OutputDirectory, rendition.Uri));
            AssertSegmentsListed(output, "audio", audio);
            using var probe = Ffprobe.Json(Path.Combine(output.OutputDirectory, rendition.Uri));
            var stream = Assert.Single(probe.RootElement.GetProperty("streams").EnumerateArray());
            Assert.Equal(("audio", "aac"), (stream.GetProperty("codec_type").GetString(), stream.GetProperty("codec_name").GetString()));
            Assert.InRange(Seconds(probe), source.Duration.TotalSeconds - 0.5, source.Duration.TotalSeconds + 0.5);

            var audioOnly = master.Variants[^1];
            Assert.Equal(rendition.Uri, audioOnly.Uri);
            Assert.Equal("\"mp4a.40.2\"", audioOnly.Attributes["CODECS"]);
            Assert.False(audioOnly.Attributes.ContainsKey("RESOLUTION"));
            var (onlyPeak, onlyAverage) = audio.Rates(target);
            Assert.Equal(onlyPeak, long.Parse(audioOnly.Attributes["BANDWIDTH"], CultureInfo.InvariantCulture), tolerance: 2);
            Assert.Equal(onlyAverage, long.Parse(audioOnly.Attributes["AVERAGE-BANDWIDTH"], CultureInfo.InvariantCulture), tolerance: 2);
        }
        else
        {
            Assert.Empty(master.Audio);
        }

        var segmentDurations = new List<IReadOnlyList<double>>();
        foreach (var (rendition, variant) in renditions.Zip(master.Variants))
        {
            Assert.Equal($"{rendition.Name}/index.m3u8", variant.Uri);
            Assert.Equal($"{rendition.Width}x{rendition.Height}", variant.Attributes["RESOLUTION"]);
            var codecs = variant.Attributes["CODECS"].Trim('"').Split(',');
            Assert.Contains(codecs, c => c.StartsWith("avc1.", StringComparison.Ordinal) && c.Length == "avc1.640028".Length);
            Assert.Equal(source.HasAudio, codecs.Contains("mp4a.40.2"));
            Assert.Equal(source.HasAudio ? "\"audio\"" : null, variant.Attributes.GetValueOrDefault("AUDIO"));

            Assert.Contains(variant.Uri, output.Files);
            var media = Playlist.ReadMedia(Path.Combine(output.OutputDirectory, variant.Uri));
            AssertSegmentsListed(output, rendition.Name, media);
            Assert.All(media.Segments, s => Assert.True(s.Seconds <= (maxSegmentSeconds ?? target) + 0.05, $"{variant.Uri}: a {s.Seconds} s segment"));
            segmentDurations.Add(media.Segments.Select(s => s.Seconds).ToList());

            // BANDWIDTH is the measured peak: this variant's highest segment rate plus the audio's (a final segment
            // shorter than the target measured over the target); AVERAGE-BANDWIDTH the measured averages.
            var (peak, average) = media.Rates(target);
            var (audioPeak, audioAverage) = audio?.Rates(target) ?? (0, 0);
            Assert.Equal(peak + audioPeak, long.Parse(variant.Attributes["BANDWIDTH"], CultureInfo.InvariantCulture), tolerance: 2);
            Assert.Equal(average + audioAverage, long.Parse(variant.Attributes["AVERAGE-BANDWIDTH"], CultureInfo.InvariantCulture), tolerance: 2);

            using var probe = Ffprobe.Json(Path.Combine(output.OutputDirectory, variant.Uri));
            var streams = probe.RootElement.GetProperty("streams").EnumerateArray().ToList();
            var video = Assert.Single(streams);
            Assert.Equal(("video", "h264"), (video.GetProperty("codec_type").GetString(), video.GetProperty("codec_name").GetString()));
            Assert.Equal(rendition.Width, video.GetProperty("width").GetInt32());
            Assert.Equal(rendition.Height, video.GetProperty("height").GetInt32());
            Assert.False(video.TryGetProperty("side_data_list", out var sideData)
                && sideData.EnumerateArray().Any(d => d.TryGetProperty("rotation", out var r) && r.GetDouble() != 0), $"{variant.Uri} still carries a rotation");
            Assert.InRange(Seconds(probe), source.Duration.TotalSeconds - 0.5, source.Duration.TotalSeconds + 0.5);
        }

        // Segments line up in every variant, so players can switch at any segment boundary.
        Assert.All(segmentDurations, d => Assert.Equal(segmentDurations[0], d, (a, b) => Math.Abs(a - b) < 0.002));

        DecodesEndToEnd(Path.Combine(output.OutputDirectory, output.MasterPlaylist));
    }

    /// <summary>A player's view: ffmpeg reads the master with every variant and rendition and decodes all of it without one error.</summary>
    public static void DecodesEndToEnd(string masterPath)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in (string[])["-hide_banner", "-nostdin", "-v", "error", "-i", masterPath, "-map", "0", "-f", "null", "-"])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        _ = stdout.Result;
        Assert.True(process.ExitCode == 0 && stderr.Trim().Length == 0, $"decoding {masterPath} failed ({process.ExitCode}): {stderr}");
    }

    private static void AssertSegmentsListed(HlsOutput output, string directory, Playlist.Media media)
    {
        Assert.NotEmpty(media.Segments);
        Assert.True(media.Finished, $"{directory} has no #EXT-X-ENDLIST");
        Assert.All(media.Segments, s => Assert.Contains($"{directory}/{s.Uri}", output.Files));
    }

    private static double Seconds(System.Text.Json.JsonDocument probe) =>
        double.Parse(probe.RootElement.GetProperty("format").GetProperty("duration").GetString()!, CultureInfo.InvariantCulture);
}
