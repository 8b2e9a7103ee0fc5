using System.Globalization;
using Academy.Video.Domain.Media;
using Academy.Video.IntegrationTests.Media;
using Microsoft.AspNetCore.Hosting;

namespace Academy.Video.Api.Tests.Console;

/// <summary>
/// Playable before READY (docs/decisions/0018-playable-before-ready.md) in a real player: the console's hls.js in Chromium
/// starts on a video that is still PROCESSING, from the EVENT playlists of the running attempt, and plays on through the
/// moment the video turns READY — past the end of the playlist it first loaded, without a fatal hls.js error.
/// </summary>
public sealed class PlayableBrowserTests(PlayableBrowserTests.Fixture console) : IClassFixture<PlayableBrowserTests.Fixture>
{
    /// <summary>The console's API with a single-threaded slow encode, so a minute of 360p stays PROCESSING long enough to start playing it.</summary>
    public sealed class Fixture() : ConsoleFixture(new SlowEncodeApi());

    internal class SlowEncodeApi : ConsoleApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Runner:Local:Environment:Transcoding__Threads", "1");
            builder.UseSetting("Runner:Local:Environment:Transcoding__Preset", "slow");
        }
    }

    [Fact]
    public Task The_player_starts_on_a_PROCESSING_video_and_plays_through_READY_past_the_end_of_its_early_playlist() =>
        PlaysThroughReadyAsync(console, seconds: 60);

    /// <summary>
    /// The console's player on a video from upload-complete: it starts while the video is PROCESSING, from the EVENT playlists
    /// of the running work, and goes on past the end of the playlist it first loaded once the video is READY.
    /// </summary>
    /// <returns>The job's id.</returns>
    internal static async Task<Guid> PlaysThroughReadyAsync(ConsoleFixture console, int seconds)
    {
        var browser = console.Browser;
        var flow = new VideoFlow(console.Api.ClientWithKey());
        // Key frames every 20 s: the fast path refuses it, so every rung is published early from EVENT playlists.
        var videoId = await flow.CreateAndUploadAsync(Clip(console, seconds), "Playable early in the browser");
        var job = await flow.CompleteUploadAsync(videoId);
        var early = await flow.WaitForStatusAsync(videoId, "PROCESSING", TimeSpan.FromMinutes(2), v => v.GetProperty("playable").GetBoolean());
        var playbackUrl = new Uri(early.GetProperty("playbackUrl").GetString()!);

        browser.SignIn(VideoApiFactory.ClientKey);
        browser.Open($"/admin/videos/{videoId}");
        var player = browser.WaitFor("#player");
        // hls.js has read the early master (Auto and the two rungs in the quality menu) before it is told to play.
        browser.Until(() => browser.FindAll("#quality option").Count >= 3, "the quality menu from the early master", TimeSpan.FromSeconds(60));
        browser.Script("const v = arguments[0]; v.muted = true; v.play();", player);
        double Position() => Convert.ToDouble(browser.Script("return arguments[0].currentTime", player), CultureInfo.InvariantCulture);
        browser.Until(() => Position() > 0.5, "the player playing the PROCESSING video", TimeSpan.FromSeconds(60));

        // What the player started on: the running work's EVENT playlist, no ENDLIST yet, while the video is PROCESSING.
        var variant = new Uri(playbackUrl, FirstVariant(await GetTextAsync(console, playbackUrl)));
        var earlyText = await GetTextAsync(console, variant);
        var earlyPlaylist = HlsMediaPlaylist.Parse(earlyText);
        var earlyEnd = earlyPlaylist.Entries.Sum(e => e.DurationSeconds);
        var status = (await flow.GetAsync(videoId)).GetProperty("status").GetString();
        Assert.True(status == "PROCESSING" && !earlyPlaylist.Ended,
            $"the encode must still run when the player has started (status {status}); a faster machine needs a longer source:\n{earlyText}");
        Assert.Contains("#EXT-X-PLAYLIST-TYPE:EVENT", earlyText, StringComparison.Ordinal);
        Assert.Equal("PROCESSING", browser.Text(".title-line .chip"));

        // READY while it plays: the page says so, and the player, which kept its playlists, goes on past where the early one ended.
        var ready = await flow.WaitForStatusAsync(videoId, "READY", TimeSpan.FromMinutes(3));
        Assert.Equal(playbackUrl.AbsoluteUri, ready.GetProperty("playbackUrl").GetString());
        browser.WaitFor(".title-line .chip", e => e.Text == "READY", TimeSpan.FromSeconds(30));
        var atReady = Position();
        Assert.False((bool)browser.Script("return arguments[0].paused", player)!, "the player stopped before READY");
        var finished = HlsMediaPlaylist.Parse(await GetTextAsync(console, variant));
        Assert.True(finished.Ended);
        Assert.Equal(earlyPlaylist.Entries, finished.Entries.Take(earlyPlaylist.Entries.Count));
        // Two seconds on, or to the end when the encode (slower than the picture on a loaded machine) kept the player near the live edge.
        var end = finished.Entries.Sum(e => e.DurationSeconds);
        var past = Math.Min(atReady + 2, end - 1);
        browser.Until(() => Position() > past, $"the player past {past:F1} s (READY at {atReady:F1} s, the early playlist ended at {earlyEnd:F1} s, the video at {end:F1} s)", TimeSpan.FromSeconds(60));
        Assert.True(Position() > earlyEnd, $"the player at {Position():F1} s, not past the early playlist's end ({earlyEnd:F1} s)");
        Assert.Equal(string.Empty, browser.Text(".player p.error"));
        Assert.Null(browser.Script("return arguments[0].error && arguments[0].error.message", player));
        return job.GetProperty("jobId").GetGuid();
    }

    private static async Task<string> GetTextAsync(ConsoleFixture console, Uri url)
    {
        var response = await console.Api.CreateClient().GetAsync(url.PathAndQuery);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    private static string FirstVariant(string master)
    {
        var lines = master.Split('\n', StringSplitOptions.TrimEntries);
        return lines[Array.FindIndex(lines, l => l.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal)) + 1];
    }

    /// <summary>An H.264/AAC 640x360 source with a key frame every 20 s.</summary>
    private static string Clip(ConsoleFixture console, int seconds)
    {
        var path = Path.Combine(console.Api.Root, $"playable_clip_{seconds}s.mp4");
        if (!File.Exists(path))
        {
            var duration = seconds.ToString(CultureInfo.InvariantCulture);
            TestClips.Ffmpeg([
                "-f", "lavfi", "-i", $"testsrc2=size=640x360:rate=30:duration={duration}",
                "-f", "lavfi", "-i", $"sine=frequency=440:sample_rate=48000:duration={duration}",
                "-c:a", "aac", "-b:a", "64k",
                "-c:v", "libx264", "-preset", "ultrafast", "-crf", "30", "-maxrate", "500k", "-bufsize", "1000k",
                "-g", "600", "-keyint_min", "600", "-sc_threshold", "0", "-pix_fmt", "yuv420p", path]);
        }

        return path;
    }
}
