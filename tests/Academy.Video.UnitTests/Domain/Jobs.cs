using Academy.Video.Domain.Jobs;

namespace Academy.Video.UnitTests.Domain;

internal static class Jobs
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    public static TranscodeJob Queued() => TranscodeJob.Queue(Guid.NewGuid(), Guid.NewGuid(), T0);

    public static TranscodeJob In(JobState state, int attempt = 1, string? batchJobId = null) => Queued() with
    {
        State = state,
        AttemptCount = state == JobState.Queued ? 0 : attempt,
        LastHeartbeatAt = state == JobState.Running ? T0 : null,
        BatchJobId = batchJobId,
        SubmittedAt = batchJobId is null ? null : T0,
    };
}
