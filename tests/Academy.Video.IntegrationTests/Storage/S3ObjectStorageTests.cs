using System.Globalization;
using System.Net.Sockets;
using Academy.Video.Application.Storage;
using Academy.Video.Infrastructure.Storage;
using Amazon.Runtime;
using Amazon.S3;
using Microsoft.Extensions.Options;

namespace Academy.Video.IntegrationTests.Storage;

/// <summary>The contract against a real S3-protocol server: s3rver, started with <c>build/s3rver.sh start</c>.</summary>
public sealed class S3ObjectStorageTests : ObjectStorageContractTests, IDisposable
{
    private const long PartSizeBytes = 5L * 1024 * 1024;
    private readonly S3ObjectStorage _storage;

    public S3ObjectStorageTests()
    {
        StorageOptions = S3rver.Options();
        _storage = new S3ObjectStorage(Options.Create(StorageOptions), TimeProvider.System);
    }

    private S3StorageOptions StorageOptions { get; }

    protected override IObjectStorage Storage => _storage;

    protected override TimeProvider Clock => TimeProvider.System;

    // s3rver does not verify SigV4 signatures at all (its source says "unimplemented"), so a tampered
    // presigned URL cannot be shown to fail here; the local store's tests cover that part of the contract.

    [Fact]
    public async Task A_file_above_the_threshold_goes_up_in_parts_without_aws_chunked_framing()
    {
        const long size = 2 * PartSizeBytes + 1000;
        var key = Prefix + "source/multipart.mp4";
        var source = Files.Random("multipart.mp4", size, seed: 7);
        await using var proxy = new RecordingS3Proxy(StorageOptions.ServiceUrl);
        using var storage = StorageThrough(proxy);

        await storage.UploadFileAsync(source, key, "video/mp4", CancellationToken.None);
        using var client = S3rver.PlainClient(StorageOptions);
        var metadata = await client.GetObjectMetadataAsync(StorageOptions.Bucket, key);
        var downloaded = Files.PathOf("downloaded.mp4");
        await Storage.DownloadToFileAsync(key, downloaded, CancellationToken.None);

        var parts = proxy.Requests.Where(request => request.Method == "PUT" && request.RawUrl.Contains("partNumber=", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, parts.Count);
        Assert.All(proxy.Requests, AssertNotAwsChunked);
        Assert.Equal(size, metadata.ContentLength);
        Assert.Equal("video/mp4", metadata.Headers.ContentType);
        Assert.Equal(TestFiles.Sha256(source), TestFiles.Sha256(downloaded));
    }

    [Fact]
    public async Task A_file_above_the_part_size_comes_down_in_ranged_gets_and_a_failed_range_is_asked_again_alone()
    {
        const long size = 2 * PartSizeBytes + 1000;
        var key = Prefix + "source/ranged.mp4";
        var source = Files.Random("ranged.mp4", size, seed: 11);
        await Storage.UploadFileAsync(source, key, "video/mp4", CancellationToken.None);
        await using var proxy = new RecordingS3Proxy(StorageOptions.ServiceUrl);
        var middle = $"bytes={PartSizeBytes}-{(2 * PartSizeBytes) - 1}";
        var failed = 0;
        proxy.Fault = request => request.Method == "GET" && request.Headers.TryGetValue("Range", out var range) && range == middle && Interlocked.Exchange(ref failed, 1) == 0
            ? ProxyFault.SlowDown
            : ProxyFault.None;
        using var storage = StorageThrough(proxy);
        var downloaded = Files.PathOf("ranged/downloaded.mp4");

        await storage.DownloadToFileAsync(key, downloaded, CancellationToken.None);

        var ranges = proxy.Requests.Where(r => r.Method == "GET").Select(r => r.Headers.GetValueOrDefault("Range") ?? "(whole)").ToList();
        string[] expected = ["bytes=0-5242879", middle, middle, $"bytes={2 * PartSizeBytes}-{size - 1}"];
        Assert.Equal(expected.Order(StringComparer.Ordinal), ranges.Order(StringComparer.Ordinal));
        Assert.Equal(1, proxy.FaultsInjected);
        Assert.Equal(TestFiles.Sha256(source), TestFiles.Sha256(downloaded));
        Assert.Equal(["downloaded.mp4"], Directory.GetFiles(Path.GetDirectoryName(downloaded)!).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_file_under_one_part_comes_down_in_one_get()
    {
        var key = Prefix + "hls/a1/360p/seg_00000.ts";
        var source = Files.Random("segment.ts", 300_000, seed: 12);
        await Storage.UploadFileAsync(source, key, "video/mp2t", CancellationToken.None);
        await using var proxy = new RecordingS3Proxy(StorageOptions.ServiceUrl);
        using var storage = StorageThrough(proxy);
        var downloaded = Files.PathOf("segment-downloaded.ts");

        await storage.DownloadToFileAsync(key, downloaded, CancellationToken.None);

        var request = Assert.Single(proxy.Requests);
        Assert.Equal("GET", request.Method);
        Assert.Equal(TestFiles.Sha256(source), TestFiles.Sha256(downloaded));
    }

    [Fact]
    public async Task A_file_below_the_threshold_is_one_plain_put_with_its_content_type()
    {
        var key = Prefix + "hls/a1/master.m3u8";
        await using var proxy = new RecordingS3Proxy(StorageOptions.ServiceUrl);
        using var storage = StorageThrough(proxy);

        await storage.UploadFileAsync(Files.AllByteValues("master.m3u8", repetitions: 3), key, "application/vnd.apple.mpegurl", CancellationToken.None);
        using var client = S3rver.PlainClient(StorageOptions);
        var metadata = await client.GetObjectMetadataAsync(StorageOptions.Bucket, key);

        var request = Assert.Single(proxy.Requests);
        Assert.Equal("PUT", request.Method);
        Assert.Equal("768", request.Headers["Content-Length"]);
        AssertNotAwsChunked(request);
        Assert.Equal(768, metadata.ContentLength);
        Assert.Equal("application/vnd.apple.mpegurl", metadata.Headers.ContentType);
    }

    [Fact]
    public async Task A_stock_sdk_client_would_send_aws_chunked_bodies_over_http()
    {
        // Why ChunkEncodingDisabledS3Client exists: if this ever fails, the SDK stopped framing by default.
        await using var proxy = new RecordingS3Proxy(StorageOptions.ServiceUrl);
        var options = S3rver.Options();
        options.ServiceUrl = proxy.BaseUrl;
        using var stockClient = S3rver.PlainClient(options);

        await stockClient.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest
        {
            BucketName = options.Bucket,
            Key = Prefix + "stock.bin",
            FilePath = Files.AllByteValues("stock.bin", repetitions: 1),
        });

        var request = Assert.Single(proxy.Requests);
        Assert.StartsWith("STREAMING-", request.Headers["x-amz-content-sha256"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_playback_url_without_a_public_base_url_serves_the_object()
    {
        var key = Prefix + "hls/a1/master.m3u8";
        var source = Files.AllByteValues("master.m3u8", repetitions: 2);
        await Storage.UploadFileAsync(source, key, "application/vnd.apple.mpegurl", CancellationToken.None);

        // s3rver answers unauthenticated reads, like a public R2 bucket or its CDN would.
        using var http = new HttpClient();
        var body = await http.GetByteArrayAsync(Storage.GetPlaybackUrl(key));

        Assert.Equal(await File.ReadAllBytesAsync(source), body);
    }

    [Fact]
    public void Playback_url_without_a_public_base_url_is_the_path_style_object_url()
    {
        var url = Storage.GetPlaybackUrl("videos/abc/hls/j-a1/master.m3u8");

        Assert.Equal(new Uri($"{StorageOptions.ServiceUrl}/{StorageOptions.Bucket}/videos/abc/hls/j-a1/master.m3u8"), url);
    }

    [Fact]
    public void Playback_url_with_a_public_base_url_is_the_key_under_it()
    {
        var options = S3rver.Options();
        options.PublicBaseUrl = "https://media.academy.example/";
        using var storage = new S3ObjectStorage(Options.Create(options), TimeProvider.System);

        var url = storage.GetPlaybackUrl("videos/abc/hls/j-a1/master.m3u8");

        Assert.Equal(new Uri("https://media.academy.example/videos/abc/hls/j-a1/master.m3u8"), url);
    }

    [Fact]
    public async Task Upload_target_is_a_presigned_http_url_for_the_endpoint_and_bucket()
    {
        var key = Prefix + "source/original.mp4";

        var target = await Storage.CreateUploadTargetAsync(key, "video/mp4", 1000, TimeSpan.FromMinutes(10), CancellationToken.None);

        Assert.Equal(new Uri(StorageOptions.ServiceUrl).Authority, target.Url.Authority);
        Assert.Equal(Uri.UriSchemeHttp, target.Url.Scheme);
        Assert.Equal($"/{StorageOptions.Bucket}/{key}", target.Url.AbsolutePath);
        // The SDK measures the validity from its own whole-second signing time, so it may round up by one.
        Assert.Matches("[?&]X-Amz-Expires=60[01](&|$)", target.Url.Query);
        Assert.Contains("X-Amz-Signature=", target.Url.Query, StringComparison.Ordinal);
    }

    /// <summary>
    /// s3rver accepts any body on a presigned URL (it verifies no signature), so what makes R2/S3 refuse a
    /// body of another size is shown on the URL itself: content-length is a signed header, and an
    /// independent SigV4 check accepts the declared length only.
    /// </summary>
    [Fact]
    public async Task Upload_target_signs_the_declared_content_length_and_type()
    {
        var key = Prefix + "source/original.mp4";

        var target = await Storage.CreateUploadTargetAsync(key, "video/mp4", 1000, TimeSpan.FromMinutes(10), CancellationToken.None);

        var signedHeaders = System.Web.HttpUtility.ParseQueryString(target.Url.Query)["X-Amz-SignedHeaders"]!.Split(';');
        Assert.Equal(["content-length", "content-type", "host"], signedHeaders);
        Runners.SigV4Verifier.Result Verify(string contentLength, string contentType) => Runners.SigV4Verifier.VerifyPresigned(
            "PUT",
            target.Url,
            new Dictionary<string, string> { ["host"] = target.Url.Authority, ["content-length"] = contentLength, ["content-type"] = contentType },
            StorageOptions.SecretKey);
        var declared = Verify("1000", "video/mp4");
        Assert.True(declared.IsValid, declared.Detail);
        Assert.False(Verify("51200", "video/mp4").IsValid);
        Assert.False(Verify("999", "video/mp4").IsValid);
        Assert.False(Verify("1000", "text/html").IsValid);
    }

    /// <summary>As for the single PUT: on R2/S3 a part of another size is refused because Content-Length is signed.</summary>
    [Fact]
    public async Task A_part_url_is_a_presigned_UploadPart_that_signs_its_content_length()
    {
        var key = Prefix + "source/original.mp4";
        var uploadId = await Storage.StartMultipartUploadAsync(key, "video/mp4", CancellationToken.None);

        var target = await Storage.CreatePartUploadTargetAsync(key, uploadId, 7, 6_000_000, TimeSpan.FromMinutes(10), CancellationToken.None);

        var query = System.Web.HttpUtility.ParseQueryString(target.Url.Query);
        Assert.Equal((uploadId, "7"), (query["uploadId"], query["partNumber"]));
        Assert.Equal(["content-length", "host"], query["X-Amz-SignedHeaders"]!.Split(';'));
        Runners.SigV4Verifier.Result Verify(string contentLength) => Runners.SigV4Verifier.VerifyPresigned(
            "PUT", target.Url, new Dictionary<string, string> { ["host"] = target.Url.Authority, ["content-length"] = contentLength }, StorageOptions.SecretKey);
        Assert.True(Verify("6000000").IsValid, Verify("6000000").Detail);
        Assert.False(Verify("6000001").IsValid);
    }

    [Fact]
    public async Task A_download_url_is_a_presigned_GET_that_expires()
    {
        var expiresAt = DateTimeOffset.UtcNow.AddMinutes(30);

        var url = await Storage.CreateDownloadUrlAsync(Prefix + "hls/a1/v0/seg_000.ts", expiresAt, CancellationToken.None);

        var query = System.Web.HttpUtility.ParseQueryString(url.Query);
        Assert.InRange(int.Parse(query["X-Amz-Expires"]!, CultureInfo.InvariantCulture), 1795, 1801);
        Assert.True(Runners.SigV4Verifier.VerifyPresigned("GET", url, new Dictionary<string, string> { ["host"] = url.Authority }, StorageOptions.SecretKey).IsValid);
    }

    protected override async Task AssertNothingStoredUnderAsync(string prefix)
    {
        using var client = S3rver.PlainClient(StorageOptions);
        var objects = await client.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = StorageOptions.Bucket, Prefix = prefix });
        var uploads = await client.ListMultipartUploadsAsync(new Amazon.S3.Model.ListMultipartUploadsRequest { BucketName = StorageOptions.Bucket, Prefix = prefix });
        Assert.Empty(objects.S3Objects ?? []);
        Assert.Empty(uploads.MultipartUploads ?? []);
    }

    public void Dispose() => _storage.Dispose();

    private static void AssertNotAwsChunked(RecordedRequest request)
    {
        Assert.False(request.Headers.TryGetValue("Content-Encoding", out var encoding) && encoding.Contains("aws-chunked", StringComparison.OrdinalIgnoreCase), $"{request.Method} {request.RawUrl} was aws-chunked");
        Assert.False(request.Headers.TryGetValue("x-amz-content-sha256", out var payloadHash) && payloadHash.StartsWith("STREAMING-", StringComparison.Ordinal), $"{request.Method} {request.RawUrl} signed a streaming payload");
    }

    private S3ObjectStorage StorageThrough(RecordingS3Proxy proxy)
    {
        var options = S3rver.Options();
        options.ServiceUrl = proxy.BaseUrl;
        return new S3ObjectStorage(Options.Create(options), TimeProvider.System);
    }
}

/// <summary>Connection settings for the s3rver that <c>build/s3rver.sh</c> runs.</summary>
internal static class S3rver
{
    private static readonly Lazy<string> ServiceUrl = new(FindRunningServer);

    public static S3StorageOptions Options() => new()
    {
        ServiceUrl = ServiceUrl.Value,
        Bucket = Environment.GetEnvironmentVariable("ACADEMY_S3_BUCKET") ?? "academy-video",
        AccessKey = "S3RVER",
        SecretKey = "S3RVER",
        MultipartThresholdBytes = 8L * 1024 * 1024,
        PartSizeBytes = 5L * 1024 * 1024,
        UploadParallelism = 2,
        // Small pages so listing and deleting really follow continuation tokens.
        ListPageSize = 2,
    };

    /// <summary>A stock SDK client, to look at what the server stored.</summary>
    public static AmazonS3Client PlainClient(S3StorageOptions options) =>
        new(new BasicAWSCredentials(options.AccessKey, options.SecretKey), new AmazonS3Config
        {
            ServiceURL = options.ServiceUrl,
            ForcePathStyle = true,
            AuthenticationRegion = options.Region,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });

    private static string FindRunningServer()
    {
        var port = int.Parse(Environment.GetEnvironmentVariable("ACADEMY_S3_PORT") ?? "54569", CultureInfo.InvariantCulture);
        try
        {
            using var connection = new TcpClient();
            connection.Connect("127.0.0.1", port);
        }
        catch (SocketException exception)
        {
            throw new InvalidOperationException(
                $"No S3 server answers on 127.0.0.1:{port}. Start it with `build/s3rver.sh start` (port from ACADEMY_S3_PORT).", exception);
        }

        return $"http://127.0.0.1:{port}";
    }
}
