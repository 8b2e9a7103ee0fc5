using System.Net;
using System.Net.Http.Headers;
using Academy.Video.Application.Storage;

namespace Academy.Video.IntegrationTests.Storage;

/// <summary>The behaviour every <see cref="IObjectStorage"/> adapter must show; one subclass per adapter.</summary>
public abstract class ObjectStorageContractTests : IAsyncLifetime
{
    private static readonly HttpClient Http = new();

    private protected TestFiles Files { get; } = new();

    /// <summary>Every key a test writes lives under this prefix, unique per test.</summary>
    protected string Prefix { get; } = $"contract-tests/{Guid.NewGuid():N}/";

    protected abstract IObjectStorage Storage { get; }

    protected abstract TimeProvider Clock { get; }

    /// <summary>The finest unit of the upload target's expiry (local URLs carry whole seconds).</summary>
    protected virtual TimeSpan ExpiryResolution => TimeSpan.Zero;

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        await Storage.DeletePrefixAsync(Prefix, CancellationToken.None);
        Files.Dispose();
    }

    [Fact]
    public async Task Upload_then_download_returns_identical_bytes_for_every_byte_value()
    {
        var source = Files.AllByteValues("all-bytes.bin", repetitions: 64);
        var key = Prefix + "source/original.bin";

        await Storage.UploadFileAsync(source, key, "application/octet-stream", CancellationToken.None);
        var head = await Storage.HeadAsync(key, CancellationToken.None);
        var downloaded = Files.PathOf("downloaded.bin");
        await Storage.DownloadToFileAsync(key, downloaded, CancellationToken.None);

        Assert.Equal(new StoredObject(key, 256 * 64), head);
        Assert.Equal(256 * 64, new FileInfo(downloaded).Length);
        Assert.Equal(TestFiles.Sha256(source), TestFiles.Sha256(downloaded));
    }

    [Fact]
    public async Task Large_upload_round_trips_byte_for_byte()
    {
        const long size = 20L * 1024 * 1024 + 12345;
        var source = Files.Random("large.mp4", size, seed: 20);
        var key = Prefix + "source/original.mp4";

        await Storage.UploadFileAsync(source, key, "video/mp4", CancellationToken.None);
        var head = await Storage.HeadAsync(key, CancellationToken.None);
        var downloaded = Files.PathOf("nested/folder/large-downloaded.mp4");
        await Storage.DownloadToFileAsync(key, downloaded, CancellationToken.None);

        Assert.Equal(size, head?.SizeBytes);
        Assert.Equal(size, new FileInfo(downloaded).Length);
        Assert.Equal(TestFiles.Sha256(source), TestFiles.Sha256(downloaded));
    }

    [Fact]
    public async Task A_copy_holds_the_source_s_bytes_under_the_new_key_and_a_missing_source_is_ObjectNotFound()
    {
        var source = Files.Random("segment.ts", 300_000, seed: 7);
        var from = Prefix + "hls/job-a1/360p/seg_00003.ts";
        var to = Prefix + "hls/job-a2/360p/seg_00003.ts";
        await Storage.UploadFileAsync(source, from, "video/mp2t", CancellationToken.None);

        await Storage.CopyAsync(from, to, CancellationToken.None);
        var downloaded = Files.PathOf("copied.ts");
        await Storage.DownloadToFileAsync(to, downloaded, CancellationToken.None);

        Assert.Equal(TestFiles.Sha256(source), TestFiles.Sha256(downloaded));
        Assert.Equal(new StoredObject(from, 300_000), await Storage.HeadAsync(from, CancellationToken.None));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Storage.CopyAsync(Prefix + "hls/job-a1/missing.ts", Prefix + "hls/job-a2/missing.ts", CancellationToken.None));
        Assert.Null(await Storage.HeadAsync(Prefix + "hls/job-a2/missing.ts", CancellationToken.None));
    }

    [Fact]
    public async Task Uploading_to_an_existing_key_replaces_the_object()
    {
        var key = Prefix + "hls/master.m3u8";
        var first = Files.Random("first.bin", 5000, seed: 1);
        var second = Files.Random("second.bin", 3000, seed: 2);

        await Storage.UploadFileAsync(first, key, "application/vnd.apple.mpegurl", CancellationToken.None);
        await Storage.UploadFileAsync(second, key, "application/vnd.apple.mpegurl", CancellationToken.None);
        var downloaded = Files.PathOf("downloaded.bin");
        await Storage.DownloadToFileAsync(key, downloaded, CancellationToken.None);

        Assert.Equal(TestFiles.Sha256(second), TestFiles.Sha256(downloaded));
    }

    [Fact]
    public async Task Upload_target_accepts_a_put_of_the_file_and_stores_its_exact_bytes()
    {
        var key = Prefix + "source/original.mp4";
        var validFor = TimeSpan.FromMinutes(15);
        var source = Files.AllByteValues("upload.mp4", repetitions: 4096);
        var before = Clock.GetUtcNow();
        var target = await Storage.CreateUploadTargetAsync(key, "video/mp4", new FileInfo(source).Length, validFor, CancellationToken.None);
        var after = Clock.GetUtcNow();

        using var response = await PutAsync(target, source);
        var downloaded = Files.PathOf("downloaded.mp4");
        await Storage.DownloadToFileAsync(key, downloaded, CancellationToken.None);

        Assert.Equal("PUT", target.Method);
        Assert.Equal("video/mp4", target.Headers["Content-Type"]);
        Assert.InRange(target.ExpiresAt, before + validFor - ExpiryResolution, after + validFor);
        Assert.True(response.IsSuccessStatusCode, $"PUT answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal(TestFiles.Sha256(source), TestFiles.Sha256(downloaded));
    }

    [Fact]
    public async Task An_empty_object_downloads_as_an_empty_file()
    {
        var key = Prefix + "captions/empty.vtt";
        var source = Files.PathOf("empty.vtt");
        await File.WriteAllBytesAsync(source, []);

        await Storage.UploadFileAsync(source, key, "text/vtt", CancellationToken.None);
        var downloaded = Files.PathOf("empty-downloaded.vtt");
        await Storage.DownloadToFileAsync(key, downloaded, CancellationToken.None);

        Assert.Equal(0, new FileInfo(downloaded).Length);
    }

    [Fact]
    public async Task Head_of_a_missing_key_returns_null()
    {
        Assert.Null(await Storage.HeadAsync(Prefix + "missing.bin", CancellationToken.None));
    }

    [Fact]
    public async Task Download_of_a_missing_key_throws_object_not_found_and_creates_no_file()
    {
        var key = Prefix + "missing.bin";
        var destination = Files.PathOf("never.bin");

        var exception = await Assert.ThrowsAsync<ObjectNotFoundException>(() => Storage.DownloadToFileAsync(key, destination, CancellationToken.None));

        Assert.Equal(key, exception.Key);
        Assert.False(File.Exists(destination));
    }

    [Fact]
    public async Task List_returns_exactly_the_objects_under_the_prefix_with_their_sizes()
    {
        var expected = await SeedTreeAsync();

        var listed = await ToListAsync(Storage.ListAsync(Prefix + "hls/a1/", CancellationToken.None));

        Assert.Equal(expected, listed.OrderBy(item => item.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Delete_prefix_returns_the_count_and_leaves_other_prefixes_intact()
    {
        var expected = await SeedTreeAsync();

        var deleted = await Storage.DeletePrefixAsync(Prefix + "hls/a1/", CancellationToken.None);
        var deletedAgain = await Storage.DeletePrefixAsync(Prefix + "hls/a1/", CancellationToken.None);

        Assert.Equal(expected.Count, deleted);
        Assert.Equal(0, deletedAgain);
        Assert.Empty(await ToListAsync(Storage.ListAsync(Prefix + "hls/a1/", CancellationToken.None)));
        Assert.Equal(
            [Prefix + "hls/a10/master.m3u8", Prefix + "source/original.mp4"],
            (await ToListAsync(Storage.ListAsync(Prefix, CancellationToken.None))).Select(item => item.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Playback_url_is_absolute_http_and_ends_with_the_key()
    {
        var key = Prefix + "hls/a1/master.m3u8";

        var url = Storage.GetPlaybackUrl(key);

        Assert.True(url.IsAbsoluteUri);
        Assert.Contains(url.Scheme, new[] { Uri.UriSchemeHttp, Uri.UriSchemeHttps });
        Assert.EndsWith("/" + key, url.AbsolutePath, StringComparison.Ordinal);
    }

    private const long FiveMebibytes = 5L * 1024 * 1024;
    private const string Playlist = "#EXTM3U\nseg_000.ts\n";

    [Fact]
    public async Task A_multipart_upload_through_its_part_urls_is_listed_then_joined_in_part_order_byte_for_byte()
    {
        var key = Prefix + "source/original.mp4";
        var parts = new[] { Files.Random("p1.bin", FiveMebibytes, seed: 1), Files.Random("p2.bin", FiveMebibytes, seed: 2), Files.Random("p3.bin", 1000, seed: 3) };
        var uploadId = await Storage.StartMultipartUploadAsync(key, "video/mp4", CancellationToken.None);

        // Out of order, as parallel clients send them.
        var etags = new Dictionary<int, string>();
        foreach (var number in new[] { 3, 1, 2 })
        {
            using var response = await PutAsync(await PartTargetAsync(key, uploadId, number, parts[number - 1]), parts[number - 1]);
            Assert.True(response.IsSuccessStatusCode, $"part {number}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            etags[number] = response.Headers.ETag!.Tag.Trim('"');
        }

        var listed = await Storage.ListPartsAsync(key, uploadId, CancellationToken.None);
        Assert.Null(await Storage.HeadAsync(key, CancellationToken.None));
        await Storage.CompleteMultipartUploadAsync(key, uploadId, listed.Select(part => new CompletedPart(part.PartNumber, part.ETag)).ToList(), CancellationToken.None);
        var downloaded = Files.PathOf("joined.mp4");
        await Storage.DownloadToFileAsync(key, downloaded, CancellationToken.None);

        Assert.Equal([new UploadedPart(1, FiveMebibytes, etags[1]), new UploadedPart(2, FiveMebibytes, etags[2]), new UploadedPart(3, 1000, etags[3])], listed);
        Assert.Equal(TestFiles.Sha256(Concatenate(parts)), TestFiles.Sha256(downloaded));
        Assert.Equal(2 * FiveMebibytes + 1000, (await Storage.HeadAsync(key, CancellationToken.None))?.SizeBytes);
        await Assert.ThrowsAsync<MultipartUploadNotFoundException>(() => Storage.ListPartsAsync(key, uploadId, CancellationToken.None));
        Assert.Equal([key], (await ToListAsync(Storage.ListAsync(Prefix, CancellationToken.None))).Select(item => item.Key));
    }

    [Fact]
    public async Task A_part_sent_twice_is_replaced_by_the_second_body()
    {
        var key = Prefix + "source/original.mp4";
        var first = Files.Random("first.bin", 2000, seed: 1);
        var second = Files.Random("second.bin", 2000, seed: 2);
        var uploadId = await Storage.StartMultipartUploadAsync(key, "video/mp4", CancellationToken.None);
        var target = await PartTargetAsync(key, uploadId, 1, first);

        (await PutAsync(target, first)).Dispose();
        using var again = await PutAsync(target, second);
        var listed = Assert.Single(await Storage.ListPartsAsync(key, uploadId, CancellationToken.None));
        await Storage.CompleteMultipartUploadAsync(key, uploadId, [new CompletedPart(1, listed.ETag)], CancellationToken.None);
        var downloaded = Files.PathOf("joined.bin");
        await Storage.DownloadToFileAsync(key, downloaded, CancellationToken.None);

        Assert.Equal(again.Headers.ETag!.Tag.Trim('"'), listed.ETag);
        Assert.Equal(TestFiles.Sha256(second), TestFiles.Sha256(downloaded));
    }

    [Fact]
    public async Task Deleting_a_prefix_aborts_its_unfinished_uploads_and_their_parts_are_refused_afterwards()
    {
        var key = Prefix + "source/original.mp4";
        var part = Files.Random("part.bin", 3000, seed: 4);
        var uploadId = await Storage.StartMultipartUploadAsync(key, "video/mp4", CancellationToken.None);
        var other = await Storage.StartMultipartUploadAsync(Prefix + "elsewhere/original.mp4", "video/mp4", CancellationToken.None);
        var target = await PartTargetAsync(key, uploadId, 1, part);
        (await PutAsync(target, part)).Dispose();

        await Storage.DeletePrefixAsync(Prefix + "source/", CancellationToken.None);
        using var late = await PutAsync(target, part);

        await Assert.ThrowsAsync<MultipartUploadNotFoundException>(() => Storage.ListPartsAsync(key, uploadId, CancellationToken.None));
        Assert.Equal(HttpStatusCode.NotFound, late.StatusCode);
        Assert.Empty(await Storage.ListPartsAsync(Prefix + "elsewhere/original.mp4", other, CancellationToken.None));
        await AssertNothingStoredUnderAsync(Prefix + "source/");
    }

    [Fact]
    public async Task A_download_url_serves_the_object_and_text_reads_whole()
    {
        var key = Prefix + "hls/a1/v0/seg_000.ts";
        var source = Files.AllByteValues("segment.ts", repetitions: 40);
        await Storage.UploadFileAsync(source, key, "video/mp2t", CancellationToken.None);
        await Storage.UploadFileAsync(WriteText("index.m3u8", Playlist), Prefix + "hls/a1/v0/index.m3u8", "application/vnd.apple.mpegurl", CancellationToken.None);

        var url = await Storage.CreateDownloadUrlAsync(key, Clock.GetUtcNow().AddMinutes(10), CancellationToken.None);
        var body = await Http.GetByteArrayAsync(url);
        var text = await Storage.ReadTextAsync(Prefix + "hls/a1/v0/index.m3u8", 1024, CancellationToken.None);

        Assert.Equal(await File.ReadAllBytesAsync(source), body);
        Assert.Equal(Playlist, text);
        await Assert.ThrowsAsync<InvalidDataException>(() => Storage.ReadTextAsync(key, 100, CancellationToken.None));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Storage.ReadTextAsync(Prefix + "missing.m3u8", 1024, CancellationToken.None));

        // The start of an object: its first bytes, or all of a smaller one.
        var all = await File.ReadAllBytesAsync(source);
        Assert.Equal(all[..1000], await Storage.ReadStartAsync(key, 1000, CancellationToken.None));
        Assert.Equal(all, await Storage.ReadStartAsync(key, all.Length + 5000, CancellationToken.None));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Storage.ReadStartAsync(Prefix + "missing.ts", 1000, CancellationToken.None));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(10_001)]
    public async Task No_part_url_is_signed_for_a_part_number_outside_1_to_10000(int partNumber)
    {
        var key = Prefix + "source/original.mp4";
        var uploadId = await Storage.StartMultipartUploadAsync(key, "video/mp4", CancellationToken.None);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            Storage.CreatePartUploadTargetAsync(key, uploadId, partNumber, 1024, TimeSpan.FromMinutes(15), CancellationToken.None));
        var last = await Storage.CreatePartUploadTargetAsync(key, uploadId, 10_000, 1024, TimeSpan.FromMinutes(15), CancellationToken.None);
        Assert.Contains("10000", last.Url.Query, StringComparison.Ordinal);
    }

    private protected async Task<UploadTarget> PartTargetAsync(string key, string uploadId, int partNumber, string partFile) =>
        await Storage.CreatePartUploadTargetAsync(key, uploadId, partNumber, new FileInfo(partFile).Length, TimeSpan.FromMinutes(15), CancellationToken.None);

    /// <summary>Neither an object nor an unfinished upload is left under the prefix.</summary>
    protected abstract Task AssertNothingStoredUnderAsync(string prefix);

    private string WriteText(string name, string text)
    {
        File.WriteAllText(Files.PathOf(name), text);
        return Files.PathOf(name);
    }

    private string Concatenate(string[] files)
    {
        var joined = Files.PathOf("expected-joined.bin");
        using var target = File.Create(joined);
        foreach (var file in files)
        {
            using var source = File.OpenRead(file);
            source.CopyTo(target);
        }

        return joined;
    }

    private protected async Task<HttpResponseMessage> PutAsync(UploadTarget target, string filePath)
    {
        var content = new StreamContent(File.OpenRead(filePath));
        using var request = new HttpRequestMessage(new HttpMethod(target.Method), target.Url) { Content = content };
        foreach (var (name, value) in target.Headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                content.Headers.ContentType = MediaTypeHeaderValue.Parse(value);
            }
            else
            {
                request.Headers.Add(name, value);
            }
        }

        return await Http.SendAsync(request);
    }

    private protected static async Task<List<StoredObject>> ToListAsync(IAsyncEnumerable<StoredObject> objects)
    {
        var list = new List<StoredObject>();
        await foreach (var item in objects)
        {
            list.Add(item);
        }

        return list;
    }

    /// <summary>Five objects under <c>hls/a1/</c> (more than one list page for S3), plus neighbours that share a string prefix or a parent.</summary>
    private async Task<List<StoredObject>> SeedTreeAsync()
    {
        var expected = new List<StoredObject>();
        string[] names = ["master.m3u8", "v0/index.m3u8", "v0/seg_000.ts", "v0/seg_001.ts", "v1/seg_000.ts"];
        for (var i = 0; i < names.Length; i++)
        {
            var key = Prefix + "hls/a1/" + names[i];
            var size = 100 + i;
            await Storage.UploadFileAsync(Files.Random($"seed-{i}.bin", size, seed: i), key, "application/octet-stream", CancellationToken.None);
            expected.Add(new StoredObject(key, size));
        }

        await Storage.UploadFileAsync(Files.Random("neighbour-1.bin", 10, seed: 10), Prefix + "hls/a10/master.m3u8", "application/vnd.apple.mpegurl", CancellationToken.None);
        await Storage.UploadFileAsync(Files.Random("neighbour-2.bin", 10, seed: 11), Prefix + "source/original.mp4", "video/mp4", CancellationToken.None);
        return expected.OrderBy(item => item.Key, StringComparer.Ordinal).ToList();
    }
}
