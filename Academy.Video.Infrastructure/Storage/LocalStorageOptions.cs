using System.ComponentModel;
using Academy.Video.Application.Common;

namespace Academy.Video.Infrastructure.Storage;

/// <summary>The embedded default: objects are files under a folder, served by the API. Section <c>Storage:Local</c>.</summary>
public sealed class LocalStorageOptions
{
    public const string SectionName = "Storage:Local";

    /// <summary>
    /// Fixed so the API (which verifies upload signatures) and the worker (which creates nothing signed
    /// but shares the configuration) agree without setup; a per-process random key would break that.
    /// Set a secret of your own wherever the API is reachable by anyone but you.
    /// </summary>
    public const string DevelopmentSigningKey = "academy-video-local-development-signing-key";

    /// <summary>The folder holding the objects; a relative path is resolved against the current directory.</summary>
    [Description("The folder holding the objects; a relative path is resolved against the current directory.")]
    public string RootPath { get; set; } = ".local/storage";

    /// <summary>
    /// Where a file is written until it is complete and renamed into place; empty means <c>{RootPath}/.tmp</c>.
    /// Keep it on RootPath's filesystem so the rename stays atomic. The local runner gives each worker attempt its
    /// own, so the partial files of a killed attempt are removed with it.
    /// </summary>
    public string? TemporaryDirectory { get; set; }

    /// <summary>The API's base URL: uploads go to <c>{PublicBaseUrl}/storage/{key}</c>, playback to <c>{PublicBaseUrl}/media/{key}</c>.</summary>
    [Description("The API's base URL: uploads go to {PublicBaseUrl}/storage/{key}, playback to {PublicBaseUrl}/media/{key}.")]
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>HMAC-SHA256 key for upload URLs.</summary>
    [Secret]
    [Description("HMAC-SHA256 key for upload URLs.")]
    public string SigningKey { get; set; } = DevelopmentSigningKey;
}
