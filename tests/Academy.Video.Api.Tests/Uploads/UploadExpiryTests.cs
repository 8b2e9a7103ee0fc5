using System.Net;
using System.Text.Json;

namespace Academy.Video.Api.Tests.Uploads;

public sealed class LocalUploadExpiryTests(UploadExpiryApiFactory api) : UploadExpiryTests<UploadExpiryApiFactory>(api)
{
    protected override Task<IReadOnlyList<string>> HeldUnderAsync(string prefix)
    {
        var folder = Path.Combine(Api.StorageRoot, prefix);
        IReadOnlyList<string> held = Directory.Exists(folder) ? Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).ToList() : [];
        return Task.FromResult(held);
    }
}

public sealed class S3UploadExpiryTests(S3UploadExpiryApiFactory api) : UploadExpiryTests<S3UploadExpiryApiFactory>(api)
{
    protected override Task<IReadOnlyList<string>> HeldUnderAsync(string prefix) => S3rverStorage.HeldUnderAsync(prefix);
}

/// <summary>Uploads left unfinished past <c>Upload:Expiry</c> (24 h) on the API's clock: EXPIRED, and nothing left in storage.</summary>
public abstract class UploadExpiryTests<TFactory>(TFactory api) : IClassFixture<TFactory>
    where TFactory : UploadExpiryApiFactory
{
    protected TFactory Api { get; } = api;

    /// <summary>Every object, part or unfinished upload storage holds under the prefix.</summary>
    protected abstract Task<IReadOnlyList<string>> HeldUnderAsync(string prefix);

    [Fact]
    public async Task An_expired_upload_leaves_nothing_in_storage_and_its_urls_and_completion_are_refused()
    {
        var client = new UploadingClient(Api.ClientWithKey());
        var source = Path.Combine(Api.Root, "expiring.mp4");
        var bytes = new byte[(17 * 1024 * 1024) + 123];
        new Random(12).NextBytes(bytes);
        await File.WriteAllBytesAsync(source, bytes);

        // A multipart upload with one of its two parts sent, and a small source sent whole but never completed.
        var multipart = await client.CreateAsync(source);
        var partialId = multipart.GetProperty("videoId").GetGuid();
        var part = multipart.GetProperty("upload").GetProperty("multipart").GetProperty("parts")[0];
        Assert.True((await client.PutPartAsync(part, source, 0)).IsSuccessStatusCode);
        var small = Path.Combine(Api.Root, "small.mp4");
        await File.WriteAllBytesAsync(small, bytes[..1000]);
        var wholeId = await client.CreateAndUploadAsync(small);
        Assert.NotEmpty(await HeldUnderAsync($"videos/{partialId:N}/"));
        Assert.NotEmpty(await HeldUnderAsync($"videos/{wholeId:N}/"));

        Api.Clock.Advance(TimeSpan.FromHours(24));
        await WaitUntilAsync(async () =>
            await StatusAsync(client, partialId) == "EXPIRED" && await StatusAsync(client, wholeId) == "EXPIRED"
            && (await HeldUnderAsync($"videos/{partialId:N}/")).Count == 0 && (await HeldUnderAsync($"videos/{wholeId:N}/")).Count == 0);

        // Refused: the URL expired with the upload (403), or the upload no longer exists (404, s3rver checks no expiry).
        var late = await client.PutPartAsync(part, source, 0);
        Assert.Contains(late.StatusCode, new[] { HttpStatusCode.Forbidden, HttpStatusCode.NotFound });
        Assert.Empty(await HeldUnderAsync($"videos/{partialId:N}/"));
        Assert.Equal("UPLOAD_EXPIRED", await CodeAsync(await client.CompleteAsync(partialId)));
        Assert.Equal("UPLOAD_EXPIRED", await CodeAsync(await client.GetUploadAsync(wholeId)));
        var retry = await client.Api.PostAsync($"/api/v1/videos/{wholeId}/retry", null);
        Assert.Equal(HttpStatusCode.Conflict, retry.StatusCode);
    }

    [Fact]
    public async Task An_upload_completed_in_time_is_never_expired()
    {
        var client = new UploadingClient(Api.ClientWithKey());
        var small = Path.Combine(Api.Root, "in-time.mp4");
        await File.WriteAllBytesAsync(small, new byte[2000]);
        var videoId = await client.CreateAndUploadAsync(small);
        Assert.Equal(HttpStatusCode.Accepted, (await client.CompleteAsync(videoId)).StatusCode);

        Api.Clock.Advance(TimeSpan.FromHours(25));
        await Task.Delay(TimeSpan.FromSeconds(2));

        // Random bytes are no video: the job fails, but the upload stays completed.
        Assert.NotEqual("EXPIRED", await StatusAsync(client, videoId));
        Assert.Contains($"videos/{videoId:N}/source/original.mp4", (await HeldUnderAsync($"videos/{videoId:N}/")).Select(p => p.Replace('\\', '/')).Select(p => p[p.IndexOf("videos/", StringComparison.Ordinal)..]));
    }

    private static async Task<string?> StatusAsync(UploadingClient client, Guid videoId) =>
        (await (await client.Api.GetAsync($"/api/v1/videos/{videoId}")).ReadJsonAsync()).GetProperty("status").GetString();

    private static async Task<string?> CodeAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("code").GetString();
    }

    /// <summary>Moves the API's clock a second at a time (its background loops tick on it) until the condition holds.</summary>
    private async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the expired uploads were not emptied within a minute");
            Api.Clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(200);
        }
    }
}
