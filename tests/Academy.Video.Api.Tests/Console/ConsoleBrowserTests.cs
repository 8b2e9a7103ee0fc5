using System.Globalization;
using System.Net;
using Academy.Video.IntegrationTests.Media;
using OpenQA.Selenium;

namespace Academy.Video.Api.Tests.Console;

/// <summary>
/// The console at /admin in a real browser (Debian's chromium) against the API on a real database, with the
/// local runner starting real worker processes: sign-in and what each kind of key sees, an upload in parts
/// to READY and playback past 2 s, a FAILED video's error and its retry to READY, deletion, the operations
/// page, resuming an upload, and caption tracks (upload, CC menu, transcript, delete, <c>?t=</c>). Each page but the
/// captioned one (Korean needs a CJK font the test machine may lack) is photographed at 1280×800 and 390×844.
/// </summary>
[TestCaseOrderer(StepOrderer.TypeName, StepOrderer.AssemblyName)]
public sealed class ConsoleBrowserTests(ConsoleFixture console) : IClassFixture<ConsoleFixture>
{
    private static readonly TimeSpan ToReady = TimeSpan.FromMinutes(3);

    private Browser Browser => console.Browser;

    private ConsoleApiFactory Api => console.Api;

    [Fact]
    [Step(1)]
    public void Signing_in_keeps_the_key_out_of_urls_and_a_client_key_cannot_reach_operations()
    {
        Browser.Script("sessionStorage.clear()");
        Browser.Open("/admin/videos");
        Browser.WaitFor("#api-key");
        Assert.StartsWith("/admin/signin?next=", Browser.CurrentPath, StringComparison.Ordinal);
        Browser.Screenshots(console.ScreenshotDirectory, "signin");

        Browser.Find("#api-key").SendKeys("not-a-key-of-this-api-0123");
        Browser.Find("#api-key").SendKeys(Keys.Enter);
        Assert.Contains("UNAUTHORIZED", Browser.WaitFor("#signin-error", e => e.Text.Length > 0).Text, StringComparison.Ordinal);

        Browser.SignIn(VideoApiFactory.ClientKey);
        Browser.WaitFor("h1", e => e.Text == "Videos");
        Assert.Equal("Client key", Browser.Text(".key-kind"));
        Assert.Empty(Browser.FindAll("a[href='/admin/operations']"));
        Assert.DoesNotContain(VideoApiFactory.ClientKey, Browser.Driver.Url, StringComparison.Ordinal);
        Assert.Contains(VideoApiFactory.ClientKey, (string)Browser.Script("return sessionStorage.getItem('academy-video-console.session')")!, StringComparison.Ordinal);

        // Opened by URL, the page says why not and shows the API's own refusal of the key.
        Browser.Open("/admin/operations");
        var refusal = Browser.WaitFor("#operations-refused", e => e.Text.Contains("HTTP", StringComparison.Ordinal)).Text;
        Assert.Contains("HTTP 401 UNAUTHORIZED", refusal, StringComparison.Ordinal);
        Assert.Empty(Browser.FindAll("#backlog-counts"));
    }

