using System.Net;
using System.Text;
using System.Text.Json;
using Academy.Video.IntegrationTests.Media;
using Microsoft.AspNetCore.Hosting;
using Npgsql;

namespace Academy.Video.Api.Tests.Captions;

/// <summary>
/// The API with <c>Captions:Engine=Whisper</c>: generations dispatched every second through the local runner to the real
/// worker binary, which transcribes with the real Whisper.net native runtime (docs/decisions/0017-caption-generation-unit-of-work.md).
/// </summary>
public class WhisperApiFactory : VideoApiFactory
{
    public string TinyModelPath => Path.Combine(Root, "tiny-whisper.bin");

    /// <summary>The model the API and the worker are given.</summary>
    public virtual string ModelPath => TinyModelPath;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        TinyWhisperModel.Write(TinyModelPath);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        base.ConfigureWebHost(builder);
        builder.UseSetting("Captions:Engine", "Whisper");
        builder.UseSetting("Captions:Whisper:ModelPath", ModelPath);
        builder.UseSetting("Captions:Whisper:DispatchInterval", "00:00:01");
        builder.UseSetting("Runner:Local:Environment:Captions__Engine", "Whisper");
        builder.UseSetting("Runner:Local:Environment:Captions__Whisper__ModelPath", ModelPath);
        builder.UseSetting("Runner:Local:Environment:Captions__Whisper__Threads", "1");
    }
}

/// <summary>The operator named a model file that is not there.</summary>
public sealed class MissingModelApiFactory : WhisperApiFactory
{
    public override string ModelPath => Path.Combine(Root, "no-such-model.bin");
}

/// <summary>An operator's real model, from <c>ACADEMY_WHISPER_MODEL</c>.</summary>
public sealed class RealModelApiFactory(string modelPath) : WhisperApiFactory
{
    public override string ModelPath => modelPath;
}

public sealed class GeneratedCaptionTests(WhisperApiFactory api) : IClassFixture<WhisperApiFactory>
{
    private readonly HttpClient client = api.ClientWithKey();

