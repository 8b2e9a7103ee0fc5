using Academy.Video.Application.Transcoding;
using Academy.Video.Domain.Jobs;
using Academy.Video.Domain.Media;
using Academy.Video.Domain.Videos;

namespace Academy.Video.Application.Jobs.ProcessJob;

/// <summary>The running attempt's line to its job: progress goes out with the heartbeat, the encode plan is stored fenced on the attempt.</summary>
internal sealed class AttemptJournal(TranscodeJob job, ITranscodeJobStore jobs, TimeProvider time, IProgress<double> heartbeat) : IAttemptJournal
{
    public void Report(double value) => heartbeat.Report(value);

    public Task<bool> RecordEncodePlanAsync(MediaInfo source, SourceCopyDecision topRung, LoudnessMeasurement? loudness, LectureProfile? profile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(topRung);
        return jobs.TryRecordEncodePlanAsync(job.RecordEncodePlan(SourceMetadata.From(source), topRung.Code, topRung.Reason, time.GetUtcNow()) with { Loudness = loudness, Profile = profile }, cancellationToken);
    }

    public async Task<bool> MarkPlayableAsync(string masterKey, CancellationToken cancellationToken) =>
        await jobs.TryMarkPlayableAsync(job.MarkPlayable(masterKey, time.GetUtcNow()), cancellationToken) != PlayableResult.Superseded;
}