    [Fact]
    [Step(2)]
    public async Task A_video_uploaded_in_parts_from_the_upload_page_reaches_READY_and_plays_past_two_seconds()
    {
        var source = TestClips.RawVideo(480, 360, 5);
        Assert.True(new FileInfo(source).Length > 16L * 1024 * 1024, "the source must need two 16 MiB parts");
        Browser.SignIn(VideoApiFactory.ClientKey);
        Browser.Open("/admin/upload");
        Browser.WaitFor("#file").SendKeys(source);
        var title = Browser.Find("#title");
        title.Clear();
        title.SendKeys("Linear algebra, lecture 1: vectors");

        // A poster time out of range: the API refuses the create and the page shows its reason beside the field.
        Browser.Find("#poster-at").SendKeys("90000");
        Browser.Find("#start-upload").Click();
        Assert.Contains("86400", Browser.WaitFor("#poster-at-error", e => e.Text.Length > 0).Text, StringComparison.Ordinal);
        Assert.Contains("VALIDATION_FAILED", Browser.Text("#upload-error"), StringComparison.Ordinal);
        Assert.Equal("true", Browser.Find("#poster-at").GetDomAttribute("aria-invalid"));
        Browser.Find("#poster-at").Clear();
        Browser.Find("#poster-at").SendKeys("2.5");
        Browser.Find("#start-upload").Click();

        Browser.Until(() => Browser.FindAll("#parts .part").Count == 2 && Browser.FindAll("#parts .part[data-state='stored']").Count == 2, "both parts stored");
        Browser.WaitFor("#transcode");
        Browser.Screenshots(console.ScreenshotDirectory, "upload");
        Browser.WaitFor("#transcode .chip-ready", timeout: ToReady);

        Browser.Find("#open-video").Click();
        var player = Browser.WaitFor("#player");
        Assert.Equal("READY", Browser.Text(".title-line .chip"));
        Browser.Until(() => Browser.FindAll("#quality option").Count >= 3, "the quality menu");
        var qualities = Browser.FindAll("#quality option").Select(o => o.Text).ToList();
        Assert.Equal("Auto", qualities[0]);
        Assert.Contains(qualities, q => q.StartsWith("360p", StringComparison.Ordinal));
        Assert.Contains(qualities, q => q.StartsWith("240p", StringComparison.Ordinal));

        Browser.Script("const v = arguments[0]; v.muted = true; v.play();", player);
        double Position() => Convert.ToDouble(Browser.Script("return arguments[0].currentTime", player), CultureInfo.InvariantCulture);
        Browser.Until(() => Position() > 2, "the video playing past 2 s", TimeSpan.FromSeconds(60));
        Assert.True(Position() > 2);

        var videoId = Browser.CurrentPath.Split('/')[^1];
        var video = await Api.ClientWithKey().GetAsync($"/api/v1/videos/{videoId}").ContinueWith(r => r.Result.ReadJsonAsync()).Unwrap();
        Assert.Equal(video.GetProperty("playbackUrl").GetString(), Browser.Find("#playback-url").GetDomProperty("value"));
        Browser.Script("arguments[0].pause()", player);

        // The poster on the player is the worker's JPEG.
        var poster = player.GetDomAttribute("poster");
        Assert.False(string.IsNullOrEmpty(poster), "the player has no poster");
        var posterImage = await Api.CreateClient().GetAsync(new Uri(poster!).PathAndQuery);
        Assert.Equal((HttpStatusCode.OK, "image/jpeg"), (posterImage.StatusCode, posterImage.Content.Headers.ContentType?.MediaType));
        Assert.Equal(new byte[] { 0xFF, 0xD8, 0xFF }, (await posterImage.Content.ReadAsByteArrayAsync())[..3]);

        // The source as the worker probed it, in labelled rows; the top rendition's decision with its reason.
        Assert.StartsWith("480×360", Browser.Text("dd[data-source='picture']"), StringComparison.Ordinal);
        Assert.Equal("0:00:05", Browser.Text("dd[data-source='duration']"));
        Assert.Equal("2.5 s", Browser.Text("dd[data-source='poster-at']"));
        Assert.Equal(video.GetProperty("source").GetProperty("videoCodec").GetString(), Browser.Text("dd[data-source='video-codec']"));
        var topRung = video.GetProperty("job").GetProperty("topRungCode").GetString()!;
        Assert.Contains(topRung == "SOURCE_COPY" ? "Copied from the source" : topRung, Browser.Text("#top-rung"), StringComparison.Ordinal);
        Assert.Contains(video.GetProperty("job").GetProperty("topRungReason").GetString()!, Browser.Text("#top-rung"), StringComparison.Ordinal);
        // The loudness decision with the first pass's figures (docs/encoding.md, Loudness).
        var loudness = video.GetProperty("job").GetProperty("loudness");
        Assert.Equal("normalized", loudness.GetProperty("status").GetString());
        var integrated = loudness.GetProperty("inputIntegratedLufs").GetDouble().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal($"Normalised source {integrated} LUFS integrated", Browser.Text("#loudness").Split(" · ")[0].Replace("\n", " ", StringComparison.Ordinal));
        // The slides-or-camera decision (docs/encoding.md, Slides profile): a 5 s test picture in motion is camera.
        var profile = video.GetProperty("job").GetProperty("profile");
        Assert.Equal("camera", profile.GetProperty("kind").GetString());
        var stillPercent = (int)Math.Round(profile.GetProperty("stillShare").GetDouble() * 100, MidpointRounding.AwayFromZero);
        Assert.Equal($"Camera: the usual settings {stillPercent} % of frames still", Browser.Text("#profile").Split(" · ")[0].Replace("\n", " ", StringComparison.Ordinal));

        // The storyboard: a thumbnail per cue (2 s segments: 0, 2 and 4 s); End moves to the last, Enter seeks there.
        Browser.Until(() => Browser.FindAll("#storyboard .thumb").Count >= 1, "the storyboard's thumbnails");
        var thumbs = Browser.FindAll("#storyboard .thumb").ToList();
        Assert.All(thumbs, t => Assert.StartsWith("Seek to ", t.GetDomAttribute("aria-label"), StringComparison.Ordinal));
        thumbs[0].SendKeys(Keys.End);
        var last = Browser.Driver.SwitchTo().ActiveElement();
        Assert.Equal(thumbs[^1].GetDomAttribute("data-start"), last.GetDomAttribute("data-start"));
        var cueStart = double.Parse(last.GetDomAttribute("data-start")!, CultureInfo.InvariantCulture);
        Assert.True(cueStart > 0, "the last cue should start after 0 s, for the seek to show");
        last.SendKeys(Keys.Enter);
        Browser.Until(() => Math.Abs(Position() - cueStart) < 0.5, $"the player at the cue's start ({cueStart} s)");
        Browser.Screenshots(console.ScreenshotDirectory, "video");
    }

