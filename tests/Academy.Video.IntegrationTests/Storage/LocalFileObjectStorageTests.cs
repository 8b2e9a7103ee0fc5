using System.Net;
using Academy.Video.Application.Storage;
using Academy.Video.Infrastructure.Storage;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Academy.Video.IntegrationTests.Storage;

/// <summary>The contract against the local folder store, uploads going through a real HTTP listener.</summary>
public sealed class LocalFileObjectStorageTests : ObjectStorageContractTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero));
    private readonly LocalUploadEndpoint _endpoint = new();
    private readonly LocalFileObjectStorage _storage;

    public LocalFileObjectStorageTests()
    {
        _storage = CreateStorage(_endpoint.BaseUrl, LocalStorageOptions.DevelopmentSigningKey);
        _endpoint.Attach(_storage);
    }

    private string RootPath => Files.PathOf("root");

    protected override IObjectStorage Storage => _storage;

    protected override TimeProvider Clock => _clock;

    protected override TimeSpan ExpiryResolution => TimeSpan.FromSeconds(1);

    public override async Task DisposeAsync()
    {
        await _endpoint.DisposeAsync();
        await base.DisposeAsync();
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("videos/../../x")]
    [InlineData("/etc/passwd")]
    [InlineData("videos\\..\\x")]
    [InlineData("videos//x")]
    [InlineData("videos/./x")]
    [InlineData(".tmp/x")]
    [InlineData("")]
    public async Task A_key_that_could_escape_the_root_is_refused_everywhere(string key)
    {
        var source = Files.Random("payload.bin", 10, seed: 1);

        await Assert.ThrowsAsync<ArgumentException>(() => _storage.UploadFileAsync(source, key, "video/mp4", CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _storage.WriteAsync(key, new MemoryStream([1, 2, 3]), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _storage.HeadAsync(key, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _storage.DownloadToFileAsync(key, Files.PathOf("out.bin"), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _storage.CreateUploadTargetAsync(key, "video/mp4", 3, TimeSpan.FromMinutes(5), CancellationToken.None));
        Assert.Throws<ArgumentException>(() => _storage.FindFile(key));
        await Assert.ThrowsAsync<ArgumentException>(() => _storage.WriteUploadAsync(key, new MemoryStream([1, 2, 3]), 3, CancellationToken.None));
        Assert.Equal(UploadCheck.Invalid, _storage.CheckUpload(new LocalUploadRequest("PUT", key, long.MaxValue, 3, "00", "video/mp4", 3)));
        Assert.False(File.Exists(Path.Combine(Files.FolderPath, "x")));
    }

    [Fact]
    public async Task An_upload_url_with_a_tampered_signature_is_refused_and_stores_nothing()
    {
        var key = Prefix + "source/original.mp4";
        var target = await Storage.CreateUploadTargetAsync(key, "video/mp4", 1000, TimeSpan.FromMinutes(15), CancellationToken.None);
        var tampered = target with { Url = TamperSignature(target.Url) };

        using var response = await PutAsync(tampered, Files.Random("upload.mp4", 1000, seed: 3));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Null(await Storage.HeadAsync(key, CancellationToken.None));
    }

    [Fact]
    public async Task An_upload_url_used_after_it_expires_is_refused()
    {
        var key = Prefix + "source/original.mp4";
        var target = await Storage.CreateUploadTargetAsync(key, "video/mp4", 1000, TimeSpan.FromMinutes(15), CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));

        using var response = await PutAsync(target, Files.Random("upload.mp4", 1000, seed: 3));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(nameof(UploadCheck.Expired), response.ReasonPhrase);
        Assert.Null(await Storage.HeadAsync(key, CancellationToken.None));
    }

    [Fact]
    public async Task An_upload_url_is_bound_to_its_key_and_content_type()
    {
        var key = Prefix + "source/original.mp4";
        var target = await Storage.CreateUploadTargetAsync(key, "video/mp4", 1000, TimeSpan.FromMinutes(15), CancellationToken.None);
        var otherKey = new UriBuilder(target.Url) { Path = target.Url.AbsolutePath.Replace("original.mp4", "other.mp4", StringComparison.Ordinal) }.Uri;
        var source = Files.Random("upload.mp4", 1000, seed: 3);

        using var toOtherKey = await PutAsync(target with { Url = otherKey }, source);
        using var withOtherType = await PutAsync(target with { Headers = new Dictionary<string, string> { ["Content-Type"] = "text/html" } }, source);

        Assert.Equal(HttpStatusCode.Forbidden, toOtherKey.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, withOtherType.StatusCode);
        Assert.Null(await Storage.HeadAsync(key, CancellationToken.None));
        Assert.Null(await Storage.HeadAsync(Prefix + "source/other.mp4", CancellationToken.None));
    }

    [Fact]
    public async Task A_body_larger_than_the_signed_size_is_refused_before_anything_is_stored()
    {
        var key = Prefix + "source/original.mp4";
        var target = await Storage.CreateUploadTargetAsync(key, "video/mp4", 1000, TimeSpan.FromMinutes(15), CancellationToken.None);

        using var response = await PutAsync(target, Files.Random("upload.mp4", 50 * 1024, seed: 3));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(nameof(UploadCheck.TooLarge), response.ReasonPhrase);
        Assert.Null(await Storage.HeadAsync(key, CancellationToken.None));
        Assert.False(Directory.Exists(RootPath) && Directory.EnumerateFiles(RootPath, "*", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public async Task A_body_smaller_than_the_signed_size_is_refused()
    {
        var key = Prefix + "source/original.mp4";
        var target = await Storage.CreateUploadTargetAsync(key, "video/mp4", 1000, TimeSpan.FromMinutes(15), CancellationToken.None);

        using var response = await PutAsync(target, Files.Random("upload.mp4", 999, seed: 3));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(nameof(UploadCheck.TooSmall), response.ReasonPhrase);
        Assert.Null(await Storage.HeadAsync(key, CancellationToken.None));
    }

    [Fact]
    public async Task A_chunked_body_without_a_content_length_is_refused()
    {
        var key = Prefix + "source/original.mp4";
        var target = await Storage.CreateUploadTargetAsync(key, "video/mp4", 1000, TimeSpan.FromMinutes(15), CancellationToken.None);
        using var request = new HttpRequestMessage(HttpMethod.Put, target.Url) { Content = new StreamContent(new UnknownLengthStream(new byte[1000])) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("video/mp4");
        request.Headers.TransferEncodingChunked = true;

        using var response = await new HttpClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.LengthRequired, response.StatusCode);
        Assert.Null(await Storage.HeadAsync(key, CancellationToken.None));
    }

    [Fact]
    public async Task An_upload_url_is_bound_to_its_size()
    {
        var key = Prefix + "source/original.mp4";
        var target = await Storage.CreateUploadTargetAsync(key, "video/mp4", 1000, TimeSpan.FromMinutes(15), CancellationToken.None);
        var larger = new UriBuilder(target.Url) { Query = target.Url.Query.TrimStart('?').Replace("size=1000", "size=51200", StringComparison.Ordinal) }.Uri;

        using var response = await PutAsync(target with { Url = larger }, Files.Random("upload.mp4", 51200, seed: 3));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(nameof(UploadCheck.Invalid), response.ReasonPhrase);
        Assert.Null(await Storage.HeadAsync(key, CancellationToken.None));
    }

    [Theory]
    [InlineData(1001)]
    [InlineData(999)]
    public async Task A_body_that_is_not_the_expected_length_throws_and_stores_nothing(int bodyLength)
    {
        var key = Prefix + "source/original.mp4";

        await Assert.ThrowsAsync<InvalidDataException>(() => _storage.WriteUploadAsync(key, new UnknownLengthStream(new byte[bodyLength]), 1000, CancellationToken.None));

        Assert.Null(await Storage.HeadAsync(key, CancellationToken.None));
        Assert.Empty(Directory.EnumerateFiles(RootPath, "*.partial", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_signature_made_with_another_signing_key_is_refused()
    {
        var key = Prefix + "source/original.mp4";
        var foreign = CreateStorage(_endpoint.BaseUrl, "another-secret");
        var target = await foreign.CreateUploadTargetAsync(key, "video/mp4", 1000, TimeSpan.FromMinutes(15), CancellationToken.None);

        using var response = await PutAsync(target, Files.Random("upload.mp4", 1000, seed: 3));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_failed_write_leaves_neither_the_object_nor_a_temporary_file()
    {
        var key = Prefix + "source/original.mp4";
        await Storage.UploadFileAsync(Files.AllByteValues("first.bin", 2), key, "video/mp4", CancellationToken.None);

        await Assert.ThrowsAsync<IOException>(() => _storage.WriteAsync(key, new FailingStream(bytesBeforeFailure: 100_000), CancellationToken.None));

        Assert.Equal(512, (await Storage.HeadAsync(key, CancellationToken.None))?.SizeBytes);
        Assert.Empty(Directory.EnumerateFiles(RootPath, "*.partial", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Objects_are_files_under_the_root_and_deleting_a_prefix_removes_its_empty_folders()
    {
        var key = Prefix + "hls/a1/v0/seg_000.ts";
        await Storage.UploadFileAsync(Files.AllByteValues("segment.ts", 1), key, "video/mp2t", CancellationToken.None);
        var file = _storage.FindFile(key);

        await Storage.DeletePrefixAsync(Prefix + "hls/", CancellationToken.None);

        Assert.Equal(Path.Combine(RootPath, Prefix, "hls", "a1", "v0", "seg_000.ts"), file?.FullName);
        Assert.False(Directory.Exists(Path.Combine(RootPath, Prefix, "hls")));
        Assert.True(Directory.Exists(RootPath));
    }

    [Fact]
    public async Task Upload_and_playback_urls_point_at_the_api_routes()
    {
        var key = "videos/abc/hls/j-a1/master.m3u8";

        var target = await Storage.CreateUploadTargetAsync(key, "video/mp4", 1000, TimeSpan.FromMinutes(15), CancellationToken.None);
        var playback = Storage.GetPlaybackUrl(key);

        var expires = _clock.GetUtcNow().AddMinutes(15).ToUnixTimeSeconds();
        var signature = _storage.Signature.Sign("PUT", key, expires, "video/mp4", 1000);
        Assert.Equal(new Uri($"{_endpoint.BaseUrl}/storage/{key}?expires={expires}&size=1000&signature={signature}"), target.Url);
        Assert.Equal(new Uri($"{_endpoint.BaseUrl}/media/{key}"), playback);
    }

    [Fact]
    public async Task A_part_url_is_bound_to_its_upload_part_number_and_size_and_refuses_other_bodies()
    {
        var key = Prefix + "source/original.mp4";
        var uploadId = await Storage.StartMultipartUploadAsync(key, "video/mp4", CancellationToken.None);
        var part = Files.Random("part.bin", 1000, seed: 5);
        var target = await PartTargetAsync(key, uploadId, 1, part);
        Uri With(string from, string to) => new UriBuilder(target.Url) { Query = target.Url.Query.TrimStart('?').Replace(from, to, StringComparison.Ordinal) }.Uri;

        using var otherPart = await PutAsync(target with { Url = With("partNumber=1", "partNumber=2") }, part);
        using var otherUpload = await PutAsync(target with { Url = With(uploadId, Guid.NewGuid().ToString("N")) }, part);
        using var larger = await PutAsync(target, Files.Random("larger.bin", 1001, seed: 5));
        using var tampered = await PutAsync(target with { Url = TamperSignature(target.Url) }, part);

        Assert.Equal((HttpStatusCode.Forbidden, nameof(UploadCheck.Invalid)), (otherPart.StatusCode, otherPart.ReasonPhrase));
        Assert.Equal((HttpStatusCode.Forbidden, nameof(UploadCheck.Invalid)), (otherUpload.StatusCode, otherUpload.ReasonPhrase));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, larger.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, tampered.StatusCode);
        Assert.Empty(await Storage.ListPartsAsync(key, uploadId, CancellationToken.None));
    }

    [Fact]
    public async Task Completing_with_a_wrong_etag_or_a_small_middle_part_is_refused_as_S3_does_and_the_upload_stays()
    {
        var key = Prefix + "source/original.mp4";
        var uploadId = await Storage.StartMultipartUploadAsync(key, "video/mp4", CancellationToken.None);
        foreach (var number in new[] { 1, 2 })
        {
            var part = Files.Random($"p{number}.bin", 1000, seed: number);
            (await PutAsync(await PartTargetAsync(key, uploadId, number, part), part)).Dispose();
        }

        var listed = await Storage.ListPartsAsync(key, uploadId, CancellationToken.None);
        var wrongTag = await Assert.ThrowsAsync<MultipartUploadRejectedException>(() => Storage.CompleteMultipartUploadAsync(
            key, uploadId, [new CompletedPart(1, listed[0].ETag), new CompletedPart(2, "0123456789abcdef0123456789abcdef")], CancellationToken.None));
        var tooSmall = await Assert.ThrowsAsync<MultipartUploadRejectedException>(() => Storage.CompleteMultipartUploadAsync(
            key, uploadId, listed.Select(p => new CompletedPart(p.PartNumber, p.ETag)).ToList(), CancellationToken.None));
        var outOfOrder = await Assert.ThrowsAsync<MultipartUploadRejectedException>(() => Storage.CompleteMultipartUploadAsync(
            key, uploadId, listed.Reverse().Select(p => new CompletedPart(p.PartNumber, p.ETag)).ToList(), CancellationToken.None));

        Assert.Equal(("InvalidPart", "EntityTooSmall", "InvalidPartOrder"), (wrongTag.Code, tooSmall.Code, outOfOrder.Code));
        Assert.Equal(listed, await Storage.ListPartsAsync(key, uploadId, CancellationToken.None));
        Assert.Null(await Storage.HeadAsync(key, CancellationToken.None));
    }

    [Fact]
    public async Task Parts_live_in_a_hidden_folder_that_is_never_listed_or_served_as_objects()
    {
        var key = Prefix + "hls/a1/original.ts";
        var uploadId = await Storage.StartMultipartUploadAsync(key, "video/mp2t", CancellationToken.None);
        var part = Files.Random("part.bin", 1000, seed: 6);
        (await PutAsync(await PartTargetAsync(key, uploadId, 1, part), part)).Dispose();

        var partFile = Assert.Single(Directory.EnumerateFiles(Path.Combine(RootPath, Prefix, "hls", "a1", ".multipart", uploadId), "*.part"));

        Assert.Empty(await ToListAsync(Storage.ListAsync(Prefix, CancellationToken.None)));
        var relative = Path.GetRelativePath(RootPath, partFile).Replace(Path.DirectorySeparatorChar, '/');
        Assert.Throws<ArgumentException>(() => _storage.FindFile(relative));
    }

    [Fact]
    public async Task A_download_url_is_bound_to_its_key_and_expiry()
    {
        var key = Prefix + "hls/a1/v0/seg_000.ts";
        await Storage.UploadFileAsync(Files.Random("segment.ts", 100, seed: 7), key, "video/mp2t", CancellationToken.None);
        await Storage.UploadFileAsync(Files.Random("other.ts", 100, seed: 8), Prefix + "hls/a1/v0/seg_001.ts", "video/mp2t", CancellationToken.None);
        var url = await Storage.CreateDownloadUrlAsync(key, _clock.GetUtcNow().AddMinutes(5), CancellationToken.None);
        using var http = new HttpClient();

        using var otherKey = await http.GetAsync(url.AbsoluteUri.Replace("seg_000", "seg_001", StringComparison.Ordinal));
        using var tampered = await http.GetAsync(TamperSignature(url));
        using var unsigned = await http.GetAsync(url.GetLeftPart(UriPartial.Path));
        _clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        using var expired = await http.GetAsync(url);

        Assert.Equal((HttpStatusCode.Forbidden, nameof(UploadCheck.Invalid)), (otherKey.StatusCode, otherKey.ReasonPhrase));
        Assert.Equal((HttpStatusCode.Forbidden, nameof(UploadCheck.Invalid)), (tampered.StatusCode, tampered.ReasonPhrase));
        Assert.Equal((HttpStatusCode.Forbidden, nameof(UploadCheck.Invalid)), (unsigned.StatusCode, unsigned.ReasonPhrase));
        Assert.Equal((HttpStatusCode.Forbidden, nameof(UploadCheck.Expired)), (expired.StatusCode, expired.ReasonPhrase));
    }

    protected override Task AssertNothingStoredUnderAsync(string prefix)
    {
        var folder = Path.Combine(RootPath, prefix);
        Assert.False(Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Any(),
            $"{folder} still holds {string.Join(", ", Directory.Exists(folder) ? Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories) : [])}");
        return Task.CompletedTask;
    }

    private static Uri TamperSignature(Uri url)
    {
        var parameters = url.Query.TrimStart('?').Split('&');
        var index = Array.FindIndex(parameters, parameter => parameter.Split('=')[0].Contains("signature", StringComparison.OrdinalIgnoreCase));
        Assert.True(index >= 0, $"No signature parameter in {url}");
        var parameter = parameters[index];
        parameters[index] = parameter[..^1] + (parameter[^1] == '0' ? '1' : '0');
        return new UriBuilder(url) { Query = string.Join('&', parameters) }.Uri;
    }

    private LocalFileObjectStorage CreateStorage(string baseUrl, string signingKey) =>
        new(Options.Create(new LocalStorageOptions { RootPath = RootPath, PublicBaseUrl = baseUrl, SigningKey = signingKey }), _clock);

    /// <summary>A body whose length the sender cannot know in advance, as a live capture would be.</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    private sealed class FailingStream(int bytesBeforeFailure) : Stream
    {
        private int _remaining = bytesBeforeFailure;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_remaining == 0)
            {
                throw new IOException("The client went away.");
            }

            var read = Math.Min(count, _remaining);
            Array.Fill(buffer, (byte)7, offset, read);
            _remaining -= read;
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
