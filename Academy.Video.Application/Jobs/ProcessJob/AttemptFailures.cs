using Academy.Video.Application.Storage;
using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;

namespace Academy.Video.Application.Jobs.ProcessJob;

/// <summary>
/// The one place where an attempt's failure becomes a <see cref="JobError"/>, by the exception's
/// type: adapters and the domain throw typed failures, nothing is judged by where it happened.
/// </summary>
public static class AttemptFailures
{
    public static JobError Classify(Exception failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return failure switch
        {
            TranscodeFailedException transcode => transcode.Error,
            UnsupportedSourceException unsupported => unsupported.Error,
            ObjectNotFoundException missing => JobError.SourceMissing(missing.Key),
            StorageOperationException storage => JobError.Transient(JobErrorCodes.StorageError, storage.Message),
            IOException or UnauthorizedAccessException => JobError.Transient(JobErrorCodes.LocalDiskError, $"The work directory failed: {failure.Message}"),
            OperationCanceledException => JobError.Transient(JobErrorCodes.Internal, $"An operation timed out: {failure.Message}"),
            _ => JobError.Transient(JobErrorCodes.Internal, $"{failure.GetType().Name}: {failure.Message}"),
        };
    }
}
