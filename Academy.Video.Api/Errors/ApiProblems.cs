using System.Text.Json;
using Academy.Video.Application.Common;
using Academy.Video.Domain;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;

namespace Academy.Video.Api.Errors;

/// <summary>
/// The one mapper from an error to its HTTP answer: each exception kind has one status and its code travels with
/// it; each of the API's own refusals (<see cref="ErrorCodes"/>) has its status in the code table. Endpoints,
/// middleware and the exception handler all build their problem answers here.
/// </summary>
public static class ApiProblems
{
    public static ProblemDetails Of(ApiError error, string detail)
    {
        ArgumentNullException.ThrowIfNull(error);
        return Problem(error.Status, ErrorCodes.TitleFor(error.Status), detail, error.Code);
    }

    /// <summary>An endpoint's answer for one of the API's own refusals.</summary>
    public static IResult Result(ApiError error, string detail) => TypedResults.Problem(Of(error, detail));

    /// <summary>A middleware's answer, written before any endpoint runs (and before any body is read).</summary>
    public static Task WriteAsync(HttpContext context, ApiError error, string detail)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = error.Status;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>()
            .WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = Of(error, detail) }).AsTask();
    }

    /// <summary>The answer for an exception of a known kind; null for any other (a 500, logged by the handler).</summary>
    public static ProblemDetails? FromException(Exception exception) => exception switch
    {
        ValidationException validation => new ValidationProblemDetails(
            validation.Errors.GroupBy(e => ToCamelCase(e.PropertyName)).ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).ToArray()))
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request is invalid.",
            Extensions = { [ErrorCodes.Key] = ErrorCodes.ValidationFailed },
        },
        NotFoundException notFound => Problem(StatusCodes.Status404NotFound, "Not found", notFound.Message, notFound.Code),
        DependencyUnavailableException unavailable => Problem(StatusCodes.Status503ServiceUnavailable, "Service unavailable", unavailable.Message, unavailable.Code),
        ConflictException conflict => Problem(StatusCodes.Status409Conflict, "Conflict", conflict.Message, conflict.Code),
        InvalidContentException invalid => Problem(StatusCodes.Status400BadRequest, "Bad request", invalid.Message, invalid.Code),
        ForbiddenException forbidden => Problem(StatusCodes.Status403Forbidden, "Forbidden", forbidden.Message, forbidden.Code),
        DomainException domain => Problem(StatusCodes.Status409Conflict, "Conflict", domain.Message, domain.Code),
        // The framework's own refusals: unreadable JSON, a wrong Content-Type (415), a body over the limit
        // while it streams in (413), a query or route value that does not bind (400).
        BadHttpRequestException bad => Problem(bad.StatusCode, ErrorCodes.TitleFor(bad.StatusCode), bad.Message,
            bad.InnerException is JsonException ? ErrorCodes.InvalidJson : ErrorCodes.ForStatus(bad.StatusCode)),
        _ => null,
    };

    public static ProblemDetails InternalError() =>
        Problem(StatusCodes.Status500InternalServerError, "Internal error", "The server failed; the error is logged with this request's trace id.",
            ErrorCodes.ForStatus(StatusCodes.Status500InternalServerError));

    private static ProblemDetails Problem(int status, string title, string detail, string code) =>
        new() { Status = status, Title = title, Detail = detail, Extensions = { [ErrorCodes.Key] = code } };

    private static string ToCamelCase(string name) =>
        string.IsNullOrEmpty(name) ? name : char.ToLowerInvariant(name[0]) + name[1..];
}
