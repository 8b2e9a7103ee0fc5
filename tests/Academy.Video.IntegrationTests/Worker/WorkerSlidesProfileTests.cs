using Academy.Video.Domain.Media;
using Academy.Video.Domain.Videos;
using Academy.Video.IntegrationTests.Transcoding;
using Academy.Video.Infrastructure.Transcoding;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Academy.Video.IntegrationTests.Worker;

/// <summary>
/// The slides profile through the worker binary (docs/encoding.md, Slides profile): real FFmpeg decides from the source,
/// the decision and its figures are stored on the job, and a slides encode's key frames are only where segments start.
/// </summary>
public sealed class WorkerSlidesProfileTests(WorkerTestBed bed) : IClassFixture<WorkerTestBed>
{
    private const int Seconds = 15;

    [Fact]
    public async Task A_slide_lecture_is_decided_slides_stored_with_its_figures_and_encoded_with_key_frames_only_where_segments_start()
    {
        var source = SourceClips.Make("slides-profile-480", 854, 480, Seconds, lavfiVideo: SourceClips.SlidesLavfi(854, 480, Seconds));
        var (videoId, jobId) = await bed.QueueJobAsync(source);
        var environment = new Dictionary<string, string>(bed.WorkerEnvironment()) { ["Transcoding__SourceCopy"] = "false" };

        using var worker = await WorkerProcess.RunAsync([jobId.ToString()], environment);

        Assert.True(worker.ExitCode == 0, worker.Output);
        var video = await bed.Video(videoId);
        Assert.Equal(VideoStatus.Ready, video.Status);
        var profile = (await bed.Job(jobId)).Profile!;
        Assert.Equal(LectureProfileKind.Slides, profile.Kind);
        Assert.InRange(profile.StillShare!.Value, 0.8, 1);
        Assert.InRange(profile.Motion!.Value, 0, 4);
        Assert.InRange(profile.AnalyzedSeconds!.Value, Seconds - 1, Seconds);
        var decided = Assert.Single(worker.Events, e => e.TryGetProperty("event", out var ev) && ev.GetString() == "PROFILE_DECIDED");
        Assert.Equal("slides", decided.GetProperty("profile").GetString());
        Assert.Contains("stillimage", worker.Output, StringComparison.Ordinal);

        var tree = Path.Combine(bed.StorageRoot, Path.GetDirectoryName(video.HlsPath!)!);
        HlsOutputAssert.DecodesEndToEnd(Path.Combine(tree, "master.m3u8"));
        foreach (var rendition in new[] { "480p", "360p" })
        {
            var playlist = Playlist.ReadMedia(Path.Combine(tree, rendition, "index.m3u8"));
            Assert.Equal(3, playlist.Segments.Count);
            foreach (var segment in playlist.Segments)
            {
                var flags = MediaTools.Run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=flags", "-of", "csv=p=0", Path.Combine(tree, rendition, segment.Uri)])
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries);
                Assert.StartsWith("K", flags[0], StringComparison.Ordinal);
                Assert.DoesNotContain(flags.Skip(1), f => f.Contains('K', StringComparison.Ordinal));
            }

            // Thinned to Transcoding:SlidesFrameRate (10): a frame at every tenth of a second, not the source's 30.
            var frames = MediaTools.VideoPackets(Path.Combine(tree, rendition, "index.m3u8")).Count;
            Assert.InRange(frames, (Seconds * 10) - 3, (Seconds * 10) + 3);
        }
    }

    [Fact]
    public async Task A_camera_lecture_is_decided_camera_and_keeps_every_frame()
    {
        var source = SourceClips.Make("camera-profile-480", 854, 480, 8);
        var (videoId, jobId) = await bed.QueueJobAsync(source);
        var environment = new Dictionary<string, string>(bed.WorkerEnvironment()) { ["Transcoding__SourceCopy"] = "false" };

        using var worker = await WorkerProcess.RunAsync([jobId.ToString()], environment);

        Assert.True(worker.ExitCode == 0, worker.Output);
        var profile = (await bed.Job(jobId)).Profile!;
        Assert.Equal(LectureProfileKind.Camera, profile.Kind);
        Assert.InRange(profile.StillShare!.Value, 0, 0.5);
        Assert.DoesNotContain("stillimage", worker.Output, StringComparison.Ordinal);
        var video = await bed.Video(videoId);
        var tree = Path.Combine(bed.StorageRoot, Path.GetDirectoryName(video.HlsPath!)!);
        Assert.Equal(8 * 30, MediaTools.VideoPackets(Path.Combine(tree, "360p", "index.m3u8")).Count);
    }

    [Fact]
    public async Task A_stored_decision_is_reused_not_analysed_again_so_a_resumed_encode_fingerprints_alike()
    {
        var source = SourceClips.Make("slides-profile-480", 854, 480, Seconds, lavfiVideo: SourceClips.SlidesLavfi(854, 480, Seconds));
        var options = Options.Create(new TranscodingOptions { SourceCopy = false });
        var encoder = new FfmpegHlsEncoder(options, NullLogger<FfmpegHlsEncoder>.Instance);
        var info = await new FfprobeMediaProbe(options).ProbeAsync(source, default);
        var request = new Academy.Video.Application.Transcoding.HlsEncodeRequest(
            source, info, HlsLadder.Plan(info.DisplayWidth, info.DisplayHeight, HlsLadder.DefaultRungs), Path.Combine(bed.Root, "reuse-profile"), TimeSpan.FromSeconds(6));
        // A decision no analysis of this source gives: only a plan that took it from the job can carry it.
        var stored = new LectureProfile(LectureProfileKind.Camera, 0.125, 9.5, 3);

        var decided = await encoder.PlanAsync(request, default);
        var reused = await encoder.PlanAsync(request with { Profile = stored }, default);
        var again = await encoder.PlanAsync(request with { Profile = decided.Profile }, default);
        var off = await new FfmpegHlsEncoder(Options.Create(new TranscodingOptions { SourceCopy = false, SlidesProfile = false }), NullLogger<FfmpegHlsEncoder>.Instance)
            .PlanAsync(request, default);

        Assert.Equal(LectureProfileKind.Slides, decided.Profile.Kind);
        Assert.Contains("stillimage", encoder.Arguments(decided, null));
        Assert.Equal(stored, reused.Profile);
        Assert.DoesNotContain("stillimage", encoder.Arguments(reused, null));
        Assert.NotEqual(decided.Fingerprint, reused.Fingerprint);
        Assert.Equal(decided.Fingerprint, again.Fingerprint);
        Assert.Equal(LectureProfile.Disabled, off.Profile);
        Assert.Equal(reused.Fingerprint, off.Fingerprint);
    }
}
