using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;
using Academy.Video.Domain.Videos;
using static Academy.Video.UnitTests.Domain.Jobs;

namespace Academy.Video.UnitTests.Domain;

public sealed class LectureVideoTests
{
    private static LectureVideo Fresh() => LectureVideo.Create(Guid.NewGuid(), "Lecture", "week1.MP4", "video/mp4", T0);

    [Fact]
    public void Completing_the_upload_queues_a_job_and_points_the_video_at_it()
    {
        var video = Fresh();
        var jobId = Guid.NewGuid();

        var queued = video.CompleteUpload(jobId, 4096, T0)!;

        Assert.Equal([VideoStatus.PendingUpload], queued.Video.From);
        Assert.Equal((VideoStatus.Uploaded, jobId, 4096L), (queued.Video.To, queued.Video.CurrentJobId, queued.Video.SourceSizeBytes));
        Assert.Equal((jobId, video.Id, JobState.Queued), (queued.Job.Id, queued.Job.VideoId, queued.Job.State));
    }

    [Fact]
    public void Completing_the_upload_again_is_a_no_op()
    {
        var uploaded = Fresh() with { Status = VideoStatus.Uploaded, CurrentJobId = Guid.NewGuid() };

        Assert.Null(uploaded.CompleteUpload(Guid.NewGuid(), 1, T0));
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
}