    [Fact]
    [Step(3)]
    public async Task A_FAILED_video_shows_its_error_code_and_attempt_logs_and_Retry_brings_it_to_READY()
    {
        var flow = new VideoFlow(Api.ClientWithKey());
        Guid videoId;
        string errorCode;
        // The local runner's work folder is under the blocker's path; a regular file there fails every attempt.
        if (Directory.Exists(Api.WorkBlocker))
        {
            Directory.Delete(Api.WorkBlocker, recursive: true);
        }

        await File.WriteAllTextAsync(Api.WorkBlocker, "every attempt fails to create its work directory");
        try
        {
            videoId = await flow.CreateAndUploadAsync(TestClips.Generate(320, 240, 3), "Statistics, lecture 4: sampling");
            await flow.CompleteUploadAsync(videoId);
            var failed = await flow.WaitForStatusAsync(videoId, "FAILED", TimeSpan.FromMinutes(2));
            errorCode = failed.GetProperty("job").GetProperty("errorCode").GetString()!;
        }
        finally
        {
            File.Delete(Api.WorkBlocker);
        }

        Browser.SignIn(VideoApiFactory.InternalKey);
        Browser.Open($"/admin/videos/{videoId}");
        Assert.Equal(errorCode, Browser.WaitFor("#error-code").Text);
        Assert.Contains("DEAD", Browser.Text("#failure-title"), StringComparison.Ordinal);
        Assert.Equal(2, Browser.FindAll("#attempts .attempt").Count);
        Assert.All(Browser.FindAll("#attempts .attempt"), attempt => Assert.Contains(errorCode, attempt.Text, StringComparison.Ordinal));

        // An operator reads the worker's own log of an attempt.
        Browser.Find("#attempts .attempt[data-attempt='1'] button").Click();
        var log = Browser.WaitFor("pre.log").Text;
        Assert.Contains("BATCH_PROCESS_START", log, StringComparison.Ordinal);
        Browser.Find(".log-dialog button").Click();
        Browser.Screenshots(console.ScreenshotDirectory, "video-failed");

        var firstJob = (await flow.GetAsync(videoId)).GetProperty("job").GetProperty("jobId").GetString();
        Browser.Find("#retry").Click();
        Browser.WaitFor(".title-line .chip-ready", timeout: ToReady);
        Assert.Empty(Browser.FindAll("#retry"));
        Assert.Equal("READY", (await flow.GetAsync(videoId)).GetProperty("status").GetString());

        // The DEAD job is still there, under the current one, collapsed, with its attempts and their error.
        var earlier = Browser.WaitFor($"#job-history details[data-job-id='{firstJob}']", e => e.Displayed);
        Assert.Single(Browser.FindAll("#job-history details"));
        Assert.Null(earlier.GetDomAttribute("open"));
        earlier.FindElement(By.CssSelector("summary")).SendKeys(Keys.Enter);
        Browser.Until(() => earlier.GetDomAttribute("open") is not null, "the earlier job opened");
        Assert.Contains("DEAD", earlier.FindElement(By.CssSelector("summary")).Text, StringComparison.Ordinal);
        var earlierAttempts = earlier.FindElements(By.CssSelector(".attempt"));
        Assert.Equal(2, earlierAttempts.Count);
        Assert.All(earlierAttempts, attempt => Assert.Contains(errorCode, attempt.Text, StringComparison.Ordinal));
        Browser.Screenshots(console.ScreenshotDirectory, "video-retried", settle: () => Browser.Script("document.getElementById('history-title').scrollIntoView()"));
    }

