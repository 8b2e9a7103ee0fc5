using System.ComponentModel;
using Academy.Video.Domain.Media;

namespace Academy.Video.Application.Common;

/// <summary>
/// Upload rules (section <c>Upload</c>). The older section is still read: <c>Uploads:MaxSourceBytes</c>
/// is <see cref="MaxBytes"/> when <c>Upload:MaxBytes</c> is not set.
/// </summary>
public sealed class UploadOptions
{
    public const string Section = "Upload";
    public const string LegacySection = "Uploads";
    public const string LegacyMaxBytesKey = "Uploads:MaxSourceBytes";

    /// <summary>S3 and R2 keep no object larger than 5 TiB.</summary>
    public const long StorageMaxObjectBytes = 5L * 1024 * 1024 * 1024 * 1024;

    /// <summary>SigV4 presigned URLs live at most seven days, and every upload URL lives until the upload expires.</summary>
    public static readonly TimeSpan MaxExpiry = TimeSpan.FromDays(7);

    /// <summary>Sources of at least this many bytes are uploaded in parts (<c>upload.multipart</c>).</summary>
    [Description("Sources of at least this many bytes are uploaded in parts (upload.multipart).")]
    public long MultipartThreshold { get; set; } = 64L * 1024 * 1024;

    /// <summary>The largest source accepted at create: 20 GiB, a long 4K lecture.</summary>
    [Description("The largest source accepted at create: 20 GiB, a long 4K lecture.")]
    public long MaxBytes { get; set; } = 20L * 1024 * 1024 * 1024;

    /// <summary>An upload not completed this long after the video was created is expired; its URLs die with it.</summary>
    [Description("An upload not completed this long after the video was created is expired; its URLs die with it.")]
    public TimeSpan Expiry { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often the API looks for expired uploads.</summary>
    [Description("How often the API looks for expired uploads.")]
    public TimeSpan ExpiryScanInterval { get; set; } = TimeSpan.FromMinutes(1);

    public IEnumerable<string> Problems()
    {
        if (MultipartThreshold < 1)
        {
            yield return $"{Section}:MultipartThreshold must be at least 1 byte (was {MultipartThreshold}).";
        }

        if (MaxBytes < 1 || MaxBytes > StorageMaxObjectBytes)
        {
            yield return $"{Section}:MaxBytes must be between 1 and {StorageMaxObjectBytes} (5 TiB, the largest S3/R2 object) (was {MaxBytes}).";
        }

        if (Expiry <= TimeSpan.Zero || Expiry > MaxExpiry)
        {
            yield return $"{Section}:Expiry must be more than zero and at most 7 days, the longest a presigned URL lives (was {Expiry}).";
        }

        if (ExpiryScanInterval <= TimeSpan.Zero)
        {
            yield return $"{Section}:ExpiryScanInterval must be more than zero (was {ExpiryScanInterval}).";
        }
    }
}

/// <summary>How the worker runs one attempt (section <c>Worker</c>).</summary>
public sealed class WorkerOptions
{
    public const string Section = "Worker";

    /// <summary>Well inside the 3-minute stuck threshold (docs/contract.md §3).</summary>
    [Description("Well inside the 3-minute stuck threshold (docs/contract.md §3).")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(30);

    public string WorkDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "academy-video-work");

    public TimeSpan SegmentDuration { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>Uploads, copies and downloads in flight at once while an attempt publishes its segments, and brings down those it did not write that its downloads are made from (a resumed attempt, a chunked job's assembler).</summary>
    [Description("Uploads, copies and downloads in flight at once while an attempt publishes its segments, and brings down those it did not write that its downloads are made from (a resumed attempt, a chunked job's assembler).")]
    public int UploadParallelism { get; set; } = 4;

    /// <summary>
    /// How often, at most, an attempt rewrites its progress record (decision 0011) while segments go up: a later attempt
    /// reuses what the last record lists. The record grows with the video, so it is not rewritten after every segment.
    /// </summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The ladder; empty means <see cref="HlsLadder.DefaultRungs"/>.</summary>
    [Description("The ladder; empty means DefaultRungs.")]
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
    [Description("How often the deletion outbox is worked off.")]
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest any one call to the runner (submit, describe, terminate) may take, retries
    /// included: a slow or dead runner delays only the job it is called for, never the API.
    /// </summary>
    public TimeSpan RunnerCallTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often chunks of chunked jobs are submitted and silent ones released (docs/decisions/0023-chunked-encoding.md).</summary>
    [Description("How often chunks of chunked jobs are submitted and silent ones released (docs/decisions/0023-chunked-encoding.md).")]
    public TimeSpan ChunkDispatchInterval { get; set; } = TimeSpan.FromSeconds(5);
}
