using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.S3;
using Amazon.S3.Model;

namespace Academy.Video.Infrastructure.Storage;

/// <summary>
/// An S3 client that never sends <c>aws-chunked</c> bodies. Over plain HTTP the SDK signs uploads as
/// streaming chunks, and simple S3-compatible servers store that framing verbatim inside the object.
/// The request flag has to be cleared on every PutObject and UploadPart, including those that
/// TransferUtility creates internally, so it is done once in the client's pipeline.
/// <para>
/// It also sends a CopyObject's <c>x-amz-copy-source</c> with its slashes as slashes (<c>bucket/videos/…</c>, as the
/// AWS CLI does) where the SDK escapes them (<c>bucket%2Fvideos%2F…</c>): S3 and R2 take both, simple S3-compatible
/// servers decode the value as a path and find no such key. The header is signed, so it is changed before signing.
/// </para>
/// </summary>
internal sealed class ChunkEncodingDisabledS3Client(AWSCredentials credentials, AmazonS3Config config)
    : AmazonS3Client(credentials, config)
{
    protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
    {
        base.CustomizeRuntimePipeline(pipeline);
        pipeline.AddHandlerBefore<Marshaller>(new DisableChunkEncodingHandler());
        pipeline.AddHandlerAfter<Marshaller>(new CopySourceSlashesHandler());
    }

    /// <summary>A pipeline step that changes the request, the same way for the SDK's sync and async paths.</summary>
    private abstract class RequestChangingHandler : PipelineHandler
    {
        public override void InvokeSync(IExecutionContext executionContext)
        {
            Change(executionContext);
            base.InvokeSync(executionContext);
        }

        public override Task<T> InvokeAsync<T>(IExecutionContext executionContext)
        {
            Change(executionContext);
            return base.InvokeAsync<T>(executionContext);
        }

        protected abstract void Change(IExecutionContext executionContext);
    }

    private sealed class CopySourceSlashesHandler : RequestChangingHandler
    {
        private const string CopySource = "x-amz-copy-source";

        protected override void Change(IExecutionContext executionContext)
        {
            var headers = executionContext.RequestContext.Request.Headers;
            if (headers.TryGetValue(CopySource, out var value))
            {
                headers[CopySource] = value.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    private sealed class DisableChunkEncodingHandler : RequestChangingHandler
    {
        protected override void Change(IExecutionContext executionContext)
        {
            switch (executionContext.RequestContext.OriginalRequest)
            {
                case PutObjectRequest putObject:
                    putObject.UseChunkEncoding = false;
                    break;
                case UploadPartRequest uploadPart:
                    uploadPart.UseChunkEncoding = false;
                    break;
            }
        }
    }
}
