using Academy.Video.Api.Operations;
using Academy.Video.Api.Security;
using Academy.Video.Application.Jobs.GetBacklog;
using Academy.Video.Operations.Application;
using Academy.Video.Operations.Application.AttemptLogs;
using Academy.Video.Operations.Application.ValidateSystem;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Academy.Video.Api.Endpoints;

/// <summary>Operator endpoints, behind the internal key.</summary>
public static class InternalEndpoints
{
    public static RouteGroupBuilder MapInternalEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/internal/video")
            .WithTags("Operations")
            .RequireInternalKey()
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        group.MapGet("/backlog", async Task<Ok<BacklogView>> (IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetBacklogQuery(), ct)))
            .WithSummary("Job counts by state and the oldest waits");

        group.MapGet("/health-summary", async (ValidateSystemHandler validateSystem, CancellationToken ct) =>
                TypedResults.Json(await validateSystem.Handle(new ValidateSystemQuery(), ct), OperationsOutput.Json))
            .WithSummary("The validate-system report: every check, SYSTEM_STATUS and the root-cause hints")
            .Produces<OperationsReport>()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapPost("/scan-stuck-jobs", async Task<Ok<OperatorScanReport>> (bool? dryRun, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await OperatorScan.RunAsync(mediator, dryRun ?? true, ct)))
            .WithSummary("Run the recovery scan now, jobs then chunks (dry run unless dryRun=false)");

        group.MapGet("/jobs/{jobId}/attempts/{attempt:int}/log", async Task<Ok<AttemptLogView>> (string jobId, int attempt, GetAttemptLogHandler attemptLogs, CancellationToken ct) =>
                TypedResults.Ok(await attemptLogs.Handle(new GetAttemptLogQuery(ParseJobId(jobId), attempt), ct)))
            .WithSummary("Where one attempt's worker log is: its text (local runner) or the AWS console's page of its Batch job")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    private static Guid ParseJobId(string id) =>
        Guid.TryParse(id, out var jobId)
            ? jobId
            : throw new FluentValidation.ValidationException([new FluentValidation.Results.ValidationFailure("jobId", "The job id is not a UUID.")]);
}