    [Fact]
    public async Task A_ready_video_gets_a_generated_webvtt_track_published_into_its_master()
    {
        var (videoId, ready) = await ReadyVideoAsync(client, TestClips.Generate(320, 180, 4));

        var generation = await WaitForGenerationAsync(client, videoId);
        Assert.Equal("READY", generation.GetProperty("status").GetString());
        Assert.Equal(1, generation.GetProperty("attempts").GetInt32());
        var language = generation.GetProperty("language").GetString()!;
        Assert.Matches("^[a-z]{2,3}$", language);

        var track = Assert.Single(await ItemsAsync(client, videoId));
        Assert.Equal((language, "subtitles"), (track.GetProperty("language").GetString(), track.GetProperty("kind").GetString()));
        Assert.EndsWith(" (auto)", track.GetProperty("label").GetString(), StringComparison.Ordinal);
        Assert.True(track.GetProperty("cueCount").GetInt32() >= 1);
        var vtt = await GetTextAsync(new Uri(track.GetProperty("url").GetString()!), "text/vtt");
        // Timed to the video like an upload (docs/api.md, Captions): the header maps cue time 0 to the segments' first PTS.
        Assert.Matches(@"^WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:\d+,LOCAL:00:00:00\.000\n\n", vtt);
        Assert.Matches(@"\n\d\d:\d\d:\d\d\.\d\d\d --> \d\d:\d\d:\d\d\.\d\d\d\n", vtt);

        // The generated cues are the transcript's, as an upload's are (docs/api.md, Transcripts and search).
        using var transcript = JsonDocument.Parse(await client.GetStringAsync(new Uri($"/api/v1/videos/{videoId}/transcript", UriKind.Relative)));
        var cues = transcript.RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(track.GetProperty("cueCount").GetInt32(), cues.Count);
        Assert.All(cues, c => Assert.Equal((language, "subtitles"), (c.GetProperty("language").GetString(), c.GetProperty("kind").GetString())));

        var master = await GetTextAsync(new Uri(ready.GetProperty("playbackUrl").GetString()!), "application/vnd.apple.mpegurl");
        Assert.Contains($"#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"{track.GetProperty("label").GetString()}\",LANGUAGE=\"{language}\"", master, StringComparison.Ordinal);
        Assert.Contains($"URI=\"captions/{language}-subtitles-auto.m3u8\"", master, StringComparison.Ordinal);
        Assert.Equal("READY", (await new VideoFlow(client).GetAsync(videoId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_upload_replacing_the_generated_track_removes_the_generated_objects_once_the_master_names_the_upload()
    {
        var (videoId, ready) = await ReadyVideoAsync(client, TestClips.Generate(320, 180, 2));
        Assert.Equal("READY", (await WaitForGenerationAsync(client, videoId)).GetProperty("status").GetString());
        var generated = Assert.Single(await ItemsAsync(client, videoId));
        var language = generated.GetProperty("language").GetString()!;
        var generatedUrl = new Uri(generated.GetProperty("url").GetString()!);
        var generatedPlaylist = new Uri(generatedUrl, $"{language}-subtitles-auto.m3u8");
        await GetTextAsync(generatedUrl, "text/vtt");
        await GetTextAsync(generatedPlaylist, "application/vnd.apple.mpegurl");

        var upload = await CaptionTests.PostAsync(client, videoId, "1\n00:00:00,000 --> 00:00:01,500\nA teacher's own words\n", language, "Teacher", "subtitles", "own.srt");
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);

        var track = Assert.Single(await ItemsAsync(client, videoId));
        Assert.Equal("Teacher", track.GetProperty("label").GetString());
        var master = await GetTextAsync(new Uri(ready.GetProperty("playbackUrl").GetString()!), "application/vnd.apple.mpegurl");
        Assert.Contains($"URI=\"captions/{language}-subtitles.m3u8\"", master, StringComparison.Ordinal);
        Assert.DoesNotContain("-auto.m3u8", master, StringComparison.Ordinal);
        using var anonymous = api.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(generatedUrl.PathAndQuery)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(generatedPlaylist.PathAndQuery)).StatusCode);
    }

    [Fact]
    public async Task A_video_without_audio_is_skipped_without_a_track()
    {
        var (videoId, _) = await ReadyVideoAsync(client, TestClips.Generate(320, 180, 2, withAudio: false));

        var generation = await WaitForGenerationAsync(client, videoId);
        Assert.Equal(("SKIPPED", "CAPTION_NO_AUDIO"), (generation.GetProperty("status").GetString(), generation.GetProperty("errorCode").GetString()));
        Assert.Empty(await ItemsAsync(client, videoId));
        Assert.Equal("READY", (await new VideoFlow(client).GetAsync(videoId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_generation_whose_worker_died_is_resubmitted_and_one_out_of_attempts_ends_failed()
    {
        var (videoId, _) = await ReadyVideoAsync(client, TestClips.Generate(320, 180, 2));
        await WaitForGenerationAsync(client, videoId);

        // As a worker killed mid-transcription leaves it: RUNNING, attempt 1 of 3, its heartbeat gone silent.
        await ExecuteAsync("UPDATE caption_generations SET status = 'RUNNING', attempts = 1, language = NULL, heartbeat_at = now() - interval '1 hour', submitted_at = NULL WHERE video_id = @VideoId", videoId);
        // The worker keeps the default Jobs:StuckThreshold (3 min), the API 4 s: the takeover follows the API's judgement.
        var recovered = await WaitForGenerationAsync(client, videoId);
        Assert.Equal(("READY", 2), (recovered.GetProperty("status").GetString(), recovered.GetProperty("attempts").GetInt32()));

        // The same with the last attempt used: nothing is resubmitted, the generation ends FAILED by name, the video stays READY.
        await ExecuteAsync("UPDATE caption_generations SET status = 'RUNNING', attempts = max_attempts, heartbeat_at = now() - interval '1 hour', submitted_at = NULL WHERE video_id = @VideoId", videoId);
        var exhausted = await WaitForGenerationAsync(client, videoId);
        Assert.Equal(("FAILED", "CAPTION_ATTEMPTS_EXHAUSTED"), (exhausted.GetProperty("status").GetString(), exhausted.GetProperty("errorCode").GetString()));
        Assert.Equal("READY", (await new VideoFlow(client).GetAsync(videoId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_worker_killed_mid_generation_is_found_silent_and_attempt_2_publishes_the_track()
    {
        // Half a minute of audio: one full window for the engine.
        var (videoId, _) = await ReadyVideoAsync(client, TestClips.Generate(160, 90, 30));
        var generationId = await WaitForRunningAsync(videoId);
        await Task.Delay(TimeSpan.FromMilliseconds(300));

        // The container dies at once: SIGKILL to the worker (its argv names the generation) and its ffmpeg (its work folder does).
        foreach (var pattern in new[] { generationId.ToString(), generationId.ToString("N") })
        {
            System.Diagnostics.Process.Start("pkill", ["-KILL", "-f", pattern])!.WaitForExit();
        }

        // The worker keeps the default Jobs:StuckThreshold (3 min), the API 4 s: the takeover follows the API's judgement.
        var recovered = await WaitForGenerationAsync(client, videoId);
        Assert.Equal(("READY", 2), (recovered.GetProperty("status").GetString(), recovered.GetProperty("attempts").GetInt32()));
        Assert.Single(await ItemsAsync(client, videoId));
    }

    private async Task<Guid> WaitForRunningAsync(Guid videoId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        while (true)
        {
            await using var command = new NpgsqlCommand("SELECT id, status FROM caption_generations WHERE video_id = @VideoId", connection);
            command.Parameters.AddWithValue("VideoId", videoId);
            await using (var reader = await command.ExecuteReaderAsync())
            {
                if (await reader.ReadAsync())
                {
                    var status = reader.GetString(1);
                    Assert.True(status is "QUEUED" or "RUNNING", $"the generation ended {status} before it could be killed");
                    if (status == "RUNNING")
                    {
                        return reader.GetGuid(0);
                    }
                }
            }

            Assert.True(DateTime.UtcNow < deadline, "the generation never started");
            await Task.Delay(50);
        }
    }

    [SkippableFact]
    public async Task A_real_model_from_ACADEMY_WHISPER_MODEL_transcribes_a_spoken_clip()
    {
        var modelPath = Environment.GetEnvironmentVariable("ACADEMY_WHISPER_MODEL");
        Skip.If(string.IsNullOrWhiteSpace(modelPath), "ACADEMY_WHISPER_MODEL does not name a whisper.cpp model file.");
        var real = new RealModelApiFactory(modelPath!);
        await real.InitializeAsync();
        try
        {
            var realClient = real.ClientWithKey();
            var (videoId, _) = await ReadyVideoAsync(realClient, TestClips.Generate(320, 180, 4));

            var generation = await WaitForGenerationAsync(realClient, videoId, TimeSpan.FromMinutes(10));
            // A test tone holds no speech: a real model may publish a track or find none; either way the plumbing ran.
            Assert.Contains(generation.GetProperty("status").GetString(), new[] { "READY", "SKIPPED" });
        }
        finally
        {
            await real.DisposeAsync();
        }
    }

    public static async Task<(Guid VideoId, JsonElement Ready)> ReadyVideoAsync(HttpClient client, string source)
    {
        var flow = new VideoFlow(client);
        var videoId = await flow.CreateAndUploadAsync(source);
        await flow.CompleteUploadAsync(videoId);
        return (videoId, await flow.WaitForStatusAsync(videoId, "READY"));
    }

    /// <summary>Polls the captions until the generation has ended (READY, FAILED or SKIPPED).</summary>
    public static async Task<JsonElement> WaitForGenerationAsync(HttpClient client, Guid videoId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(3));
        while (true)
        {
            var response = await client.GetAsync($"/api/v1/videos/{videoId}/captions");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.ReadJsonAsync();
            if (body.GetProperty("generation") is { ValueKind: JsonValueKind.Object } generation
                && generation.GetProperty("status").GetString() is "READY" or "FAILED" or "SKIPPED")
            {
                return generation;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The caption generation of video {videoId} did not end: {body}");
            }

            await Task.Delay(250);
        }
    }

    public static async Task<List<JsonElement>> ItemsAsync(HttpClient client, Guid videoId) =>
        (await (await client.GetAsync($"/api/v1/videos/{videoId}/captions")).ReadJsonAsync()).GetProperty("items").EnumerateArray().ToList();

    private async Task ExecuteAsync(string sql, Guid videoId)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("VideoId", videoId);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    private async Task<string> GetTextAsync(Uri url, string mediaType)
    {
        using var anonymous = api.CreateClient();
        var response = await anonymous.GetAsync(url.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType!.MediaType);
        return Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync());
    }
}

public sealed class MissingModelCaptionTests(MissingModelApiFactory api) : IClassFixture<MissingModelApiFactory>
{
    [Fact]
    public async Task A_missing_model_fails_the_generation_by_name_and_the_video_stays_ready()
    {
        var client = api.ClientWithKey();
        var (videoId, _) = await GeneratedCaptionTests.ReadyVideoAsync(client, TestClips.Generate(320, 180, 2));

        var generation = await GeneratedCaptionTests.WaitForGenerationAsync(client, videoId);
        Assert.Equal(("FAILED", "CAPTION_MODEL_UNAVAILABLE"), (generation.GetProperty("status").GetString(), generation.GetProperty("errorCode").GetString()));
        Assert.Contains("no-such-model.bin", generation.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, generation.GetProperty("attempts").GetInt32());
        Assert.Empty(await GeneratedCaptionTests.ItemsAsync(client, videoId));
        Assert.Equal("READY", (await new VideoFlow(client).GetAsync(videoId)).GetProperty("status").GetString());

        // The statement that failed it wrote caption.failed (docs/webhooks.md), naming the configured language or "und".
        using var internalClient = api.CreateClient();
        internalClient.DefaultRequestHeaders.Add("X-Internal-Api-Key", VideoApiFactory.InternalKey);
        var events = await (await internalClient.GetAsync($"/api/v1/internal/webhooks/events?videoId={videoId}&type=caption.failed")).ReadJsonAsync();
        Assert.Equal(1, events.GetProperty("items").GetArrayLength());
    }
}
