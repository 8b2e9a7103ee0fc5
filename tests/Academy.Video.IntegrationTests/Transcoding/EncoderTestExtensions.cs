using System.Collections.Concurrent;
using Academy.Video.Application.Transcoding;
using Academy.Video.Infrastructure.Transcoding;

namespace Academy.Video.IntegrationTests.Transcoding;

/// <summary>A clean encode in one call, as most adapter tests need it: plan, then encode from the start.</summary>
internal static class EncoderTestExtensions
{
    public static async Task<HlsOutput> EncodeAsync(this FfmpegHlsEncoder encoder, HlsEncodeRequest request, IProgress<double> progress, CancellationToken cancellationToken, IHlsSegmentSink? segments = null)
    {
        var plan = await encoder.PlanAsync(request, cancellationToken);
        return await encoder.EncodeAsync(plan, null, progress, segments ?? new RecordingSegments(), cancellationToken);
    }
}

/// <summary>Every segment the encoder reported, in the order reported, with the size its file had when it was.</summary>
internal sealed class RecordingSegments(Action<HlsSegmentFile>? onSegment = null) : IHlsSegmentSink
{
    public ConcurrentQueue<HlsSegmentFile> Closed { get; } = new();

    public void SegmentClosed(HlsSegmentFile segment)
    {
        Closed.Enqueue(segment);
        onSegment?.Invoke(segment);
    }
}
