using System.Net;
using System.Runtime.CompilerServices;
using Academy.Video.Application.Storage;
using Academy.Video.Domain.Videos;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;
using Microsoft.Extensions.Options;

namespace Academy.Video.Infrastructure.Storage;

/// <summary>Cloudflare R2 or any S3-compatible server, through AWSSDK.S3.</summary>
public sealed class S3ObjectStorage : IObjectStorage, IDisposable
{
    /// <summary>SigV4 presigned URLs cannot live longer than seven days.</summary>
    private static readonly TimeSpan MaxPresignedValidity = TimeSpan.FromDays(7);

    private readonly S3StorageOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly AmazonS3Client _client;
    private readonly TransferUtility _transferUtility;
    private readonly Protocol _endpointProtocol;

    public S3ObjectStorage(IOptions<S3StorageOptions> options, TimeProvider timeProvider)
    {
        _options = options.Value;
        _timeProvider = timeProvider;

        var serviceUrl = new Uri(_options.ServiceUrl, UriKind.Absolute);
        _endpointProtocol = serviceUrl.Scheme == Uri.UriSchemeHttp ? Protocol.HTTP : Protocol.HTTPS;

        var config = new AmazonS3Config
        {
            ServiceURL = _options.ServiceUrl,
            ForcePathStyle = _options.ForcePathStyle,
            AuthenticationRegion = _options.Region,
            // R2 and most S3-compatible servers reject or mangle the SDK's default CRC trailers.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        _client = new ChunkEncodingDisabledS3Client(new BasicAWSCredentials(_options.AccessKey, _options.SecretKey), config);
        _transferUtility = new TransferUtility(_client, new TransferUtilityConfig
        {
            MinSizeBeforePartUpload = _options.MultipartThresholdBytes,
            ConcurrentServiceRequests = _options.UploadParallelism,
        });
    }

    /// <remarks>
    /// Content-Type and Content-Length are signed headers of the URL (<c>X-Amz-SignedHeaders</c>), so
    /// R2 and S3 refuse a PUT whose body is not exactly <paramref name="sizeBytes"/> long.
    /// </remarks>
    public async Task<UploadTarget> CreateUploadTargetAsync(string key, string contentType, long sizeBytes, TimeSpan validFor, CancellationToken cancellationToken)
    {
        if (validFor <= TimeSpan.Zero || validFor > MaxPresignedValidity)
        {
            throw new ArgumentOutOfRangeException(nameof(validFor), validFor, $"A presigned URL must be valid for more than zero and at most {MaxPresignedValidity.TotalDays} days.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sizeBytes);
        var expiresAt = _timeProvider.GetUtcNow().Add(validFor);
        var request = new GetPreSignedUrlRequest
        {
            BucketName = _options.Bucket,
            Key = key,
            Verb = HttpVerb.PUT,
            ContentType = contentType,
            Expires = expiresAt.UtcDateTime,
            Protocol = _endpointProtocol,
        };
        request.Headers.ContentLength = sizeBytes;
        var url = await _client.GetPreSignedURLAsync(request).ConfigureAwait(false);

        var headers = new Dictionary<string, string> { ["Content-Type"] = contentType };
        return new UploadTarget(new Uri(url, UriKind.Absolute), "PUT", headers, expiresAt);
    }

    public async Task<StoredObject?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            var metadata = await _client.GetObjectMetadataAsync(_options.Bucket, key, cancellationToken).ConfigureAwait(false);
            return new StoredObject(key, metadata.ContentLength);
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <remarks>
    /// TransferUtility's multipart download: ranged GETs of <see cref="S3StorageOptions.PartSizeBytes"/>,
    /// <see cref="S3StorageOptions.UploadParallelism"/> at once, written into the file as they arrive (docs/operations.md,
    /// Running on AWS, "Source download"). One stream from R2 carries a fraction of what a worker's network does, and every chunk of a long
    /// lecture brings the whole source down before anything plays. Written beside the destination and renamed into place.
    /// </remarks>
    public async Task DownloadToFileAsync(string key, string filePath, CancellationToken cancellationToken)
    {
        var destination = Path.GetFullPath(filePath);
        await FileDownload.WriteAtomicallyAsync(destination, FileDownload.TemporaryPathBeside(destination), async temporary =>
        {
            try
            {
                await _transferUtility.DownloadWithResponseAsync(new TransferUtilityDownloadRequest
                {
                    BucketName = _options.Bucket,
                    Key = key,
                    FilePath = temporary,
                    MultipartDownloadType = MultipartDownloadType.RANGE,
                    PartSize = _options.PartSizeBytes,
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound)
            {
                throw new ObjectNotFoundException(key);
            }
            catch (Exception exception) when (exception is InvalidOperationException or AmazonS3Exception { StatusCode: HttpStatusCode.RequestedRangeNotSatisfiable })
            {
                // An empty object has no first range to ask for and the multipart download fails on it, so it is written
                // here. Rare enough that only a failed download pays the HEAD.
                if (await HeadAsync(key, cancellationToken).ConfigureAwait(false) is not { SizeBytes: 0 })
                {
                    throw;
                }

                await File.WriteAllBytesAsync(temporary, [], cancellationToken).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
    }

    public Task UploadFileAsync(string filePath, string key, string contentType, CancellationToken cancellationToken) =>
        // TransferUtility reads the file part by part (a single PutObject below the threshold), never whole into memory.
        _transferUtility.UploadAsync(new TransferUtilityUploadRequest
        {
            BucketName = _options.Bucket,
            Key = key,
            FilePath = filePath,
            ContentType = contentType,
            PartSize = _options.PartSizeBytes,
        }, cancellationToken);

    /// <remarks>
    /// CopyObject: R2 and S3 copy inside the bucket, no bytes pass through the worker. It has no body, so neither the
    /// aws-chunked framing nor a checksum trailer is involved; the content type is copied with the object. One request copies
    /// up to 5 GB, far more than any segment.
    /// </remarks>
    public async Task CopyAsync(string sourceKey, string destinationKey, CancellationToken cancellationToken)
    {
        try
        {
            await _client.CopyObjectAsync(new CopyObjectRequest
            {
                SourceBucket = _options.Bucket,
                SourceKey = sourceKey,
                DestinationBucket = _options.Bucket,
                DestinationKey = destinationKey,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound || exception.ErrorCode == "NoSuchKey")
        {
            throw new ObjectNotFoundException(sourceKey);
        }
    }

    public async Task<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        // Unfinished uploads first: their parts are stored (and billed) but never listed as objects.
        await AbortMultipartUploadsAsync(prefix, cancellationToken).ConfigureAwait(false);
        var deleted = 0;
        await foreach (var page in ListPagesAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            if (page.Count == 0)
            {
                continue;
            }

            // Throws DeleteObjectsException when any key could not be deleted, so the caller retries.
            await _client.DeleteObjectsAsync(new DeleteObjectsRequest
            {
                BucketName = _options.Bucket,
                Objects = page.Select(item => new KeyVersion { Key = item.Key }).ToList(),
                Quiet = true,
            }, cancellationToken).ConfigureAwait(false);
            deleted += page.Count;
        }

        return deleted;
    }

    public async IAsyncEnumerable<StoredObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var page in ListPagesAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            foreach (var item in page)
            {
                yield return item;
            }
        }
    }

    public Uri GetPlaybackUrl(string key) =>
        string.IsNullOrWhiteSpace(_options.PublicBaseUrl)
            ? StorageUrls.Combine(_options.ServiceUrl, key, _options.Bucket)
            : StorageUrls.Combine(_options.PublicBaseUrl, key);

    /// <summary>A presigned GET: R2 and S3 serve the object until <paramref name="expiresAt"/>, also from a private bucket.</summary>
    public async Task<Uri> CreateDownloadUrlAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var url = await _client.GetPreSignedURLAsync(new GetPreSignedUrlRequest
        {
            BucketName = _options.Bucket,
            Key = key,
            Verb = HttpVerb.GET,
            Expires = expiresAt.UtcDateTime,
            Protocol = _endpointProtocol,
        }).ConfigureAwait(false);
        return new Uri(url, UriKind.Absolute);
    }

    /// <summary>A presigned GET whose response carries the attachment header: R2 and S3 honour <c>response-content-disposition</c> on a signed request.</summary>
    public async Task<Uri> CreateAttachmentUrlAsync(string key, string fileName, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        var request = new GetPreSignedUrlRequest
        {
            BucketName = _options.Bucket,
            Key = key,
            Verb = HttpVerb.GET,
            Expires = expiresAt.UtcDateTime,
            Protocol = _endpointProtocol,
        };
        request.ResponseHeaderOverrides.ContentDisposition = DownloadFileName.ContentDisposition(fileName);
        var url = await _client.GetPreSignedURLAsync(request).ConfigureAwait(false);
        return new Uri(url, UriKind.Absolute);
    }

    private async Task<GetObjectResponse> GetExistingObjectAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.GetObjectAsync(_options.Bucket, key, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            throw new ObjectNotFoundException(key);
        }
    }

    public async Task<string> ReadTextAsync(string key, int maxBytes, CancellationToken cancellationToken)
    {
        using (var response = await GetExistingObjectAsync(key, cancellationToken).ConfigureAwait(false))
        {
            if (response.ContentLength > maxBytes)
            {
                throw new InvalidDataException($"Object '{key}' is {response.ContentLength} bytes, more than the {maxBytes} expected.");
            }

            using var reader = new StreamReader(response.ResponseStream);
            return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <remarks>A GET with <c>Range: bytes=0-(maxBytes-1)</c>; the read stops at <paramref name="maxBytes"/> even if a server sends more.</remarks>
    public async Task<byte[]> ReadStartAsync(string key, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        GetObjectResponse response;
        try
        {
            response = await _client.GetObjectAsync(new GetObjectRequest
            {
                BucketName = _options.Bucket,
                Key = key,
                ByteRange = new ByteRange(0, maxBytes - 1),
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.NotFound)
        {
            throw new ObjectNotFoundException(key);
        }
        catch (AmazonS3Exception exception) when (exception.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // An empty object has no byte 0.
            return [];
        }

        using (response)
        {
            return await StreamPrefix.ReadAsync(response.ResponseStream, maxBytes, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<string> StartMultipartUploadAsync(string key, string contentType, CancellationToken cancellationToken)
    {
        var response = await _client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
        {
            BucketName = _options.Bucket,
            Key = key,
            ContentType = contentType,
        }, cancellationToken).ConfigureAwait(false);
        return response.UploadId;
    }

    /// <remarks>A presigned UploadPart: Content-Length is a signed header, so R2 and S3 refuse a part of any other size.</remarks>
    public async Task<UploadTarget> CreatePartUploadTargetAsync(string key, string uploadId, int partNumber, long sizeBytes, TimeSpan validFor, CancellationToken cancellationToken)
    {
        if (validFor <= TimeSpan.Zero || validFor > MaxPresignedValidity)
        {
            throw new ArgumentOutOfRangeException(nameof(validFor), validFor, $"A presigned URL must be valid for more than zero and at most {MaxPresignedValidity.TotalDays} days.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sizeBytes);
        LocalFileObjectStorage.ThrowIfNotPartNumber(partNumber);
        var expiresAt = _timeProvider.GetUtcNow().Add(validFor);
        var request = new GetPreSignedUrlRequest
        {
            BucketName = _options.Bucket,
            Key = key,
            Verb = HttpVerb.PUT,
            UploadId = uploadId,
            PartNumber = partNumber,
            Expires = expiresAt.UtcDateTime,
            Protocol = _endpointProtocol,
        };
        request.Headers.ContentLength = sizeBytes;
        var url = await _client.GetPreSignedURLAsync(request).ConfigureAwait(false);
        return new UploadTarget(new Uri(url, UriKind.Absolute), "PUT", new Dictionary<string, string>(), expiresAt);
    }

    public async Task<IReadOnlyList<UploadedPart>> ListPartsAsync(string key, string uploadId, CancellationToken cancellationToken)
    {
        var parts = new List<UploadedPart>();
        string? marker = null;
        try
        {
            while (true)
            {
                var page = await _client.ListPartsAsync(new ListPartsRequest
                {
                    BucketName = _options.Bucket,
                    Key = key,
                    UploadId = uploadId,
                    PartNumberMarker = marker,
                }, cancellationToken).ConfigureAwait(false);
                parts.AddRange((page.Parts ?? []).Select(part => new UploadedPart(part.PartNumber ?? 0, part.Size ?? 0, Unquote(part.ETag))));
                if (page.IsTruncated != true || page.NextPartNumberMarker is null)
                {
                    return parts.OrderBy(part => part.PartNumber).ToList();
                }

                marker = page.NextPartNumberMarker.ToString();
            }
        }
        catch (AmazonS3Exception exception) when (exception.ErrorCode == "NoSuchUpload")
        {
            throw new MultipartUploadNotFoundException(key, uploadId);
        }
    }

    public async Task CompleteMultipartUploadAsync(string key, string uploadId, IReadOnlyList<CompletedPart> parts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parts);
        try
        {
            await _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _options.Bucket,
                Key = key,
                UploadId = uploadId,
                PartETags = parts.Select(part => new PartETag { PartNumber = part.PartNumber, ETag = $"\"{Unquote(part.ETag)}\"" }).ToList(),
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception exception) when (exception.ErrorCode == "NoSuchUpload")
        {
            throw new MultipartUploadNotFoundException(key, uploadId);
        }
        catch (AmazonS3Exception exception) when (exception.ErrorCode is "InvalidPart" or "InvalidPartOrder" or "EntityTooSmall" or "MalformedXML")
        {
            throw new MultipartUploadRejectedException(exception.ErrorCode, exception.Message);
        }
    }

    public void Dispose()
    {
        _transferUtility.Dispose();
        _client.Dispose();
    }

    private async Task AbortMultipartUploadsAsync(string prefix, CancellationToken cancellationToken)
    {
        string? keyMarker = null, uploadIdMarker = null;
        do
        {
            var page = await _client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest
            {
                BucketName = _options.Bucket,
                Prefix = prefix,
                KeyMarker = keyMarker,
                UploadIdMarker = uploadIdMarker,
            }, cancellationToken).ConfigureAwait(false);
            foreach (var upload in page.MultipartUploads ?? [])
            {
                try
                {
                    await _client.AbortMultipartUploadAsync(_options.Bucket, upload.Key, upload.UploadId, cancellationToken).ConfigureAwait(false);
                }
                catch (AmazonS3Exception exception) when (exception.ErrorCode == "NoSuchUpload")
                {
                    // Completed or aborted meanwhile: either way it holds no parts any more.
                }
            }

            (keyMarker, uploadIdMarker) = page.IsTruncated == true ? (page.NextKeyMarker, page.NextUploadIdMarker) : (null, null);
        }
        while (keyMarker is not null);
    }

    private static string Unquote(string? etag) => (etag ?? "").Trim('"');

    private async IAsyncEnumerable<IReadOnlyList<StoredObject>> ListPagesAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? continuationToken = null;
        do
        {
            var response = await _client.ListObjectsV2Async(new ListObjectsV2Request
            {
                BucketName = _options.Bucket,
                Prefix = prefix,
                MaxKeys = _options.ListPageSize,
                ContinuationToken = continuationToken,
            }, cancellationToken).ConfigureAwait(false);

            // AWSSDK v4 leaves an empty collection null.
            yield return response.S3Objects?.Select(item => new StoredObject(item.Key, item.Size ?? 0)).ToList() ?? [];
            continuationToken = response.IsTruncated == true ? response.NextContinuationToken : null;
        }
        while (continuationToken is not null);
    }
}
