using Academy.Video.Application.Jobs;
using Academy.Video.Application.Jobs.ProcessJob;
using Academy.Video.Application.Storage.ProcessStorageCleanups;
using Academy.Video.Application.Transcoding;
using Academy.Video.Application.Videos;
using Academy.Video.Application.Videos.GetVideo;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;
using Academy.Video.Domain.Videos;
using Academy.Video.UnitTests.Fakes;

namespace Academy.Video.UnitTests.Application;

/// <summary>Progressive publish and resume in the application core: segments published as they close, and a new attempt resuming from an earlier one's.</summary>
public sealed class PublishAndResumeTests : IAsyncLifetime
{
    private static readonly string[] VideoVariants = ["1080p", "720p", "480p", "360p"];

    private readonly ApplicationHarness app = new(heartbeatInterval: TimeSpan.FromHours(1));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Segments_go_up_while_the_encoder_is_still_encoding()
    {
        var (videoId, job) = await app.UploadVideoAsync();
        var prefix = StorageKeys.HlsPrefix(videoId, job.JobId, 1);
        var seenDuringEncode = false;
        app.Transcoder.AfterSegment = async (segment, _) =>
        {
            if (segment is { Variant: "audio", Segment.Index: 1 })
            {
                // The encoder has more to write; the first segment is already in storage.
                await WaitUntilAsync(() => app.Storage.Keys.Contains(prefix + "1080p/seg_00000.ts"), "the first segment is uploaded");
                // The finished playlist is not up yet; a growing EVENT one may be (playable before READY, decision 0018).
                var playlist = prefix + "1080p/index.m3u8";
                seenDuringEncode = !app.Storage.Keys.Contains(playlist)
                    || !(await app.Storage.ReadTextAsync(playlist, 1 << 20, CancellationToken.None)).Contains("#EXT-X-ENDLIST", StringComparison.Ordinal);
            }
        };

        var result = await app.Send(new ProcessJobCommand(job.JobId));

        Assert.Equal(ProcessJobOutcome.Completed, result.Outcome);
        Assert.True(seenDuringEncode);
    }

    [Fact]
    public async Task The_top_rung_decision_is_logged_with_the_job_id_and_kept_with_the_job_and_the_probe_with_the_video()
    {
        var (videoId, job) = await app.UploadVideoAsync();

        await app.Send(new ProcessJobCommand(job.JobId));

        var line = Assert.Single(app.Logs.Lines, l => l.Event == JobEvents.TopRungDecided);
        Assert.Equal(job.JobId, line.Properties["job_id"]);
        Assert.Equal((SourceCopyCodes.OverBitrateCap, "encode"), (line.Properties["top_rung_code"], line.Properties["top_rung"]));
        var stored = app.Database.Job(job.JobId);
        Assert.Equal((SourceCopyCodes.OverBitrateCap, app.Transcoder.TopRung.Reason), (stored.TopRungCode, stored.TopRungReason));
        Assert.Equal(new SourceMetadata(12, 1920, 1080, 0, "h264", "aac", 30, 4200), app.Database.Video(videoId).Source);
        var details = await app.Query(new GetVideoQuery(videoId));
        Assert.Equal((SourceCopyCodes.OverBitrateCap, 12.0, "aac"), (details.Job!.TopRungCode, details.Source!.DurationSeconds, details.Source.AudioCodec));
        // The scripted encoder measures nothing: its plan says so, and the job keeps and shows what the plan said.
        Assert.Equal(Academy.Video.Domain.Media.LoudnessMeasurement.Disabled, stored.Loudness);
        Assert.Equal(new LoudnessView("disabled", null, null, null, null, null), details.Job.Loudness);
        Assert.Equal("disabled", Assert.Single(app.Logs.Lines, l => l.Event == JobEvents.LoudnessDecided).Properties["loudness_status"]);
        Assert.Equal(Academy.Video.Domain.Media.LectureProfile.Disabled, stored.Profile);
        Assert.Equal(new ProfileView("disabled", null, null, null), details.Job.Profile);
        Assert.Equal("disabled", Assert.Single(app.Logs.Lines, l => l.Event == JobEvents.ProfileDecided).Properties["profile"]);
    }

