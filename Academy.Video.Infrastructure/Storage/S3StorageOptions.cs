using System.ComponentModel;
using Academy.Video.Application.Common;

namespace Academy.Video.Infrastructure.Storage;

/// <summary>Cloudflare R2 or any S3-compatible server. Configuration section <c>Storage:S3</c>.</summary>
public sealed class S3StorageOptions
{
    public const string SectionName = "Storage:S3";

    /// <summary>The endpoint, e.g. <c>https://&lt;account&gt;.r2.cloudflarestorage.com</c> or <c>http://127.0.0.1:54569</c>.</summary>
    [Description("The endpoint, e.g. https://&lt;account&gt;.r2.cloudflarestorage.com or http://127.0.0.1:54569.")]
    public string ServiceUrl { get; set; } = string.Empty;

    public string Bucket { get; set; } = string.Empty;

    [Secret(Identifiable = true)]

    public string AccessKey { get; set; } = string.Empty;

    [Secret]

    public string SecretKey { get; set; } = string.Empty;

    /// <summary>The SigV4 signing region; R2 expects <c>auto</c>.</summary>
    [Description("The SigV4 signing region; R2 expects auto.")]
    public string Region { get; set; } = "auto";

    public bool ForcePathStyle { get; set; } = true;

    /// <summary>Public bucket or CDN base URL players load from; when empty, <c>{ServiceUrl}/{Bucket}/{key}</c>.</summary>
    [Description("Public bucket or CDN base URL players load from; when empty, {ServiceUrl}/{Bucket}/{key}.")]
    public string? PublicBaseUrl { get; set; }

    /// <summary>Files at least this large are uploaded in parts.</summary>
    [Description("Files at least this large are uploaded in parts.")]
    public long MultipartThresholdBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Size of each part of a multipart upload (S3 and R2 require at least 5 MiB except for the last part) and of each ranged GET of a download.</summary>
    [Description("Size of each part of a multipart upload (S3 and R2 require at least 5 MiB except for the last part) and of each ranged GET of a download.")]
    public long PartSizeBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>Parts uploaded, or ranges of a download fetched, at the same time (per file).</summary>
    [Description("Parts uploaded, or ranges of a download fetched, at the same time (per file).")]
    public int UploadParallelism { get; set; } = 4;

    /// <summary>Keys per list page and per DeleteObjects batch; S3 allows at most 1000.</summary>
    [Description("Keys per list page and per DeleteObjects batch; S3 allows at most 1000.")]
    public int ListPageSize { get; set; } = 1000;
}
