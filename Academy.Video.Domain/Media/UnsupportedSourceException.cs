using Academy.Video.Domain.Jobs;

namespace Academy.Video.Domain.Media;

/// <summary>The ladder cannot be planned for this source: no attempt can succeed, so the job fails at once.</summary>
public sealed class UnsupportedSourceException(JobError error) : DomainException(error.Code, error.Message)
{
    public JobError Error { get; } = error;
}
