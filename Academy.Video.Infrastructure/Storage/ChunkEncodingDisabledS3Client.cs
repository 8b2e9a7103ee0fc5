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
/// </summary>
internal sealed class ChunkEncodingDisabledS3Client(AWSCredentials credentials, AmazonS3Config config)
    : AmazonS3Client(credentials, config)
{
    protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
    {
        base.CustomizeRuntimePipeline(pipeline);
        pipeline.AddHandlerBefore<Marshaller>(new DisableChunkEncodingHandler());
    }

    private sealed class DisableChunkEncodingHandler : PipelineHandler
    {
        public override void InvokeSync(IExecutionContext executionContext)
        {
            DisableChunkEncoding(executionContext);
            base.InvokeSync(executionContext);
        }

        public override Task<T> InvokeAsync<T>(IExecutionContext executionContext)
        {
            DisableChunkEncoding(executionContext);
            return base.InvokeAsync<T>(executionContext);
        }

        private static void DisableChunkEncoding(IExecutionContext executionContext)
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