    [Fact]
    public async Task A_new_attempt_copies_the_segments_its_predecessor_recorded_encodes_the_rest_and_publishes_a_whole_tree()
    {
        var (videoId, job) = await app.UploadVideoAsync();
        var first = StorageKeys.HlsPrefix(videoId, job.JobId, 1);
        var second = StorageKeys.HlsPrefix(videoId, job.JobId, 2);
        await FailFirstAttemptAfterTwoSegmentsAsync(job.JobId, first);

        var result = await app.Send(new ProcessJobCommand(job.JobId));

        Assert.Equal(ProcessJobOutcome.Completed, result.Outcome);
        var resume = app.Transcoder.Resumes.ToList()[1];
        Assert.Equal((1, 2), (resume!.Attempt, resume.SegmentCount));
        Assert.Equal(VideoVariants.Order(), resume.Segments.Keys.Order());
        Assert.Equal(
            VideoVariants.SelectMany(v => new[] { $"{v}/seg_00000.ts", $"{v}/seg_00001.ts" }).Order(StringComparer.Ordinal),
            app.Storage.Copies.Select(c => { Assert.StartsWith(first, c.From, StringComparison.Ordinal); return c.To[second.Length..]; }).Order(StringComparer.Ordinal));
        var resumed = Assert.Single(app.Logs.Lines, l => l.Event == JobEvents.AttemptResumed);
        Assert.Equal((job.JobId, 1, 2), (resumed.Properties["job_id"], resumed.Properties["from_attempt"], resumed.Properties["segments"]));

        // Every cleanup run: the earlier attempt's prefix goes, the published tree holds every object its playlists name.
        while ((await app.Send(new ProcessStorageCleanupsCommand())).Completed > 0)
        {
        }

        Assert.Equal(second + "master.m3u8", app.Database.Video(videoId).HlsPath);
        Assert.DoesNotContain(app.Storage.Keys, k => k.StartsWith(first, StringComparison.Ordinal));
        foreach (var variant in VideoVariants.Append("audio"))
        {
            var playlist = HlsMediaPlaylist.Parse(await app.Storage.ReadTextAsync($"{second}{variant}/index.m3u8", 1 << 20, default));
            Assert.Equal(["seg_00000.ts", "seg_00001.ts", "seg_00002.ts"], playlist.Entries.Select(e => e.Uri));
            Assert.All(playlist.Entries, e => Assert.Contains($"{second}{variant}/{e.Uri}", app.Storage.Keys));
        }

        var record = HlsProgressJson.Read(await app.Storage.ReadTextAsync(second + StorageKeys.ProgressName, 1 << 20, default))!;
        Assert.All(VideoVariants, v => Assert.Equal((3, 3), (record.Variants[v].Segments.Count, record.Variants[v].SegmentCount)));
    }

    [Fact]
    public async Task Segments_of_another_plan_are_not_reused()
    {
        var (videoId, job) = await app.UploadVideoAsync();
        await FailFirstAttemptAfterTwoSegmentsAsync(job.JobId, StorageKeys.HlsPrefix(videoId, job.JobId, 1));
        app.Transcoder.Fingerprint = "plan-2";

        var result = await app.Send(new ProcessJobCommand(job.JobId));

        Assert.Equal(ProcessJobOutcome.Completed, result.Outcome);
        Assert.Null(app.Transcoder.Resumes.ToList()[1]);
        Assert.Empty(app.Storage.Copies);
    }

    [Fact]
    public async Task A_recorded_segment_storage_no_longer_holds_at_its_size_ends_what_is_reused()
    {
        var (videoId, job) = await app.UploadVideoAsync();
        var first = StorageKeys.HlsPrefix(videoId, job.JobId, 1);
        await FailFirstAttemptAfterTwoSegmentsAsync(job.JobId, first);
        app.Storage.Put(first + "720p/seg_00001.ts", new byte[3]);

        await app.Send(new ProcessJobCommand(job.JobId));

        Assert.Equal(1, app.Transcoder.Resumes.ToList()[1]!.SegmentCount);
        Assert.Equal(4, app.Storage.Copies.Count);
    }

    [Fact]
    public async Task An_upload_failing_while_ffmpeg_runs_stops_the_encode_and_ends_the_attempt_as_a_storage_error()
    {
        var (_, job) = await app.UploadVideoAsync();
        app.Storage.FailUploadsAfter = 2;
        // An encode that would go on for ever: only the failed upload's cancellation ends it.
        app.Transcoder.AfterSegment = (segment, token) => segment.Segment.Index == 1 ? Task.Delay(Timeout.Infinite, token) : Task.CompletedTask;

        var result = await app.Send(new ProcessJobCommand(job.JobId)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(ProcessJobOutcome.Failed, result.Outcome);
        Assert.Equal((JobState.RetryWait, JobErrorCodes.StorageError), (app.Database.Job(job.JobId).State, app.Database.Job(job.JobId).ErrorCode));
    }

    /// <summary>Attempt 1 closes segments 0 and 1 of every variant, waits until its progress record lists them, then fails (transient).</summary>
    private async Task FailFirstAttemptAfterTwoSegmentsAsync(Guid jobId, string prefix)
    {
        app.Transcoder.AfterSegment = async (segment, _) =>
        {
            if (segment is { Variant: "audio", Segment.Index: 1 })
            {
                await WaitUntilAsync(() => RecordedCount(prefix) >= 2, "the progress record lists two segments of every video variant");
                throw new TranscodeFailedException(JobError.Transient(JobErrorCodes.EncodeFailed, "ffmpeg was killed (test)"));
            }
        };

        var failed = await app.Send(new ProcessJobCommand(jobId));
        Assert.Equal(ProcessJobOutcome.Failed, failed.Outcome);
        Assert.Equal(JobState.RetryWait, app.Database.Job(jobId).State);
        app.Transcoder.AfterSegment = null;
    }

    private int RecordedCount(string prefix)
    {
        if (!app.Storage.Keys.Contains(prefix + StorageKeys.ProgressName))
        {
            return 0;
        }

        var record = HlsProgressJson.Read(app.Storage.ReadTextAsync(prefix + StorageKeys.ProgressName, 1 << 20, default).Result);
        return record is null ? 0 : VideoVariants.Min(v => record.Variants.TryGetValue(v, out var p) ? p.Segments.Count : 0);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(10);
        }
    }
}
