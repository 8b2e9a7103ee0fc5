using Academy.Video.Domain.Events;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Videos;
using static Academy.Video.UnitTests.Domain.Jobs;

namespace Academy.Video.UnitTests.Domain;

/// <summary>Which change tells which event: decided by the intent methods, written by the stores with the change.</summary>
public sealed class VideoEventTests
{
    private static readonly JobPolicy Policy = JobPolicy.Default;

    [Fact]
    public void Only_the_first_attempt_of_a_job_tells_that_the_video_is_processing()
    {
        var first = Queued().Start(T0);
        var retry = In(JobState.RetryWait, attempt: 2).Start(T0);

        Assert.Equal((VideoEventType?)VideoEventType.VideoProcessing, first.Video!.Event);
        Assert.Null(retry.Video!.Event);
        Assert.Null(first.JobEvent);
    }

    [Fact]
    public void A_completion_tells_video_ready_on_its_video_effect()
    {
        var job = In(JobState.Running);

        var transition = job.Complete(job.AttemptPrefix(1) + "master.m3u8", T0)!;

        Assert.Equal((VideoEventType?)VideoEventType.VideoReady, transition.Video!.Event);
        Assert.Null(transition.JobEvent);
        Assert.Null(job.CompleteAlreadyPublished(job.AttemptPrefix(1) + "master.m3u8", T0)!.Video);
    }

    [Fact]
    public void A_permanent_failure_tells_video_failed_and_a_dead_job_tells_job_dead_as_well()
    {
        var permanent = In(JobState.Running).Fail(JobError.NoVideoStream(), T0, Policy);
        var dead = In(JobState.Running, attempt: Policy.MaxAttempts).Fail(JobError.Transient(JobErrorCodes.StorageError, "x"), T0, Policy);
        var neverStarted = In(JobState.Queued, batchJobId: "b") with { NeverStartedCount = Policy.MaxAttempts - 1 };

        Assert.Equal((VideoEventType.VideoFailed, (VideoEventType?)null), (permanent.Video!.Event!.Value, permanent.JobEvent));
        Assert.Equal((VideoEventType.VideoFailed, (VideoEventType?)VideoEventType.JobDead), (dead.Video!.Event!.Value, dead.JobEvent));
        var ended = neverStarted.SubmissionNeverStarted("CannotPullContainerError", T0, Policy);
        Assert.Equal((JobState.Dead, VideoEventType.VideoFailed, (VideoEventType?)VideoEventType.JobDead), (ended.ToState, ended.Video!.Event!.Value, ended.JobEvent));
    }

    [Fact]
    public void Waiting_for_a_retry_being_stuck_or_cancelled_by_a_deletion_tells_nothing()
    {
        var retry = In(JobState.Running).Fail(JobError.Transient(JobErrorCodes.StorageError, "x"), T0, Policy);
        var stuck = In(JobState.Running).MarkStuck(T0.AddMinutes(5), Policy);
        var cancelled = In(JobState.Running).CancelForDeletion(T0)!;

        Assert.All(new[] { retry, stuck, cancelled }, t => Assert.Equal((null, (VideoEventType?)null), (t.Video, t.JobEvent)));
    }

    [Fact]
    public void A_deletion_tells_video_deleted_and_an_expired_upload_video_upload_expired()
    {
        var video = LectureVideo.Create(Guid.NewGuid(), "Lecture", "a.mp4", "video/mp4", T0);

        Assert.Equal((VideoEventType?)VideoEventType.VideoDeleted, video.Delete(null, T0)!.Video.Event);
        Assert.Equal((VideoEventType?)VideoEventType.VideoUploadExpired, video.ExpireUpload(TimeSpan.FromHours(1), T0.AddHours(1))!.Event);
        Assert.Null(((UploadCompletion.Queue)video.CompleteUpload(Guid.NewGuid(), new StoredSource(10), TimeSpan.FromDays(3650), T0)).Job.Video.Event);
    }

    [Fact]
    public void Every_event_type_has_a_wire_name_that_parses_back()
    {
        Assert.Equal(
            ["video.processing", "video.ready", "video.failed", "video.deleted", "video.upload_expired", "job.dead", "caption.ready", "caption.deleted", "caption.failed", "video.playable"],
            VideoEventTypeNames.All.Select(t => t.ToWire()));
        Assert.All(VideoEventTypeNames.All, t => Assert.Equal(t, VideoEventTypeNames.ParseVideoEventType(t.ToWire())));
        Assert.False(VideoEventTypeNames.TryParseVideoEventType("Video.Ready", out _));
    }
}
