using Academy.Video.Application.Common;
using Academy.Video.Application.Videos.ExpireUploads;
using Mediator;
using Microsoft.Extensions.Options;

namespace Academy.Video.Api.Background;

/// <summary>Expires uploads left unfinished for <c>Upload:Expiry</c>, one replica at a time; the cleanup outbox then empties their storage.</summary>
public sealed class UploadExpiryService(IServiceScopeFactory scopes, IOptions<UploadOptions> options, TimeProvider time, ILogger<UploadExpiryService> logger)
    : PeriodicWork(scopes, time, logger)
{
    protected override string LockName => "academy-video:upload-expiry";

    protected override TimeSpan Interval => options.Value.ExpiryScanInterval;

    protected override async Task RunOnceAsync(IMediator mediator, CancellationToken cancellationToken)
    {
        var command = new ExpireUploadsCommand();
        UploadExpiryReport report;
        do
        {
            report = await mediator.Send(command, cancellationToken);
        }
        while (report.Candidates == command.Limit && report.Expired > 0);
    }
}
