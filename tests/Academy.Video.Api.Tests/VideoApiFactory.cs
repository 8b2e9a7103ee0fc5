using System.Net.Http.Json;
using System.Text.Json;
using Academy.Video.IntegrationTests.Persistence;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Academy.Video.Api.Tests;

/// <summary>
/// The API in process against a real database and a local storage folder, in local mode (<c>LocalMode=true</c>); its
/// local runner starts the real worker binary, which runs real FFmpeg. Thresholds are shortened so recovery happens in seconds.
/// </summary>
public class VideoApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string ClientKey = "test-client-key-0123456789";
    public const string InternalKey = "test-internal-key-0123456789";

    private readonly string ownRoot = Path.Combine(Path.GetTempPath(), "academy-video-api-tests", Guid.NewGuid().ToString("N"));

    private PostgresDatabase? database;

    /// <summary>The first replica, when this factory is a second one (<see cref="ShareStateWith"/>).</summary>
    private VideoApiFactory? first;

    public string Root => first?.Root ?? ownRoot;

    public string StorageRoot => Path.Combine(Root, "storage");

    /// <summary>A regular file where the worker's work directory should be makes every attempt fail (a transient error).</summary>
    public string WorkBlocker => Path.Combine(Root, "work-blocker");

    public string ConnectionString => Database.ConnectionString;

    private PostgresDatabase Database => first?.Database ?? database ?? throw new InvalidOperationException("InitializeAsync first.");

    /// <summary>
    /// Makes this factory another replica of <paramref name="replica"/>: the same database, storage root, runner
    /// logs and work directory. Call before <see cref="InitializeAsync"/>; the first replica owns and removes them.
    /// </summary>
    public void ShareStateWith(VideoApiFactory replica)
    {
        ArgumentNullException.ThrowIfNull(replica);
        first = replica.first ?? replica;
    }

    /// <summary>The database the API and its workers use; by default a fresh one on the shared test server.</summary>
    protected virtual PostgresDatabase CreateDatabase() => new();

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web);

    public virtual async Task InitializeAsync()
    {
        if (first is not null)
        {
            _ = first.Database;
            return;
        }

        database = CreateDatabase();
        await database.InitializeAsync();
        Directory.CreateDirectory(Root);
    }

    public new virtual async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (database is not null)
        {
            await database.DisposeAsync();
        }

        if (first is null && Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var workDirectory = Path.Combine(WorkBlocker, "work");
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = Database.ConnectionString,
            // Local mode is declared, as build/demo.sh does: the development signing key and webhooks to this machine.
            ["LocalMode"] = LocalMode,
            // Tests create many videos with one key: far above any test's count, so nothing here is throttled.
            ["RateLimits:CreatesPerWindow"] = "100000",
            ["RateLimits:UploadsPerWindow"] = "100000",
            ["Auth:ApiKeys:0"] = ClientKey,
            ["Auth:InternalApiKeys:0"] = InternalKey,
            ["Storage:Provider"] = "Local",
            ["Storage:Local:RootPath"] = StorageRoot,
            ["Storage:Local:PublicBaseUrl"] = "http://localhost",
            ["Runner:Kind"] = "Local",
            ["Runner:Local:Command"] = "dotnet",
            ["Runner:Local:Arguments:0"] = WorkerDll,
            ["Runner:Local:LogDirectory"] = Path.Combine(Root, "runner-logs"),
            ["Runner:Local:MaxConcurrency"] = "2",
            ["Runner:Local:Environment:ConnectionStrings__Postgres"] = Database.ConnectionString,
            ["Runner:Local:Environment:Storage__Provider"] = "Local",
            ["Runner:Local:Environment:Storage__Local__RootPath"] = StorageRoot,
            ["Runner:Local:WorkDirectory"] = workDirectory,
            ["Runner:Local:Environment:Worker__HeartbeatInterval"] = "00:00:01",
            ["Runner:Local:Environment:Worker__Rungs__0__Name"] = "360p",
            ["Runner:Local:Environment:Worker__Rungs__0__ShortSide"] = "360",
            ["Runner:Local:Environment:Worker__Rungs__0__VideoBitrateKbps"] = "800",
            ["Runner:Local:Environment:Worker__Rungs__0__AudioBitrateKbps"] = "96",
            ["Runner:Local:Environment:Worker__Rungs__1__Name"] = "240p",
            ["Runner:Local:Environment:Worker__Rungs__1__ShortSide"] = "240",
            ["Runner:Local:Environment:Worker__Rungs__1__VideoBitrateKbps"] = "400",
            ["Runner:Local:Environment:Worker__Rungs__1__AudioBitrateKbps"] = "64",
            // The worker applies the same job policy as the API (in production both read one environment).
            ["Runner:Local:Environment:Jobs__RetryBackoffBase"] = "00:00:00",
            ["Jobs:StuckThreshold"] = "00:00:04",
            ["Jobs:SubmitGracePeriod"] = "00:00:02",
            ["Jobs:RetryBackoffBase"] = "00:00:00",
            ["Recovery:Interval"] = "00:00:01",
            ["Recovery:CleanupInterval"] = "00:00:01",
        };
        foreach (var (key, value) in settings.Where(s => s.Value is not null))
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>The <c>LocalMode</c> setting; null leaves it unset.</summary>
    protected virtual string? LocalMode => "true";

    public HttpClient ClientWithKey(string? key = ClientKey)
    {
        var client = CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        }

        return client;
    }

    public static string WorkerDll => Academy.Video.Testing.RepositoryLayout.WorkerDll;
}

public static class HttpJson
{
    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        try
        {
            return JsonDocument.Parse(body).RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new InvalidOperationException($"HTTP {(int)response.StatusCode} without JSON: {body}");
        }
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object body) =>
        client.PostAsJsonAsync(url, body, VideoApiFactory.Json);
}
