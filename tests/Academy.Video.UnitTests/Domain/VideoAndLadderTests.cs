using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;
using Academy.Video.Domain.Videos;
using static Academy.Video.UnitTests.Domain.Jobs;

namespace Academy.Video.UnitTests.Domain;

public sealed class LectureVideoTests
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(24);

    private static LectureVideo Fresh() => LectureVideo.Create(Guid.NewGuid(), "Lecture", "week1.MP4", "video/mp4", T0);

    [Fact]
    public void Completing_the_upload_queues_a_job_and_points_the_video_at_it()
    {
        var video = Fresh();
        var jobId = Guid.NewGuid();

        var queued = Assert.IsType<UploadCompletion.Queue>(video.CompleteUpload(jobId, new StoredSource(4096), Window, T0)).Job;

        Assert.Equal([VideoStatus.PendingUpload], queued.Video.From);
        Assert.Equal((VideoStatus.Uploaded, jobId, 4096L), (queued.Video.To, queued.Video.CurrentJobId, queued.Video.SourceSizeBytes));
        Assert.Equal((jobId, video.Id, JobState.Queued), (queued.Job.Id, queued.Job.VideoId, queued.Job.State));
    }

    [Fact]
    public void Completing_the_upload_again_answers_with_the_job_queued_first_even_before_storage_is_looked_at()
    {
        var firstJob = Guid.NewGuid();
        var uploaded = Fresh() with { Status = VideoStatus.Uploaded, CurrentJobId = firstJob };

        Assert.Equal(new UploadCompletion.AlreadyQueued(firstJob), uploaded.CompleteUpload(Guid.NewGuid(), new StoredSource(1), Window, T0));
        Assert.Equal(new UploadCompletion.AlreadyQueued(firstJob), uploaded.CheckUploadCompletion(Window, T0));
        // Even a video deleted since keeps answering with its job.
        Assert.Equal(new UploadCompletion.AlreadyQueued(firstJob), (uploaded with { Status = VideoStatus.Deleting }).CompleteUpload(Guid.NewGuid(), null, Window, T0.AddDays(30)));
    }

    [Fact]
    public void An_upload_completed_once_its_window_closed_is_expired_and_so_is_an_EXPIRED_video()
    {
        var video = Fresh();

        Assert.Null(video.CheckUploadCompletion(Window, T0 + Window - TimeSpan.FromTicks(1)));
        Assert.IsType<UploadCompletion.Expired>(video.CompleteUpload(Guid.NewGuid(), new StoredSource(1), Window, T0 + Window));
        Assert.IsType<UploadCompletion.Expired>((video with { Status = VideoStatus.Expired }).CompleteUpload(Guid.NewGuid(), new StoredSource(1), Window, T0));
    }

    [Theory]
    [InlineData(VideoStatus.Uploaded)]
    [InlineData(VideoStatus.Failed)]
    [InlineData(VideoStatus.Deleting)]
    public void A_video_not_waiting_for_its_upload_without_a_job_cannot_complete_it(VideoStatus status) =>
        Assert.Equal(new UploadCompletion.NotUploading(status), (Fresh() with { Status = status }).CompleteUpload(Guid.NewGuid(), new StoredSource(1), Window, T0));

    [Fact]
    public void Nothing_stored_an_empty_object_or_another_size_than_declared_queues_nothing()
    {
        var declared = Fresh() with { SourceSizeBytes = 4096 };

        Assert.IsType<UploadCompletion.NothingUploaded>(declared.CompleteUpload(Guid.NewGuid(), null, Window, T0));
        Assert.IsType<UploadCompletion.EmptySource>(declared.CompleteUpload(Guid.NewGuid(), new StoredSource(0), Window, T0));
        Assert.Equal(new UploadCompletion.WrongSize(4096, 4095), declared.CompleteUpload(Guid.NewGuid(), new StoredSource(4095), Window, T0));
        Assert.IsType<UploadCompletion.Queue>(declared.CompleteUpload(Guid.NewGuid(), new StoredSource(4096), Window, T0));
    }

    [Fact]
    public void A_video_created_before_sizes_were_declared_takes_whatever_size_is_stored_but_not_an_empty_one()
    {
        var undeclared = Fresh();

        Assert.Equal(123L, Assert.IsType<UploadCompletion.Queue>(undeclared.CompleteUpload(Guid.NewGuid(), new StoredSource(123), Window, T0)).Job.Video.SourceSizeBytes);
        Assert.IsType<UploadCompletion.EmptySource>(undeclared.CompleteUpload(Guid.NewGuid(), new StoredSource(0), Window, T0));
    }

    [Theory]
    [InlineData(VideoStatus.PendingUpload)]
    [InlineData(VideoStatus.Processing)]
    [InlineData(VideoStatus.Ready)]
    [InlineData(VideoStatus.Deleting)]
    public void Only_a_FAILED_video_can_be_retried(VideoStatus status) =>
        Assert.Throws<InvalidVideoTransitionException>(() => (Fresh() with { Status = status }).Retry(Guid.NewGuid(), T0));

    [Fact]
    public void Retrying_a_FAILED_video_queues_a_new_job_and_forgets_the_old_ladder()
    {
        var video = Fresh() with { Status = VideoStatus.Failed, CurrentJobId = Guid.NewGuid(), HlsPath = "old/master.m3u8" };

        var retried = video.Retry(Guid.NewGuid(), T0);

        Assert.Equal([VideoStatus.Failed], retried.Video.From);
        Assert.Equal((VideoStatus.Uploaded, true), (retried.Video.To, retried.Video.ClearHlsPath));
        Assert.Equal(retried.Job.Id, retried.Video.CurrentJobId);
        Assert.NotEqual(video.CurrentJobId, retried.Job.Id);
    }

    [Fact]
    public void Deleting_ends_the_unfinished_current_job_with_the_video_and_queues_the_whole_prefix()
    {
        var job = TranscodeJob.Queue(Guid.NewGuid(), Guid.NewGuid(), T0);
        var video = Fresh() with { Id = job.VideoId, Status = VideoStatus.Uploaded, CurrentJobId = job.Id };

        var deletion = video.Delete(job, T0)!;

        Assert.Equal([VideoStatus.Uploaded], deletion.Video.From);
        Assert.Equal(VideoStatus.Deleting, deletion.Video.To);
        Assert.Equal((job.Id, JobState.Failed, JobErrorCodes.VideoDeleted), (deletion.EndJob!.JobId, deletion.EndJob.ToState, deletion.EndJob.Error!.Code));
        Assert.Equal(StorageKeys.VideoPrefix(video.Id), deletion.Prefix);
        Assert.Null(video.Delete(job with { State = JobState.Succeeded }, T0)!.EndJob);
        Assert.Throws<ArgumentException>(() => video.Delete(TranscodeJob.Queue(Guid.NewGuid(), video.Id, T0), T0));
    }

    [Theory]
    [InlineData(VideoStatus.Deleting)]
    [InlineData(VideoStatus.Deleted)]
    public void Deleting_twice_is_a_no_op(VideoStatus status) =>
        Assert.Null((Fresh() with { Status = status }).Delete(null, T0));

    [Theory]
    [InlineData("lecture.MP4", "original.mp4")]
    [InlineData("../../etc/passwd", "original.bin")]
    [InlineData("clip.exe", "original.bin")]
    [InlineData("", "original.bin")]
    public void Source_keys_are_made_from_the_id_and_a_known_extension_only(string fileName, string expectedName)
    {
        var id = Guid.NewGuid();

        Assert.Equal($"videos/{id:N}/source/{expectedName}", StorageKeys.Source(id, fileName));
    }

    [Fact]
    public void Each_attempt_publishes_under_its_own_prefix()
    {
        var (video, job) = (Guid.NewGuid(), Guid.NewGuid());

        Assert.NotEqual(StorageKeys.HlsPrefix(video, job, 1), StorageKeys.HlsPrefix(video, job, 2));
        Assert.StartsWith(StorageKeys.VideoPrefix(video), StorageKeys.HlsPrefix(video, job, 1), StringComparison.Ordinal);
    }
}