    [Fact]
    [Step(6)]
    public async Task Delete_asks_for_confirmation_and_removes_the_video()
    {
        var client = Api.ClientWithKey();
        var created = await client.PostJsonAsync("/api/v1/videos", new { title = "Draft to delete", fileName = "draft.mp4", contentType = "video/mp4", sizeBytes = 1000 });
        var videoId = (await created.ReadJsonAsync()).GetProperty("videoId").GetString();
        Browser.SignIn(VideoApiFactory.ClientKey);
        Browser.Open($"/admin/videos/{videoId}");

        Browser.WaitFor("#delete").Click();
        Assert.Contains("Draft to delete", Browser.WaitFor("dialog.confirm").Text, StringComparison.Ordinal);
        Browser.Find("#cancel-delete").Click();
        Browser.Until(() => Browser.FindAll("dialog.confirm[open]").Count == 0, "the dialog closed");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/videos/{videoId}")).StatusCode);

        Browser.Find("#delete").Click();
        Browser.WaitFor("#confirm-delete").Click();
        Browser.WaitFor("h1", e => e.Text == "Videos");
        Assert.Equal("/admin/videos", Browser.CurrentPath);
        await WaitUntilAsync(async () => (await client.GetAsync($"/api/v1/videos/{videoId}")).StatusCode == HttpStatusCode.NotFound, "the video is gone");
        Browser.Open("/admin/videos");
        Browser.WaitFor("#videos-summary", e => e.Text.Length > 0);
        Assert.Empty(Browser.FindAll($"tr[data-video-id='{videoId}']"));
    }

    [Fact]
    [Step(5)]
    public async Task The_video_list_searches_titles_filters_by_status_and_pages_by_cursor()
    {
        var client = Api.ClientWithKey();
        for (var i = 1; i <= 21; i++)
        {
            var title = i % 3 == 0 ? $"Organic chemistry, lecture {i}" : $"Calculus II, lecture {i}";
            (await client.PostJsonAsync("/api/v1/videos", new { title, fileName = $"l{i}.mp4", contentType = "video/mp4", sizeBytes = 1000 })).EnsureSuccessStatusCode();
        }

        Browser.SignIn(VideoApiFactory.ClientKey);
        Browser.Open("/admin/videos");
        Browser.Until(() => Browser.FindAll("tbody tr").Count == 20, "a first page of 20");
        Assert.Equal("Organic chemistry, lecture 21", Browser.FindAll("tbody tr").First().FindElement(By.CssSelector("a")).Text);

        // While the page is open, two jobs run: the list shows them and their outcomes without a reload.
        var flow = new VideoFlow(client);
        var lecture = await flow.CreateAndUploadAsync(TestClips.Generate(320, 240, 2), "Linear algebra, lecture 2: matrices");
        var noise = await flow.CreateAndUploadAsync(TestClips.RandomBytes(), "Linear algebra, lecture 3 (corrupt upload)");
        await flow.CompleteUploadAsync(lecture);
        await flow.CompleteUploadAsync(noise);
        Browser.WaitFor($"tr[data-video-id='{lecture}'] .chip-ready", timeout: ToReady);
        Browser.WaitFor($"tr[data-video-id='{noise}'] .chip-failed", timeout: ToReady);
        Assert.True(Browser.Find(".pager button:first-child").GetDomProperty("disabled") == "True");
        Browser.Find(".pager button:last-child").Click();
        Browser.WaitFor(".pager span", e => e.Text == "Page 2");
        Assert.DoesNotContain(Browser.FindAll("tbody tr a"), a => a.Text == "Organic chemistry, lecture 21");
        Browser.Find(".pager button:first-child").Click();
        Browser.WaitFor(".pager span", e => e.Text == "Page 1");

        Browser.Find("#video-search").SendKeys("CHEMISTRY");
        Browser.Find("#video-search").SendKeys(Keys.Enter);
        Browser.Until(() => Browser.FindAll("tbody tr").Count == 7, "the 7 chemistry lectures");
        Assert.Empty(Browser.FindAll(".pager button:not([disabled])"));
        Assert.All(Browser.FindAll("tbody tr a"), a => Assert.StartsWith("Organic chemistry", a.Text, StringComparison.Ordinal));
        Assert.Contains("q=CHEMISTRY", Browser.CurrentPath, StringComparison.Ordinal);

        var search = Browser.Find("#video-search");
        search.Clear();
        search.SendKeys(Keys.Enter);
        Browser.Find("#video-status option[value='PENDING_UPLOAD']").Click();
        Browser.Until(() => Browser.FindAll("tbody tr .chip").Count > 0 && Browser.FindAll("tbody tr .chip").All(c => c.Text == "PENDING UPLOAD"), "only PENDING_UPLOAD");

        Browser.Find("#video-status option[value='']").Click();
        Browser.Until(() => Browser.FindAll("tbody tr").Count == 20, "all statuses again");
        Browser.Screenshots(console.ScreenshotDirectory, "videos");
    }

