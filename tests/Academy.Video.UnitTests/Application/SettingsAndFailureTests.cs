using Academy.Video.Application.Common;
using Academy.Video.Application.Jobs.ProcessJob;
using Academy.Video.Application.Storage;
using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;

namespace Academy.Video.UnitTests.Application;

public sealed class SettingsAndFailureTests
{
    [Fact]
    public void Default_worker_settings_and_job_policy_are_valid()
    {
        Assert.True(new WorkerOptionsValidator(JobPolicy.Default).Validate(new WorkerOptions()).IsValid);
        Assert.True(new JobPolicyValidator().Validate(JobPolicy.Default).IsValid);
    }

    [Theory]
    [InlineData(nameof(WorkerOptions.HeartbeatInterval))]
    [InlineData(nameof(WorkerOptions.SegmentDuration))]
    [InlineData(nameof(WorkerOptions.UploadParallelism))]
    [InlineData(nameof(WorkerOptions.WorkDirectory))]
    [InlineData("Rungs[0].Name")]
    [InlineData("Rungs[0].ShortSide")]
    public void Worker_settings_that_cannot_work_are_named(string property)
    {
        var options = new WorkerOptions();
        switch (property)
        {
            case nameof(WorkerOptions.HeartbeatInterval): options.HeartbeatInterval = TimeSpan.FromMinutes(2); break;
            case nameof(WorkerOptions.SegmentDuration): options.SegmentDuration = TimeSpan.Zero; break;
            case nameof(WorkerOptions.UploadParallelism): options.UploadParallelism = 0; break;
            case nameof(WorkerOptions.WorkDirectory): options.WorkDirectory = ""; break;
            case "Rungs[0].Name": options.Rungs = [new("../720p", 720, 2800, 128)]; break;
            default: options.Rungs = [new("tiny", 1, 100, 64)]; break;
        }

        var result = new FluentOptionsValidator<WorkerOptions>(new WorkerOptionsValidator(JobPolicy.Default)).Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains($"WorkerOptions.{property}", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_job_policy_without_attempts_is_refused() =>
        Assert.False(new JobPolicyValidator().Validate(JobPolicy.Default with { MaxAttempts = 0 }).IsValid);

    public static TheoryData<Exception, string, JobErrorKind> Failures => new()
    {
        { new TranscodeFailedException(JobError.NoVideoStream()), JobErrorCodes.NoVideoStream, JobErrorKind.Permanent },
        { new UnsupportedSourceException(JobError.SourceDimensionsUnsupported(1, 240, "too thin")), JobErrorCodes.SourceDimensionsUnsupported, JobErrorKind.Permanent },
        { new ObjectNotFoundException("videos/x/source/original.mp4"), JobErrorCodes.SourceMissing, JobErrorKind.Permanent },
        { new StorageOperationException("upload", "k", new HttpRequestException("503")), JobErrorCodes.StorageError, JobErrorKind.Transient },
        { new IOException("No space left on device"), JobErrorCodes.LocalDiskError, JobErrorKind.Transient },
        { new TaskCanceledException("The request timed out"), JobErrorCodes.Internal, JobErrorKind.Transient },
        { new InvalidOperationException("a bug"), JobErrorCodes.Internal, JobErrorKind.Transient },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Failures_are_classified_by_type(Exception failure, string code, JobErrorKind kind)
    {
        var error = AttemptFailures.Classify(failure);

        Assert.Equal((code, kind), (error.Code, error.Kind));
    }
}