public sealed class HlsLadderTests
{
    private static string Sizes(IEnumerable<Rendition> plan) => string.Join(' ', plan.Select(r => $"{r.Name}={r.Width}x{r.Height}"));

    [Fact]
    public void A_1080p_source_gets_all_four_rungs() =>
        Assert.Equal("1080p=1920x1080 720p=1280x720 480p=854x480 360p=640x360",
            Sizes(HlsLadder.Plan(1920, 1080, HlsLadder.DefaultRungs)));

    [Fact]
    public void A_4K_source_is_capped_at_the_top_rung() =>
        Assert.Equal("1080p=1920x1080 720p=1280x720 480p=854x480 360p=640x360",
            Sizes(HlsLadder.Plan(3840, 2160, HlsLadder.DefaultRungs)));

    [Fact]
    public void A_480p_source_is_never_upscaled() =>
        Assert.Equal("480p=854x480 360p=640x360", Sizes(HlsLadder.Plan(854, 480, HlsLadder.DefaultRungs)));

    [Fact]
    public void A_portrait_source_keeps_its_orientation_with_the_rung_on_the_short_side() =>
        Assert.Equal("720p=720x1280 480p=480x854 360p=360x640", Sizes(HlsLadder.Plan(720, 1280, HlsLadder.DefaultRungs)));

