using Academy.Video.Api.Security;
using Academy.Video.Application.Transcripts;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Academy.Video.Api.Endpoints;

/// <summary>Transcripts and search over caption cues (docs/api.md, Transcripts and search), behind the client key like the videos.</summary>
public static class TranscriptEndpoints
{
    public static RouteGroupBuilder MapTranscriptEndpoints(this RouteGroupBuilder videos)
    {
        ArgumentNullException.ThrowIfNull(videos);
        videos.MapGet("/{id}/transcript", GetTranscriptAsync)
            .WithSummary("The video's caption cues in time order (q: only cues containing the text, ignoring case; language: one language's tracks)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return videos;
    }

    public static IEndpointRouteBuilder MapSearchEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/v1/search")
            .WithTags("Search")
            .RequireClientKey()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .MapGet("/", SearchAsync)
            .WithSummary("Videos whose caption cues contain q, most matching cues first, each with its matching moments and a console link starting there; cursor paging")
            .ProducesValidationProblem();
        return routes;
    }

    private static async Task<Ok<Transcript>> GetTranscriptAsync(string id, string? q, string? language, IMediator mediator, CancellationToken cancellationToken) =>
        TypedResults.Ok(await mediator.Send(new GetTranscriptQuery(VideoIds.Parse(id), q, language), cancellationToken));

    private static async Task<Ok<TranscriptSearchPage>> SearchAsync(string? q, string? cursor, int? limit, IMediator mediator, CancellationToken cancellationToken) =>
        TypedResults.Ok(await mediator.Send(new SearchTranscriptsQuery(q, cursor, limit ?? 10), cancellationToken));
}
