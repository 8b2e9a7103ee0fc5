using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Academy.Video.Api.Tests.Webhooks;
using Academy.Video.Domain.Media;
using Academy.Video.IntegrationTests.Media;
using Academy.Video.IntegrationTests.Webhooks;
using Microsoft.AspNetCore.Hosting;

namespace Academy.Video.Api.Tests;

/// <summary>
/// Playable before READY (docs/decisions/0018-playable-before-ready.md) through the running API, the real worker process,
/// FFmpeg, PostgreSQL, local storage and a real webhook receiver: the view while PROCESSING, the growing tree a player
/// loads, the same URIs at READY, and a retried attempt.
/// </summary>
public sealed class PlayableEarlyTests(PlayableEarlyTests.Factory api) : IClassFixture<PlayableEarlyTests.Factory>
{
    private readonly VideoFlow flow = new(api.ClientWithKey());

    /// <summary>
    /// 1 s segments, so two are up after two seconds of picture, and a slow single-threaded encode, so the rest takes long
    /// enough for a client polling every 250 ms to see the video playable while PROCESSING.
    /// </summary>
    public sealed class Factory : WebhookApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Runner:Local:Environment:Worker__SegmentDuration", "00:00:01");
            builder.UseSetting("Runner:Local:Environment:Transcoding__Threads", "1");
            builder.UseSetting("Runner:Local:Environment:Transcoding__Preset", "slow");
        }
    }

    [Fact]
    public async Task A_fast_path_source_plays_its_copied_top_rung_and_audio_while_PROCESSING_and_keeps_the_same_URIs_at_READY()
    {
        var videoId = await flow.CreateAndUploadAsync(Clip(keyframeEverySeconds: 1));
        await flow.CompleteUploadAsync(videoId);

        var early = await WaitPlayableWhileProcessingAsync(videoId);
        var playbackUrl = new Uri(early.GetProperty("playbackUrl").GetString()!);
        var master = await GetTextAsync(playbackUrl);
        var variant = Assert.Single(VariantUris(master));
        Assert.Contains("RESOLUTION=640x360", master, StringComparison.Ordinal);
        Assert.Contains("#EXT-X-MEDIA:TYPE=AUDIO", master, StringComparison.Ordinal);
        var earlyEntries = await AssertGrowingAndPlayableAsync(new Uri(playbackUrl, variant));
        Assert.Equal("SOURCE_COPY", early.GetProperty("job").GetProperty("topRungCode").GetString());

        var ready = await flow.WaitForStatusAsync(videoId, "READY", TimeSpan.FromMinutes(4));

        Assert.True(ready.GetProperty("playable").GetBoolean());
        Assert.Equal(playbackUrl.AbsoluteUri, ready.GetProperty("playbackUrl").GetString());
        var finished = await GetTextAsync(playbackUrl);
        Assert.Equal([variant, "240p/index.m3u8"], VariantUris(finished));
        await AssertFinishedWithAsync(new Uri(playbackUrl, variant), earlyEntries);
        await AssertEventsAsync(videoId);
    }

    [Fact]
    public async Task An_encoded_source_plays_every_rung_from_EVENT_playlists_that_end_as_VOD_with_ENDLIST()
    {
        var videoId = await flow.CreateAndUploadAsync(Clip(keyframeEverySeconds: 20));
        await flow.CompleteUploadAsync(videoId);

        var early = await WaitPlayableWhileProcessingAsync(videoId);
        var playbackUrl = new Uri(early.GetProperty("playbackUrl").GetString()!);
        var variants = VariantUris(await GetTextAsync(playbackUrl));
        Assert.Equal(["360p/index.m3u8", "240p/index.m3u8"], variants);
        Assert.NotEqual("SOURCE_COPY", early.GetProperty("job").GetProperty("topRungCode").GetString());
        var earlyEntries = new List<IReadOnlyList<HlsPlaylistEntry>>();
        foreach (var variant in variants)
        {
            earlyEntries.Add(await AssertGrowingAndPlayableAsync(new Uri(playbackUrl, variant)));
        }

        var ready = await flow.WaitForStatusAsync(videoId, "READY", TimeSpan.FromMinutes(4));

        Assert.Equal(playbackUrl.AbsoluteUri, ready.GetProperty("playbackUrl").GetString());
        Assert.Equal(variants, VariantUris(await GetTextAsync(playbackUrl)));
        for (var i = 0; i < variants.Count; i++)
        {
            await AssertFinishedWithAsync(new Uri(playbackUrl, variants[i]), earlyEntries[i]);
        }

        await AssertEventsAsync(videoId);
    }

    [Fact]
    public async Task A_worker_killed_after_its_video_became_playable_leaves_no_playback_URL_into_the_prefix_the_cleanup_removes()
    {
        var videoId = await flow.CreateAndUploadAsync(Clip(keyframeEverySeconds: 20, seconds: 60));
        var jobId = (await flow.CompleteUploadAsync(videoId)).GetProperty("jobId").GetGuid();
        var early = await WaitPlayableWhileProcessingAsync(videoId);
        Assert.Contains($"{jobId:N}-a1/", early.GetProperty("playbackUrl").GetString(), StringComparison.Ordinal);

        // SIGKILL, as with a Spot reclaim: the stuck scan ends attempt 1 RETRY_WAIT and queues its prefix for cleanup.
        foreach (var pattern in new[] { jobId.ToString(), jobId.ToString("N") })
        {
            Process.Start("pkill", ["-KILL", "-f", pattern])!.WaitForExit();
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        JsonElement video;
        while (true)
        {
            video = await flow.GetAsync(videoId);
            var job = video.GetProperty("job");
            if (job.GetProperty("state").GetString() == "RETRY_WAIT" || job.GetProperty("attemptCount").GetInt32() > 1)
            {
                // From the statement that ended attempt 1 on, nothing points into its prefix.
                Assert.True(video.GetProperty("playbackUrl").ValueKind == JsonValueKind.Null
                    || video.GetProperty("playbackUrl").GetString()!.Contains($"{jobId:N}-a2/", StringComparison.Ordinal), video.GetRawText());
                Assert.Equal(video.GetProperty("playbackUrl").ValueKind != JsonValueKind.Null, video.GetProperty("playable").GetBoolean());
            }

            if (video.GetProperty("status").GetString() == "READY")
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"not READY: {video}");
            await Task.Delay(250);
        }

        var playbackUrl = new Uri(video.GetProperty("playbackUrl").GetString()!);
        Assert.EndsWith($"{jobId:N}-a2/master.m3u8", playbackUrl.AbsolutePath, StringComparison.Ordinal);
        // Once the job has ended, the cleanup removes attempt 1's prefix; what the view names still plays.
        var firstPrefix = Path.Combine(api.StorageRoot, Path.GetDirectoryName(video.GetProperty("hlsPath").GetString()!)!.Replace("-a2", "-a1", StringComparison.Ordinal));
        while (Directory.Exists(firstPrefix))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{firstPrefix} was never cleaned up");
            await Task.Delay(250);
        }

        var variant = VariantUris(await GetTextAsync(playbackUrl))[0];
        var media = HlsMediaPlaylist.Parse(await GetTextAsync(new Uri(playbackUrl, variant)));
        Assert.True(media.Ended);
        AssertDecodes(await DownloadAsync(new Uri(new Uri(playbackUrl, variant), media.Entries[0].Uri)));
    }

    private async Task<JsonElement> WaitPlayableWhileProcessingAsync(Guid videoId)
    {
        var video = await flow.WaitForStatusAsync(videoId, "PROCESSING", TimeSpan.FromMinutes(3), v => v.GetProperty("playable").GetBoolean());
        Assert.Equal(JsonValueKind.String, video.GetProperty("playbackUrl").ValueKind);
        return video;
    }

    /// <summary>An EVENT playlist without ENDLIST, at least two segments, the first of which downloads and decodes.</summary>
    private async Task<IReadOnlyList<HlsPlaylistEntry>> AssertGrowingAndPlayableAsync(Uri mediaUrl)
    {
        var text = await GetTextAsync(mediaUrl);
        Assert.Contains("#EXT-X-PLAYLIST-TYPE:EVENT", text, StringComparison.Ordinal);
        var parsed = HlsMediaPlaylist.Parse(text);
        Assert.False(parsed.Ended);
        Assert.True(parsed.Entries.Count >= 2, text);
        AssertDecodes(await DownloadAsync(new Uri(mediaUrl, parsed.Entries[0].Uri)));
        return parsed.Entries;
    }

    /// <summary>The same URI now holds a VOD playlist with ENDLIST that begins with every entry the EVENT playlist had.</summary>
    private async Task AssertFinishedWithAsync(Uri mediaUrl, IReadOnlyList<HlsPlaylistEntry> early)
    {
        var text = await GetTextAsync(mediaUrl);
        Assert.Contains("#EXT-X-PLAYLIST-TYPE:VOD", text, StringComparison.Ordinal);
        var parsed = HlsMediaPlaylist.Parse(text);
        Assert.True(parsed.Ended);
        Assert.True(parsed.Entries.Count > early.Count);
        Assert.Equal(early, parsed.Entries.Take(early.Count));
    }

    /// <summary>video.processing, video.playable, then video.ready, each delivered signed to the settings endpoint.</summary>
    private async Task AssertEventsAsync(Guid videoId)
    {
        var playable = Assert.Single(await api.Receiver.WaitForAsync(
            r => r.Header("Academy-Event-Type") == "video.playable" && r.Json.GetProperty("videoId").GetGuid() == videoId, 1));
        Assert.True(playable.SignatureIsValid(WebhookApiFactory.SettingsSecret));
        var listed = await (await api.InternalClient().GetAsync($"/api/v1/internal/webhooks/events?videoId={videoId}")).ReadJsonAsync();
        Assert.Equal(["video.ready", "video.playable", "video.processing"], listed.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("type").GetString()));
    }

    private async Task<string> GetTextAsync(Uri url)
    {
        var response = await api.CreateClient().GetAsync(url.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private async Task<string> DownloadAsync(Uri url)
    {
        var response = await api.CreateClient().GetAsync(url.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var file = Path.Combine(api.Root, $"segment-{Guid.NewGuid():N}.ts");
        await File.WriteAllBytesAsync(file, await response.Content.ReadAsByteArrayAsync());
        return file;
    }

    /// <summary>The master's video variants; the audio-only variant, which every master with audio ends with, is checked and left out.</summary>
    private static List<string> VariantUris(string master)
    {
        var lines = master.Split('\n', StringSplitOptions.TrimEntries);
        var variants = lines.Select((line, i) => (line, i)).Where(l => l.line.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal)).ToList();
        Assert.Equal(("audio/index.m3u8", false), (lines[variants[^1].i + 1], variants[^1].line.Contains("RESOLUTION=", StringComparison.Ordinal)));
        return variants.SkipLast(1).Select(l => lines[l.i + 1]).ToList();
    }

    /// <summary>ffprobe decodes every frame of the segment's video and counts them.</summary>
    private static void AssertDecodes(string segment)
    {
        var start = new ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=codec_name,nb_read_frames", "-of", "json", segment])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0 && stderr.Result.Length == 0, $"ffprobe could not decode {segment}: {stderr.Result}");
        var stream = JsonDocument.Parse(stdout).RootElement.GetProperty("streams")[0];
        Assert.Equal("h264", stream.GetProperty("codec_name").GetString());
        Assert.True(int.Parse(stream.GetProperty("nb_read_frames").GetString()!, CultureInfo.InvariantCulture) > 0);
    }

    /// <summary>An H.264/AAC 640x360 source whose key frames come every <paramref name="keyframeEverySeconds"/> s: 1 s fits the copy of the 360p rung, 20 s does not.</summary>
    private string Clip(int keyframeEverySeconds, int seconds = 40)
    {
        var path = Path.Combine(api.Root, $"clip_{keyframeEverySeconds}s_gop_{seconds}s.mp4");
        if (!File.Exists(path))
        {
            var gop = (keyframeEverySeconds * 30).ToString(CultureInfo.InvariantCulture);
            var duration = seconds.ToString(CultureInfo.InvariantCulture);
            TestClips.Ffmpeg([
                "-f", "lavfi", "-i", $"testsrc2=size=640x360:rate=30:duration={duration}",
                "-f", "lavfi", "-i", $"sine=frequency=440:sample_rate=48000:duration={duration}",
                "-c:a", "aac", "-b:a", "64k",
                "-c:v", "libx264", "-preset", "ultrafast", "-crf", "30", "-maxrate", "500k", "-bufsize", "1000k",
                "-g", gop, "-keyint_min", gop, "-sc_threshold", "0", "-pix_fmt", "yuv420p", path]);
        }

        return path;
    }
}