    [Fact]
    [Step(7)]
    public async Task Operations_shows_the_backlog_the_health_summary_and_runs_the_scan_dry_then_for_real()
    {
        Browser.SignIn(VideoApiFactory.InternalKey);
        Assert.Equal("Operator key", Browser.Text(".key-kind"));
        Browser.Find("a[href='/admin/operations']").Click();
        var counts = Browser.WaitFor("#backlog-counts");
        foreach (var state in new[] { "QUEUED", "RUNNING", "RETRY_WAIT" })
        {
            Assert.NotEmpty(counts.FindElements(By.CssSelector($"dd[data-state='{state}']")));
        }

        var backlog = await InternalGetAsync("/api/v1/internal/video/backlog");
        Assert.Equal(backlog.GetProperty("countsByState").GetProperty("QUEUED").GetInt32().ToString(CultureInfo.InvariantCulture),
            counts.FindElement(By.CssSelector("dd[data-state='QUEUED']")).Text);

        var status = Browser.WaitFor("#system-status", timeout: TimeSpan.FromSeconds(60)).Text;
        Assert.Contains(status, new[] { "OK", "NEEDS ATTENTION" });
        Assert.Contains(Browser.FindAll("#health-checks tbody th"), th => th.Text == "DB_CHECK");
        Assert.NotEmpty(Browser.FindAll("#hints"));

        Assert.Equal("true", Browser.Find("#scan-for-real").GetDomAttribute("disabled"));
        Browser.Find("#scan-dry-run").Click();
        Browser.WaitFor("#scan-report[data-dry-run='true']");
        Browser.Find("#scan-for-real").Click();
        Browser.WaitFor("#scan-report[data-dry-run='false']");

        // The earlier steps' events were delivered to the receiver; one replayed from the page arrives again, same id.
        var delivered = Browser.WaitFor("#webhooks-title", timeout: TimeSpan.FromSeconds(30));
        Assert.Equal("Webhook deliveries", delivered.Text);
        var replay = Browser.FindAll("section[aria-labelledby='webhooks-title'] tbody tr button").First();
        var eventId = Browser.FindAll("section[aria-labelledby='webhooks-title'] tbody tr code").First().Text;
        replay.Click();
        Browser.Until(() => replay.Text == "Replayed", "the replay accepted");
        await console.Api.Receiver.WaitForAsync(webhook => webhook.EventId == eventId, 2, TimeSpan.FromSeconds(30));
        Browser.Screenshots(console.ScreenshotDirectory, "operations");
    }

    [Fact]
    [Step(4)]
    public async Task An_interrupted_upload_resumes_from_the_parts_storage_already_holds()
    {
        var source = TestClips.RawVideo(480, 360, 5);
        var size = new FileInfo(source).Length;
        var client = Api.ClientWithKey();
        var created = await (await client.PostJsonAsync("/api/v1/videos", new { title = "Physics, lecture 2: resumed", fileName = "physics-2.mkv", contentType = "video/x-matroska", sizeBytes = size })).ReadJsonAsync();
        var videoId = created.GetProperty("videoId").GetString()!;
        var first = created.GetProperty("upload").GetProperty("multipart").GetProperty("parts")[0];
        var bytes = new byte[first.GetProperty("sizeBytes").GetInt64()];
        await using (var file = File.OpenRead(source))
        {
            await file.ReadExactlyAsync(bytes);
        }

        using var put = new HttpRequestMessage(HttpMethod.Put, new Uri(first.GetProperty("url").GetString()!).PathAndQuery) { Content = new ByteArrayContent(bytes) };
        (await client.SendAsync(put)).EnsureSuccessStatusCode();

        // The page had started this upload and remembered the file (name, size, modification time), then the tab was reloaded.
        Browser.SignIn(VideoApiFactory.ClientKey);
        Browser.Open("/admin/upload");
        Browser.Script(
            "localStorage.setItem('academy-video-console.uploads', JSON.stringify([{ videoId: arguments[0], title: arguments[1], fileName: arguments[2], sizeBytes: arguments[3], lastModified: arguments[4] }]))",
            videoId, "Physics, lecture 2: resumed", Path.GetFileName(source), size, new DateTimeOffset(File.GetLastWriteTimeUtc(source)).ToUnixTimeMilliseconds());
        Browser.Driver.Navigate().Refresh();
        Assert.Contains("did not finish", Browser.WaitFor("#resume-note").Text, StringComparison.Ordinal);
        Browser.WaitFor($"#unfinished li[data-video-id='{videoId}']");
        Browser.Find("#file").SendKeys(source);
        Assert.Equal("Resume upload", Browser.Find("#start-upload").Text);
        Assert.Equal("Physics, lecture 2: resumed", Browser.Find("#title").GetDomProperty("value"));
        Browser.Find("#start-upload").Click();

        Browser.WaitFor("#parts .part[data-part='1'][data-state='held']");
        Browser.WaitFor("#parts .part[data-part='2'][data-state='stored']");
        Browser.WaitFor("#transcode .chip-ready", timeout: ToReady);
        Assert.Equal("READY", (await new VideoFlow(client).GetAsync(Guid.Parse(videoId))).GetProperty("status").GetString());
        Assert.Equal("[]", Browser.Script("return localStorage.getItem('academy-video-console.uploads')"));
    }

