using Academy.Video.Application.Common;
using Academy.Video.Domain.Videos;

namespace Academy.Video.Application.Storage;

/// <summary>
/// What a client's finished upload left in storage, as one operation over the storage port: a multipart upload's parts
/// are joined into the source object first. Written once over the port's primitives, so every adapter (S3, the local
/// folder, the tests' in-memory one) joins alike.
/// </summary>
public static class UploadedSources
{
    private const int PartsNamedInAnError = 20;

    /// <summary>
    /// Joins <paramref name="multipart"/>'s parts once storage holds exactly the planned ones (with <paramref name="expected"/>,
    /// only if it holds exactly those parts with those ETags), then reads what the source key holds. A multipart upload that
    /// is gone was joined by an earlier call (or aborted): what the key holds decides.
    /// </summary>
    /// <returns>The stored source, or null when the key holds nothing.</returns>
    /// <exception cref="ConflictException"><c>UPLOAD_INCOMPLETE</c> or <c>UPLOAD_PARTS_INVALID</c>: the parts cannot be joined as they are.</exception>
    public static async Task<StoredSource?> JoinUploadedSourceAsync(
        this IObjectStorage storage,
        LectureVideo video,
        MultipartUpload? multipart,
        IReadOnlyList<CompletedPart>? expected,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(video);
        if (multipart is not null)
        {
            await JoinPartsAsync(storage, video, multipart, expected, cancellationToken);
        }

        return await storage.HeadAsync(video.SourceKey, cancellationToken) is { } stored ? new StoredSource(stored.SizeBytes) : null;
    }

    private static async Task JoinPartsAsync(IObjectStorage storage, LectureVideo video, MultipartUpload multipart, IReadOnlyList<CompletedPart>? expected, CancellationToken cancellationToken)
    {
        IReadOnlyList<UploadedPart> held;
        try
        {
            held = await storage.ListPartsAsync(video.SourceKey, multipart.UploadId, cancellationToken);
        }
        catch (MultipartUploadNotFoundException)
        {
            return;
        }

        var plan = multipart.PlanFor(video.SourceSizeBytes ?? 0);
        var check = plan.Check(held.Select(part => (part.PartNumber, part.SizeBytes)));
        if (!check.IsComplete)
        {
            var problems = new List<string>();
            if (check.Missing.Count > 0)
            {
                problems.Add($"part(s) {Name(check.Missing)} of {plan.PartCount} are missing");
            }

            if (check.WrongSize.Count > 0)
            {
                problems.Add($"part(s) {Name(check.WrongSize)} are not their planned size (every part but the last is {multipart.PartSizeBytes} bytes)");
            }

            if (check.Unexpected.Count > 0)
            {
                problems.Add($"part(s) {Name(check.Unexpected)} are not in the plan of {plan.PartCount} parts");
            }

            throw new ConflictException("UPLOAD_INCOMPLETE",
                $"The upload of video {video.Id} is not complete: {string.Join("; ", problems)}. GET /api/v1/videos/{video.Id}/upload lists what storage holds, with fresh part URLs.");
        }

        if (expected is not null)
        {
            var stored = held.ToDictionary(part => part.PartNumber, part => part.ETag);
            var differing = expected.Where(part => !stored.TryGetValue(part.PartNumber, out var etag) || etag != part.ETag.Trim('"'))
                .Select(part => part.PartNumber).Order().ToList();
            if (expected.Count != held.Count || differing.Count > 0)
            {
                throw new ConflictException(ConflictException.UploadPartsInvalid,
                    $"The parts sent do not match what storage holds for video {video.Id}" +
                    (differing.Count > 0 ? $" (part(s) {Name(differing)} differ: sent again since?)" : $" ({expected.Count} sent, {held.Count} held)") +
                    ". Complete without a body to join the parts storage holds.");
            }
        }

        try
        {
            await storage.CompleteMultipartUploadAsync(
                video.SourceKey,
                multipart.UploadId,
                held.OrderBy(part => part.PartNumber).Select(part => new CompletedPart(part.PartNumber, part.ETag)).ToList(),
                cancellationToken);
        }
        catch (MultipartUploadNotFoundException)
        {
            // A concurrent call joined it first.
        }
        catch (MultipartUploadRejectedException rejected)
        {
            throw new ConflictException(ConflictException.UploadPartsInvalid, $"Storage refused to join the parts of video {video.Id}: {rejected.Code}: {rejected.Message}");
        }
    }

    private static string Name(IReadOnlyList<int> partNumbers) =>
        string.Join(", ", partNumbers.Take(PartsNamedInAnError)) + (partNumbers.Count > PartsNamedInAnError ? $" and {partNumbers.Count - PartsNamedInAnError} more" : "");
}
