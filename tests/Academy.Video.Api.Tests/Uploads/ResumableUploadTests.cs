using System.Net;
using System.Text.Json;
using Academy.Video.IntegrationTests.Media;
using Academy.Video.IntegrationTests.Transcoding;

namespace Academy.Video.Api.Tests.Uploads;

public sealed class LocalResumableUploadTests(VideoApiFactory api) : ResumableUploadTests<VideoApiFactory>(api)
{
    protected override bool CompleteWithPartsBody => false;

    protected override Task<string> StoredSha256Async(string key) =>
        Task.FromResult(S3rverStorage.FileSha256(Path.Combine(Api.StorageRoot, key)));

    protected override double MasterDurationSeconds(string hlsPath) => Ffprobe.DurationSeconds(Path.Combine(Api.StorageRoot, hlsPath));
}

public sealed class S3ResumableUploadTests(S3VideoApiFactory api) : ResumableUploadTests<S3VideoApiFactory>(api)
{
    protected override bool CompleteWithPartsBody => true;

    protected override async Task<string> StoredSha256Async(string key) => await S3rverStorage.Sha256Async(key);

    protected override double MasterDurationSeconds(string hlsPath) => Ffprobe.DurationSeconds($"{S3rverStorage.ServiceUrl}/{S3rverStorage.Bucket}/{hlsPath}");
}

/// <summary>
/// A 200 MB source through the API in parts, with a part sent twice and the upload resumed from what storage
/// holds, transcoded by the real worker to READY: the same contract on local storage and on S3 (s3rver).
/// </summary>
public abstract class ResumableUploadTests<TFactory>(TFactory api) : IClassFixture<TFactory>
    where TFactory : VideoApiFactory
{
    private const long MiB = 1024 * 1024;

    protected TFactory Api { get; } = api;

    /// <summary>Whether the client names the parts it sent at upload-complete (else the server lists them).</summary>
    protected abstract bool CompleteWithPartsBody { get; }

    protected abstract Task<string> StoredSha256Async(string key);

    protected abstract double MasterDurationSeconds(string hlsPath);

    [Fact]
    public async Task A_200_MB_source_uploaded_in_parts_with_a_part_sent_twice_and_resumed_from_the_parts_list_reaches_READY()
    {
        var source = TestClips.RawVideo(1280, 720, 6);
        var size = new FileInfo(source).Length;
        Assert.InRange(size, 200_000_000, 220_000_000);
        var first = new UploadingClient(Api.ClientWithKey());

        var created = await first.CreateAsync(source, "video/x-matroska");
        var videoId = created.GetProperty("videoId").GetGuid();
        var multipart = created.GetProperty("upload").GetProperty("multipart");
        var parts = multipart.GetProperty("parts").EnumerateArray().ToList();
        var partSize = multipart.GetProperty("partSizeBytes").GetInt64();
        Assert.Equal(JsonValueKind.Null, created.GetProperty("upload").GetProperty("url").ValueKind);
        Assert.Equal((16 * MiB, 13), (partSize, parts.Count));
        Assert.Equal(size, parts.Sum(p => p.GetProperty("sizeBytes").GetInt64()));

        // The first half goes up; part 2 arrives corrupted (right length, wrong bytes) and is sent again.
        for (var number = 1; number <= 6; number++)
        {
            await PutPartAsync(first, parts[number - 1], source, (number - 1) * partSize);
        }

        var corrupted = new byte[parts[1].GetProperty("sizeBytes").GetInt64()];
        Array.Fill(corrupted, (byte)0x5A);
        Assert.True((await first.PutBytesAsync(new Uri(parts[1].GetProperty("url").GetString()!), corrupted, null)).IsSuccessStatusCode);
        await PutPartAsync(first, parts[1], source, partSize);

        // The connection drops. A fresh client knows only the video id: completing now is refused...
        var resumed = new UploadingClient(Api.ClientWithKey());
        var early = await resumed.CompleteAsync(videoId);
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Equal("UPLOAD_INCOMPLETE", (await early.ReadJsonAsync()).GetProperty("code").GetString());

        // ...and the parts list tells it what storage holds and what is missing, with fresh URLs.
        var status = await (await resumed.GetUploadAsync(videoId)).ReadJsonAsync();
        var held = status.GetProperty("parts").EnumerateArray().ToList();
        Assert.Equal([1, 2, 3, 4, 5, 6], held.Select(p => p.GetProperty("partNumber").GetInt32()));
        Assert.All(held, p => Assert.Equal(partSize, p.GetProperty("sizeBytes").GetInt64()));
        Assert.All(held, p => Assert.False(string.IsNullOrEmpty(p.GetProperty("etag").GetString())));
        Assert.Equal([7, 8, 9, 10, 11, 12, 13], status.GetProperty("missingPartNumbers").EnumerateArray().Select(n => n.GetInt32()));
        Assert.Equal(6 * partSize, status.GetProperty("storedBytes").GetInt64());
        var fresh = status.GetProperty("upload").GetProperty("multipart").GetProperty("parts").EnumerateArray().ToList();
        foreach (var missing in status.GetProperty("missingPartNumbers").EnumerateArray().Select(n => n.GetInt32()))
        {
            await PutPartAsync(resumed, fresh[missing - 1], source, (missing - 1) * partSize);
        }

        object? body = null;
        if (CompleteWithPartsBody)
        {
            var all = await (await resumed.GetUploadAsync(videoId)).ReadJsonAsync();
            body = new
            {
                parts = all.GetProperty("parts").EnumerateArray()
                    .Select(p => new { partNumber = p.GetProperty("partNumber").GetInt32(), etag = p.GetProperty("etag").GetString() }).ToList(),
            };
        }

        var completed = await resumed.CompleteAsync(videoId, body);
        Assert.True(completed.StatusCode == HttpStatusCode.Accepted, $"upload-complete: {(int)completed.StatusCode} {await completed.Content.ReadAsStringAsync()}");
        var ready = await new VideoFlow(Api.ClientWithKey()).WaitForStatusAsync(videoId, "READY", TimeSpan.FromMinutes(5));

        Assert.Equal(size, ready.GetProperty("sourceSizeBytes").GetInt64());
        Assert.Equal(S3rverStorage.FileSha256(source), await StoredSha256Async($"videos/{videoId:N}/source/original.mkv"));
        Assert.InRange(MasterDurationSeconds(ready.GetProperty("hlsPath").GetString()!), 5.5, 6.5);
        var after = await resumed.GetUploadAsync(videoId);
        Assert.Equal("UPLOAD_COMPLETED", (await after.ReadJsonAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_source_over_Upload_MaxBytes_is_refused_at_create()
    {
        var response = await Api.ClientWithKey().PostJsonAsync("/api/v1/videos", new
        {
            title = "Too large",
            fileName = "huge.mp4",
            contentType = "video/mp4",
            sizeBytes = (20L * 1024 * 1024 * 1024) + 1,
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadJsonAsync();
        Assert.Equal("VALIDATION_FAILED", problem.GetProperty("code").GetString());
        Assert.Contains("Upload:MaxBytes", problem.GetProperty("errors").GetProperty("sizeBytes")[0].GetString(), StringComparison.Ordinal);
    }

    private static async Task PutPartAsync(UploadingClient client, JsonElement part, string source, long offset)
    {
        using var response = await client.PutPartAsync(part, source, offset);
        Assert.True(response.IsSuccessStatusCode, $"part {part.GetProperty("partNumber").GetInt32()}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