    [Fact]
    [Step(8)]
    public async Task Captions_uploaded_on_the_video_page_fill_the_CC_menu_and_the_transcript_which_seeks_and_follows_playback()
    {
        var flow = new VideoFlow(Api.ClientWithKey());
        var videoId = await flow.CreateAndUploadAsync(TestClips.Generate(320, 240, 14), "Calculus I, lecture 3: derivatives");
        await flow.CompleteUploadAsync(videoId);
        await flow.WaitForStatusAsync(videoId, "READY", ToReady);
        var folder = Directory.CreateTempSubdirectory("academy-video-captions").FullName;
        var broken = Path.Combine(folder, "broken.ko.srt");
        await File.WriteAllTextAsync(broken, "1\n00:00:00,500 --> 00:00:01,800\n안녕\n\n2\n00:00:04,000 --> 00:00:03,000\n끝\n");
        var korean = Path.Combine(folder, "lecture.ko.srt");
        await File.WriteAllTextAsync(korean,
            "1\r\n00:00:00,500 --> 00:00:03,000\r\n안녕하세요, 여러분\r\n\r\n2\r\n00:00:04,000 --> 00:00:07,000\r\n오늘은 <i>미분</i>을 배웁니다\r\n\r\n" +
            "3\r\n00:00:08,000 --> 00:00:11,000\r\n극한에서 시작합시다\r\n");
        double Position() => Convert.ToDouble(Browser.Script("return document.getElementById('player').currentTime"), CultureInfo.InvariantCulture);
        string KoreanTrack() => (string)Browser.Script(
            "const t = [...document.getElementById('player').textTracks].find(t => t.language === 'ko');" +
            "return t ? t.mode + '|' + [...(t.activeCues || [])].map(c => c.text).join('/') : 'none';")!;

        // ?t=12 opens the player at 12 s; without captions the CC menu is only "Off".
        Browser.SignIn(VideoApiFactory.ClientKey);
        Browser.Open($"/admin/videos/{videoId}?t=12");
        Browser.WaitFor("#player");
        Browser.Until(() => Convert.ToInt32(Browser.Script("return document.getElementById('player').readyState"), CultureInfo.InvariantCulture) >= 1, "the player's metadata");
        Browser.Until(() => Math.Abs(Position() - 12) < 0.5, "the player at 12 s");
        Assert.Equal("true", Browser.Find("#captions").GetDomAttribute("disabled"));
        Assert.Contains("No captions yet", Browser.WaitFor("#transcript-note").Text, StringComparison.Ordinal);

        void Upload(string file)
        {
            Browser.Find("#caption-file").SendKeys(file);
            var language = Browser.Find("#caption-language");
            language.Clear();
            language.SendKeys("ko");
            var label = Browser.Find("#caption-label");
            label.Clear();
            label.SendKeys("한국어");
            Browser.Find("#caption-kind option[value='subtitles']").Click();
            Browser.Find("#caption-upload").Click();
        }

        // A file that does not parse: the API's code and the line it names, beside the form.
        Upload(broken);
        var refusal = Browser.WaitFor("#caption-error", e => e.Text.Length > 0).Text;
        Assert.Contains("CAPTION_INVALID", refusal, StringComparison.Ordinal);
        Assert.Contains("Line 6", refusal, StringComparison.Ordinal);

        Upload(korean);
        Browser.WaitFor("#caption-tracks li[data-language='ko'][data-kind='subtitles']");
        Assert.Equal("", Browser.Text("#caption-error"));
        Browser.Until(() => Browser.FindAll("#captions option").Count == 2, "the Korean track in the CC menu");
        Assert.Equal(["Off", "한국어 (ko)"], Browser.FindAll("#captions option").Select(o => o.Text));
        Assert.Equal("-1", Browser.Find("#captions").GetDomProperty("value"));

        // CC off: the track is loaded hidden, and the transcript lists its cues with their times, markup gone.
        Browser.Until(() => Browser.FindAll("#transcript .cue").Count == 3, "three cues in the transcript");
        Assert.StartsWith("hidden|", KoreanTrack(), StringComparison.Ordinal);
        var cues = Browser.FindAll("#transcript .cue").ToList();
        Assert.Equal(["안녕하세요, 여러분", "오늘은 미분을 배웁니다", "극한에서 시작합시다"], cues.Select(c => c.FindElement(By.CssSelector(".cue-text")).Text));
        var starts = cues.Select(c => double.Parse(c.GetDomAttribute("data-start")!, CultureInfo.InvariantCulture)).ToList();
        var trackStarts = ((IEnumerable<object>)Browser.Script(
            "return [...[...document.getElementById('player').textTracks].find(t => t.language === 'ko').cues].map(c => c.startTime)")!)
            .Select(t => Convert.ToDouble(t, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(trackStarts, starts);
        // The times are hls.js's placement of the cues: the .vtt's X-TIMESTAMP-MAP maps cue time 0 to the video's first
        // PTS (docs/api.md, Captions), so they are the file's times on the media timeline.
        Assert.All(starts.Zip([0.5, 4.0, 8.0]), s => Assert.InRange(s.First, s.Second - 0.1, s.Second + 0.1));
        Assert.Equal("0:04", cues[1].FindElement(By.CssSelector(".cue-time")).Text);

        // Choosing the track shows it; a cue clicked seeks there, is marked, and is the one the video shows.
        Browser.Find("#captions option[value='0']").Click();
        Browser.Until(() => KoreanTrack().StartsWith("showing|", StringComparison.Ordinal), "the Korean track showing");
        cues[1].Click();
        Browser.Until(() => Math.Abs(Position() - 4.0) < 0.1, $"the player at the second cue (4.0 s, the track says {starts[1]} s)");
        var onScreen = "";
        try
        {
            Browser.Until(() => (onScreen = KoreanTrack()) == "showing|오늘은 <i>미분</i>을 배웁니다", "the second cue on screen");
        }
        catch (TimeoutException timeout)
        {
            throw new TimeoutException($"{timeout.Message}\nThe Korean track (mode|active cues): {onScreen}", timeout);
        }


        Assert.Equal("true", Browser.Find("#transcript .cue[data-index='1']").GetDomAttribute("aria-current"));

        // The cue at file time 4.0 s is not yet shown at media time 3.9 s, and is at 4.1 s.
        Browser.Script("document.getElementById('player').currentTime = 3.9;");
        Browser.Until(() => KoreanTrack() == "showing|", "no cue at 3.9 s");
        Browser.Script("document.getElementById('player').currentTime = 4.1;");
        Browser.Until(() => KoreanTrack() == "showing|오늘은 <i>미분</i>을 배웁니다", "the second cue at 4.1 s");

        // Playing on, the mark follows to the third cue.
        Browser.Script("const v = document.getElementById('player'); v.muted = true; v.play();");
        Browser.Until(() => Browser.FindAll("#transcript .cue[data-index='2'][aria-current='true']").Count == 1, "the third cue marked while playing", TimeSpan.FromSeconds(60));
        Assert.Empty(Browser.FindAll("#transcript .cue[data-index='1'][aria-current]"));
        Browser.Script("document.getElementById('player').pause()");

        // Search across the library finds the spoken word, and its moment opens the video there (docs/console.md, Search).
        Browser.Find("a[href='/admin/search']").Click();
        Browser.WaitFor("h1", e => e.Text == "Search");
        Browser.Find("#search-q").SendKeys("미분");
        Browser.Find("#search-q").SendKeys(Keys.Enter);
        Browser.Until(() => Browser.CurrentPath == "/admin/search?q=%EB%AF%B8%EB%B6%84", "the query in the URL");
        var hit = Browser.WaitFor($"#search-results li.search-hit[data-video-id='{videoId}']");
        Assert.Contains("Calculus I, lecture 3: derivatives", hit.Text, StringComparison.Ordinal);
        var moment = Assert.Single(hit.FindElements(By.CssSelector("a.moment")));
        Assert.Equal(("0:04", "오늘은 미분을 배웁니다"), (moment.FindElement(By.CssSelector(".cue-time")).Text, moment.FindElement(By.CssSelector(".cue-text")).Text));
        moment.Click();
        Browser.Until(() => Browser.CurrentPath == $"/admin/videos/{videoId}?t=4", "the video page at the moment");
        Browser.WaitFor("#player");
        Browser.Until(() => Convert.ToInt32(Browser.Script("return document.getElementById('player').readyState"), CultureInfo.InvariantCulture) >= 1, "the player's metadata");
        Browser.Until(() => Math.Abs(Position() - 4) < 0.5, "the player at the moment (4 s)");
        Browser.WaitFor("#caption-tracks li[data-language='ko'][data-kind='subtitles'] button");

        // Deleted, the track leaves the list, the CC menu and the transcript.
        Browser.Find("#caption-tracks li[data-language='ko'] button").Click();
        Browser.WaitFor("#caption-tracks li.muted");
        Browser.Until(() => Browser.FindAll("#captions option").Count == 1 && Browser.Find("#captions").GetDomAttribute("disabled") == "true", "the CC menu without the track");
        Browser.Until(() => Browser.FindAll("#transcript .cue").Count == 0, "the transcript emptied");
        Assert.Empty((await flow.GetAsync(videoId)).GetProperty("captions").EnumerateArray());
        Directory.Delete(folder, recursive: true);

        // Without the track nothing is said any more: the same search finds nothing.
        Browser.Open("/admin/search?q=%EB%AF%B8%EB%B6%84");
        Browser.Until(() => Browser.Text("#search-summary") == "Nothing said matches “미분”.", "no match after the delete");
        Assert.Empty(Browser.FindAll($"#search-results li.search-hit[data-video-id='{videoId}']"));
    }

    [Fact]
    [Step(9)]
    public async Task A_slide_lecture_lists_its_chapters_beside_the_player_with_marks_and_a_chapter_clicked_plays_from_its_start()
    {
        var path = Path.Combine(Api.Root, "console-slides.mp4");
        Directory.CreateDirectory(Api.Root);
        var lecture = Academy.Video.Testing.LectureSources.Slides(3, 24, 320, 180, path);
        TestClips.Ffmpeg(lecture.Arguments);
        var flow = new VideoFlow(Api.ClientWithKey());
        var videoId = await flow.CreateAndUploadAsync(path, "Slides");
        await flow.CompleteUploadAsync(videoId);
        var ready = await flow.WaitForStatusAsync(videoId, "READY", ToReady);
        var expected = ready.GetProperty("chapters").EnumerateArray().Select(c => c.GetProperty("start").GetDouble()).ToList();
        Assert.Equal(3, expected.Count);
        double Position() => Convert.ToDouble(Browser.Script("return document.getElementById('player').currentTime"), CultureInfo.InvariantCulture);

        Browser.SignIn(VideoApiFactory.ClientKey);
        Browser.Open($"/admin/videos/{videoId}");
        Browser.WaitFor("#player");
        Browser.Until(() => Browser.FindAll("#chapters .chapter").Count == 3, "three chapters beside the player");
        var chapters = Browser.FindAll("#chapters .chapter").ToList();
        Assert.Equal(["Slide 1", "Slide 2", "Slide 3"], chapters.Select(c => c.FindElement(By.CssSelector(".chapter-title")).Text));
        Assert.Equal(expected, chapters.Select(c => double.Parse(c.GetDomAttribute("data-start")!, CultureInfo.InvariantCulture)));
        Browser.Until(() => Convert.ToInt32(Browser.Script("return [...document.querySelectorAll('#chapters img')].filter(i => i.complete && i.naturalWidth > 0).length"), CultureInfo.InvariantCulture) == 3, "the three thumbnails loaded");
        Assert.Equal(3, Browser.FindAll("#chapter-marks .chapter-mark").Count);
        Browser.Until(() => Convert.ToInt32(Browser.Script("return document.getElementById('player').readyState"), CultureInfo.InvariantCulture) >= 1, "the player's metadata");

        chapters[2].Click();
        Browser.Until(() => Math.Abs(Position() - expected[2]) < 0.5, $"the player at chapter 3 ({expected[2]} s)");
        Browser.Until(() => chapters[2].GetDomAttribute("aria-current") == "true", "chapter 3 marked as playing");
        Browser.FindAll("#chapter-marks .chapter-mark").ElementAt(1).Click();
        Browser.Until(() => Math.Abs(Position() - expected[1]) < 0.5, $"the player at chapter 2 ({expected[1]} s)");
    }

    private async Task<System.Text.Json.JsonElement> InternalGetAsync(string path)
    {
        var client = Api.ClientWithKey(null);
        client.DefaultRequestHeaders.Add("X-Internal-Api-Key", VideoApiFactory.InternalKey);
        var response = await client.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return await response.ReadJsonAsync();
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(what);
            }

            await Task.Delay(250);
        }
    }
}