    [Fact]
    public void A_source_smaller_than_every_rung_gets_one_rendition_at_its_own_even_size() =>
        Assert.Equal("240p=320x240", Sizes(HlsLadder.Plan(321, 241, HlsLadder.DefaultRungs)));

    [Fact]
    public void Every_dimension_is_even_for_odd_aspect_ratios()
    {
        var plan = HlsLadder.Plan(1998, 1080, HlsLadder.DefaultRungs);

        Assert.All(plan, r => Assert.True(r.Width % 2 == 0 && r.Height % 2 == 0, Sizes(plan)));
    }

    [Theory]
    [InlineData(1, 240)]
    [InlineData(320, 1)]
    [InlineData(0, 0)]
    public void A_source_under_two_pixels_on_a_side_cannot_be_planned(int width, int height)
    {
        var error = Assert.Throws<UnsupportedSourceException>(() => HlsLadder.Plan(width, height, HlsLadder.DefaultRungs));

        Assert.Equal((JobErrorCodes.SourceDimensionsUnsupported, JobErrorKind.Permanent), (error.Error.Code, error.Error.Kind));
    }

    [Fact]
    public void A_panorama_keeps_only_the_rungs_short_enough_to_encode() =>
        Assert.Equal("720p=7680x720 480p=5120x480 360p=3840x360", Sizes(HlsLadder.Plan(11520, 1080, HlsLadder.DefaultRungs)));

    [Fact]
    public void A_source_whose_every_rendition_is_too_long_cannot_be_planned() =>
        Assert.Equal(JobErrorCodes.SourceDimensionsUnsupported,
            Assert.Throws<UnsupportedSourceException>(() => HlsLadder.Plan(20000, 300, HlsLadder.DefaultRungs)).Code);

    [Fact]
    public void An_odd_tiny_source_is_planned_at_an_even_size() =>
        Assert.Equal("2p=2x2", Sizes(HlsLadder.Plan(3, 3, HlsLadder.DefaultRungs)));

    [Fact]
    public void A_rotated_phone_video_is_planned_in_display_orientation()
    {
        var stored = new MediaInfo(TimeSpan.FromSeconds(5), 1280, 720, 90, 30, true, "h264");

        Assert.Equal((720, 1280), (stored.DisplayWidth, stored.DisplayHeight));
    }

    [Fact]
    public void A_source_between_two_rungs_gets_a_top_rendition_at_its_own_height() =>
        Assert.Equal("718p=1276x718 480p=854x480 360p=640x360", Sizes(HlsLadder.Plan(1276, 718, HlsLadder.DefaultRungs)));

    [Fact]
    public void An_odd_height_between_rungs_is_rounded_down_to_even() =>
        Assert.Equal("1078p=1916x1078 720p=1280x720 480p=854x480 360p=640x360", Sizes(HlsLadder.Plan(1918, 1079, HlsLadder.DefaultRungs)));

