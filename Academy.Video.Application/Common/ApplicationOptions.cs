using Academy.Video.Domain.Media;

namespace Academy.Video.Application.Common;

/// <summary>Upload rules (section <c>Uploads</c>).</summary>
public sealed class UploadOptions
{
    public const string Section = "Uploads";

    public TimeSpan UploadUrlValidFor { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The largest source accepted: 20 GiB, a long 4K lecture.</summary>
    public long MaxSourceBytes { get; set; } = 20L * 1024 * 1024 * 1024;
}

/// <summary>How the worker runs one attempt (section <c>Worker</c>).</summary>
public sealed class WorkerOptions
{
    public const string Section = "Worker";

    /// <summary>Well inside the 3-minute stuck threshold (SPEC §3).</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(30);

    public string WorkDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "academy-video-work");

    public TimeSpan SegmentDuration { get; set; } = TimeSpan.FromSeconds(6);

    public int UploadParallelism { get; set; } = 4;

    /// <summary>The ladder; empty means <see cref="HlsLadder.DefaultRungs"/>.</summary>
    public List<LadderRung> Rungs { get; set; } = [];

    public IReadOnlyList<LadderRung> EffectiveRungs => Rungs.Count > 0 ? Rungs : HlsLadder.DefaultRungs;
}

/// <summary>The recovery scan's batch size (section <c>Recovery</c>); its thresholds are the <c>Jobs</c> policy.</summary>
public sealed class RecoveryOptions
{
    public const string Section = "Recovery";

    public int BatchSize { get; set; } = 100;

    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the deletion outbox is worked off.</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest any one call to the runner (submit, describe, terminate) may take, retries
    /// included: a slow or dead runner delays only the job it is called for, never the API.
    /// </summary>
    public TimeSpan RunnerCallTimeout { get; set; } = TimeSpan.FromMinutes(1);
}
