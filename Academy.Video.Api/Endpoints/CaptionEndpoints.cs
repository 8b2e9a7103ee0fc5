using Academy.Video.Api.Errors;
using Academy.Video.Application.Captions;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Academy.Video.Api.Endpoints;

/// <summary>Uploaded caption tracks of a READY video (docs/api.md, Captions), under the videos group and its client key.</summary>
public static class CaptionEndpoints
{
    /// <summary>Room for the form's other fields and the multipart framing around the file.</summary>
    public const long FormOverheadBytes = 64 * 1024;

    public static RouteGroupBuilder MapCaptionEndpoints(this RouteGroupBuilder videos)
    {
        ArgumentNullException.ThrowIfNull(videos);
        videos.MapPost("/{id}/captions", AddAsync)
            .WithSummary("Upload a WebVTT or SRT track (multipart: file, language, label, kind); it replaces the track of the same language and kind")
            .DisableAntiforgery()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        videos.MapGet("/{id}/captions", ListAsync)
            .WithSummary("The video's caption tracks with the URLs of their WebVTT files")
            .ProducesProblem(StatusCodes.Status404NotFound);
        videos.MapDelete("/{id}/captions/{language}/{kind}", RemoveAsync)
            .WithSummary("Remove a caption track; the master playlist is republished without it")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return videos;
    }

    /// <summary>Whether the request is a caption upload, whose body may exceed the API's JSON limit (<see cref="MaxBodyBytes"/>).</summary>
    public static bool IsUpload(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var segments = request.Path.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return HttpMethods.IsPost(request.Method) && segments is ["api", "v1", "videos", _, "captions"];
    }

    public static long MaxBodyBytes(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.RequestServices.GetRequiredService<IOptions<CaptionOptions>>().Value.MaxBytes + FormOverheadBytes;
    }

    private static async Task<IResult> AddAsync(string id, HttpContext context, IOptions<CaptionOptions> options, IMediator mediator, CancellationToken cancellationToken)
    {
        var videoId = VideoIds.Parse(id);
        if (!context.Request.HasFormContentType)
        {
            return ApiProblems.Result(ErrorCodes.UnsupportedMediaType, "A caption track is uploaded as multipart/form-data with the fields file, language, label and kind.");
        }

        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException malformed)
        {
            throw new BadHttpRequestException($"The form does not parse: {malformed.Message}");
        }

        var file = form.Files.GetFile("file");
        if (file is not null && file.Length > options.Value.MaxBytes)
        {
            return ApiProblems.Result(ErrorCodes.PayloadTooLarge, $"A caption file is limited to {options.Value.MaxBytes} bytes (Captions:MaxBytes).");
        }

        var content = Array.Empty<byte>();
        if (file is not null)
        {
            using var buffer = new MemoryStream((int)file.Length);
            await file.CopyToAsync(buffer, cancellationToken);
            content = buffer.ToArray();
        }

        var view = await mediator.Send(
            new AddCaptionCommand(videoId, form["language"].ToString(), form["kind"].ToString(), form["label"].ToString(), content), cancellationToken);
        return TypedResults.Created($"/api/v1/videos/{videoId}/captions", view);
    }

    private static async Task<Ok<CaptionList>> ListAsync(string id, IMediator mediator, CancellationToken cancellationToken) =>
        TypedResults.Ok(await mediator.Send(new ListCaptionsQuery(VideoIds.Parse(id)), cancellationToken));

    private static async Task<NoContent> RemoveAsync(string id, string language, string kind, IMediator mediator, CancellationToken cancellationToken)
    {
        await mediator.Send(new RemoveCaptionCommand(VideoIds.Parse(id), language, kind), cancellationToken);
        return TypedResults.NoContent();
    }
}