    [Fact]
    public void A_portrait_source_between_rungs_is_fitted_on_its_short_side() =>
        Assert.Equal("718p=718x1276 480p=480x854 360p=360x640", Sizes(HlsLadder.Plan(718, 1276, HlsLadder.DefaultRungs)));

    [Fact]
    public void A_rung_barely_below_the_fitted_top_is_left_out() =>
        Assert.Equal("736p=1308x736 480p=854x480 360p=640x360", Sizes(HlsLadder.Plan(1308, 736, HlsLadder.DefaultRungs)));

    [Fact]
    public void The_fitted_rendition_interpolates_bitrates_by_area_and_takes_the_higher_audio_rate()
    {
        var fitted = HlsLadder.Plan(1778, 1000, HlsLadder.DefaultRungs)[0];

        // (1000² − 720²) / (1080² − 720²) = 0.743 of the way from 2800 to 5000.
        Assert.Equal(("1000p", 4435, 128), (fitted.Name, fitted.VideoBitrateKbps, fitted.AudioBitrateKbps));
    }

    [Fact]
    public void Fitted_bitrates_grow_with_the_height_and_stay_between_the_neighbouring_rungs()
    {
        var previous = 0;
        for (var height = 362; height < 1080; height += 2)
        {
            var top = HlsLadder.Plan(height * 16 / 9 / 2 * 2, height, HlsLadder.DefaultRungs)[0];
            Assert.Equal(height, top.Height);
            Assert.InRange(top.VideoBitrateKbps, Math.Max(previous, 800), 5000);
            previous = top.VideoBitrateKbps;
        }
    }

    [Fact]
    public void The_buffer_is_one_and_a_half_seconds_of_the_cap()
    {
        var top = HlsLadder.Plan(1920, 1080, HlsLadder.DefaultRungs)[0];

        Assert.Equal((5000, 7500), (top.VideoBitrateKbps, top.BufferSizeKbps));
    }
}

public sealed class HlsSegmentationTests
{
    [Fact]
    public void Regular_key_frames_are_cut_on_every_target_boundary()
    {
        var keyframes = Enumerable.Range(0, 10).Select(i => i * 2.0).ToList();

        Assert.Equal([6.0, 12.0, 18.0], HlsSegmentation.Cuts(keyframes, 20, 6));
    }

    [Fact]
    public void A_late_key_frame_does_not_move_the_next_boundary()
    {
        // ffmpeg counts boundaries by segment number: after a cut at 10 the next target is still 12, not 16.
        var keyframes = Enumerable.Range(0, 9).Select(i => i * 5.0).ToList();

        var cuts = HlsSegmentation.Cuts(keyframes, 42, 6);

        Assert.Equal([10.0, 15.0, 20.0, 25.0, 30.0, 40.0], cuts);
        Assert.Equal(10, HlsSegmentation.LongestSegment(cuts, 42));
    }

    [Fact]
    public void The_last_segment_counts_towards_the_longest() =>
        Assert.Equal(8, HlsSegmentation.LongestSegment(HlsSegmentation.Cuts([0, 2, 4, 6], 14, 2), 14));
}

public sealed class SourceCopyTests
{
    private static readonly Rendition Top1080 = HlsLadder.Plan(1920, 1080, HlsLadder.DefaultRungs)[0];
    private static readonly TimeSpan Target = TimeSpan.FromSeconds(6);

    private static readonly MediaInfo Camera = new(TimeSpan.FromSeconds(60), 1920, 1080, 0, 30, true, "h264")
    {
        PixelFormat = "yuv420p",
        FieldOrder = "progressive",
        VideoBitrateKbps = 4500,
    };

    private static KeyframeIndex EveryTwoSeconds(double seconds = 60, int kbps = 4500) =>
        new(Enumerable.Range(0, (int)(seconds / 2)).Select(i => i * 2.0).ToList(), seconds, (long)(seconds * kbps * 1000 / 8));

    [Fact]
    public void A_fitting_H264_source_is_copied_with_its_cuts()
    {
        var decision = SourceCopy.Decide(Camera, Top1080, Target, EveryTwoSeconds());

        Assert.True(decision.Copy, decision.Reason);
        Assert.Equal(SourceCopyCodes.Copied, decision.Code);
        Assert.Equal([6.0, 12.0, 18.0, 24.0, 30.0, 36.0, 42.0, 48.0, 54.0], decision.CutSeconds);
    }

    public static TheoryData<string, MediaInfo> RefusedStreams => new()
    {
        { SourceCopyCodes.NotH264, Camera with { VideoCodec = "hevc" } },
        { SourceCopyCodes.Not8Bit420, Camera with { PixelFormat = "yuv420p10le" } },
        { SourceCopyCodes.Not8Bit420, Camera with { PixelFormat = "yuv422p" } },
        { SourceCopyCodes.NotProgressive, Camera with { FieldOrder = "tt" } },
        { SourceCopyCodes.NotProgressive, Camera with { FieldOrder = "unknown" } },
        { SourceCopyCodes.Rotated, Camera with { RotationDegrees = 180 } },
        { SourceCopyCodes.SizeMismatch, Camera with { Width = 2560, Height = 1440 } },
        { SourceCopyCodes.SizeMismatch, Camera with { Width = 1919, Height = 1081 } },
        { SourceCopyCodes.OverBitrateCap, Camera with { VideoBitrateKbps = 5001 } },
    };

    [Theory]
    [MemberData(nameof(RefusedStreams))]
    public void A_stream_that_is_not_what_the_top_rung_carries_is_refused_before_its_packets_are_read(string code, MediaInfo source)
    {
        var early = SourceCopy.RefuseFromStream(source, Top1080);
        var late = SourceCopy.Decide(source, Top1080, Target, EveryTwoSeconds());

        Assert.Equal(code, early?.Code);
        Assert.Equal((false, code), (late.Copy, late.Code));
        Assert.Empty(late.CutSeconds);
    }

    [Fact]
    public void A_source_whose_container_states_no_bitrate_is_judged_on_its_measured_average()
    {
        var unknown = Camera with { VideoBitrateKbps = null };

        Assert.Null(SourceCopy.RefuseFromStream(unknown, Top1080));
        Assert.True(SourceCopy.Decide(unknown, Top1080, Target, EveryTwoSeconds(kbps: 5000)).Copy);
        Assert.Equal(SourceCopyCodes.OverBitrateCap, SourceCopy.Decide(unknown, Top1080, Target, EveryTwoSeconds(kbps: 5100)).Code);
    }

    [Fact]
    public void Key_frames_up_to_one_and_a_half_targets_apart_are_accepted_and_sparser_ones_refused()
    {
        var nineSeconds = new KeyframeIndex([0, 9, 18, 27], 36, 36L * 4000 * 1000 / 8);
        var tenSeconds = new KeyframeIndex([0, 10, 20, 30], 40, 40L * 4000 * 1000 / 8);

        Assert.True(SourceCopy.Decide(Camera, Top1080, Target, nineSeconds).Copy);
        var refused = SourceCopy.Decide(Camera, Top1080, Target, tenSeconds);
        Assert.Equal(SourceCopyCodes.SparseKeyframes, refused.Code);
        Assert.Contains("10 s segment", refused.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_long_tail_without_key_frames_is_refused()
    {
        var index = new KeyframeIndex([0, 2, 4, 6], 20, 20L * 4000 * 1000 / 8);

        Assert.Equal(SourceCopyCodes.SparseKeyframes, SourceCopy.Decide(Camera, Top1080, Target, index).Code);
    }

    [Fact]
    public void A_video_that_does_not_start_on_a_key_frame_is_refused()
    {
        var index = new KeyframeIndex([0.5, 2, 4, 6], 8, 8L * 4000 * 1000 / 8);

        Assert.Equal(SourceCopyCodes.SparseKeyframes, SourceCopy.Decide(Camera, Top1080, TimeSpan.FromSeconds(2), index).Code);
    }

    [Fact]
    public void A_fitted_top_rendition_is_the_source_size_so_a_718_line_source_can_be_copied()
    {
        var source = Camera with { Width = 1276, Height = 718, VideoBitrateKbps = 2000 };
        var top = HlsLadder.Plan(1276, 718, HlsLadder.DefaultRungs)[0];

        Assert.True(SourceCopy.Decide(source, top, Target, EveryTwoSeconds(kbps: 2000)).Copy);
    }
}
